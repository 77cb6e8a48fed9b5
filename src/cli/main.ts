import yargs from 'yargs/yargs';
import type { Argv } from 'yargs';
import { cliCommands } from './cli-commands';
import { reportError } from './report-error';

/** Exit codes: 0 ok, 1 error, 2 usage. */
export function buildCli(argv: string[]): Argv {
  return yargs(argv)
    .scriptName('bd-rx')
    .usage('$0 <command> [options]\n\nbeads-compatible issue tracker with an event-driven sync daemon.')
    .option('json', { type: 'boolean', describe: 'Machine-readable output (bd shapes)' })
    .option('workspace', { alias: 'C', type: 'string', describe: 'Workspace directory (default: nearest with .beads/)' })
    .option('actor', { type: 'string', describe: 'Who is acting (default: $BD_ACTOR or $USER)' })
    .option('daemon', { type: 'boolean', default: true, describe: 'Use a running daemon (--no-daemon: direct mode)' })
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
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });
  try {
    await buildCli(process.argv.slice(2)).parseAsync();
  } catch (err) {
    process.exitCode = reportError(err);
  }
}

