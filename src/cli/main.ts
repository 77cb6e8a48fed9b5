import type { Argv } from 'yargs';
import { assertArgvUtf8 } from './argv-utf8';
import { shieldDoubleDash } from './double-dash';
import { GLOBAL_OPTIONS } from './global-options';
import { runFastPath } from './fast-path';
import { reportError } from './report-error';
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
    .demandCommand(1, 'Name a command: bd-rx --help lists them')
    .strict()
    .recommendCommands()
    .help()
    .alias('help', 'h')
    .version()
    .wrap(Math.min(100, process.stdout.columns || 100))
    .fail((msg, err, y) => {
      if (err) throw err;
      void y;
      process.stderr.write(`Error: ${msg}\nRun \`bd-rx --help\` for usage.\n`);
      process.exit(2);
    });
}

export async function main(): Promise<void> {
  // `bd-rx list | head`: the reader is gone, so the rest of the output has nowhere to go. Stop
  // quietly instead of dying on an unhandled EPIPE with a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (errnoCode(err) !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });
  const args = process.argv.slice(2);
  try {
    assertArgvUtf8(args);
    // The read commands agents run most skip loading yargs when their arguments are plain.
    if (await runFastPath(args)) return;
    await buildCli(args).parseAsync();
  } catch (err) {
    process.exitCode = reportError(err);
  }
}

