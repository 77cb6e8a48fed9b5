import type { Argv } from 'yargs';
import { assertArgvUtf8 } from './argv-utf8';
import { shieldDoubleDash } from './double-dash';
import { extractGlobalFlags, setGlobalFlags } from './global-flags';
import { GLOBAL_OPTIONS } from './global-options';
import { runFastPath } from './fast-path';
import { reportError, UsageError } from './report-error';
import { errnoCode } from '../os/errno-code';

/** Exit codes: 0 ok, 1 error, 2 usage. */
export function buildCli(argv: string[]): Argv {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const yargs = require('yargs/yargs') as typeof import('yargs/yargs');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { cliCommands } = require('./cli-commands') as typeof import('./cli-commands');
  const shielded = shieldDoubleDash(argv);
  return yargs(shielded.args)
    // Before validation, so a restored `-rf` is what the command's checks and handler see.
    .middleware((parsed) => void shielded.restore(parsed), true)
    .scriptName('bd-rx')
    .usage('$0 <command> [options]\n\nbeads-compatible issue tracker with an event-driven sync daemon.')
    .options(GLOBAL_OPTIONS)
    .command(cliCommands())
    .demandCommand(1, 'Name a command: `bd-rx --help` lists them.')
    .strict()
    .recommendCommands()
    .help()
    .alias('help', 'h')
    .version(false)
    .wrap(Math.min(100, process.stdout.columns || 100))
    .fail((msg, err) => {
      // yargs re-raises an option's coerce error (a bad --priority) as a YError with its message.
      if (err && err.name === 'YError') throw new UsageError(err.message, { parse: true });
      if (err) throw err;
      throw new UsageError(sentence(msg), { parse: true });
    });
}

/** yargs' messages ("Unknown argument: x") as sentences that say where to look. */
function sentence(msg: string): string {
  const text = msg.trim().replace(/[.:]?$/, '.');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)} Run \`bd-rx --help\` (or \`bd-rx COMMAND --help\`) for usage.`;
}

export async function main(): Promise<void> {
  // `bd-rx list | head`: the reader is gone, so the rest of the output has nowhere to go. Stop
  // quietly instead of dying on an unhandled EPIPE with a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (errnoCode(err) !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });
  const argv = process.argv.slice(2);
  const json = argv.includes('--json');
  let command = argv.find((a) => !a.startsWith('-'));
  try {
    assertArgvUtf8(argv);
    const { flags, rest } = extractGlobalFlags(argv);
    setGlobalFlags(flags);
    command = rest.find((a) => !a.startsWith('-'));
    if (flags.version) {
      const { versionLine } = await import('../version');
      process.stdout.write(versionLine() + '\n');
      return;
    }
    // The read commands agents run most skip loading yargs when their arguments are plain.
    if (await runFastPath(rest)) return;
    await buildCli(rest).parseAsync();
  } catch (err) {
    process.exitCode = reportError(err, { command, json });
  }
}
