import type { Argv, CommandModule } from 'yargs';
import { DAEMON_SETTINGS, describeSetting, passThroughArgs } from '../../daemon/daemon-settings';
import type { GlobalArgs } from '../cli-context';
import { print, printJson } from '../render';
import { type DaemonArgs, resolvePaths } from './daemon-args';
import { daemonControlCommands } from './daemon-control-commands';

export type { DaemonArgs } from './daemon-args';

/** The settings' flags, as declared once in DAEMON_SETTINGS (flag, env, default). */
function settingsOptions<T>(y: Argv<T>): Argv<T> {
  let out = y.option('init', { type: 'boolean', describe: 'Create the workspace first when there is none' });
  for (const s of DAEMON_SETTINGS) out = out.option(s.flag, { type: s.type, describe: describeSetting(s) });
  return out as Argv<T>;
}

/** Runs the sync daemon in the foreground until SIGTERM/SIGINT, the event log on stdout. */
export async function runForegroundDaemon(argv: DaemonArgs): Promise<void> {
  // Again here, for a daemon not started through the bin (bin.ts sets it before loading the CLI).
  (await import('../../daemon/young-generation')).holdYoungGeneration();
  const { resolveSettings } = await import('../../daemon/daemon-settings');
  const { runDaemon } = await import('../../daemon/run-daemon');
  const settings = resolveSettings(argv);
  const paths = await resolvePaths(argv);
  const code = await runDaemon({ paths, settings });
  // Exit now rather than when the last handle closes: a ^C landing in between would otherwise
  // end the process by signal after a clean stop (and report failure to a supervisor).
  process.exit(code);
}

/** Checks the settings flags here, before a background daemon would refuse them in its log. */
async function startArgs(argv: DaemonArgs): Promise<string[]> {
  const { resolveSettings } = await import('../../daemon/daemon-settings');
  resolveSettings({ ...argv, logFormat: undefined });
  return passThroughArgs(argv);
}

export const daemonCommand: CommandModule<GlobalArgs, DaemonArgs> = {
  command: 'daemon',
  describe: 'Run the sync daemon in the foreground (NDJSON event log on stdout); start|stop|status|restart manage a background one',
  builder: (y) =>
    daemonControlCommands(startArgs).reduce((b, c) => b.command(c), settingsOptions(y as Argv<DaemonArgs>)),
  handler: runForegroundDaemon,
};

export const daemonEventCommand: CommandModule<GlobalArgs, GlobalArgs & { event: string }> = {
  command: 'daemon-event <event>',
  describe: 'Ask a running daemon to sync (import-needed|export-needed); silent no-op without one (for git hooks)',
  builder: (y) => y.positional('event', { type: 'string', choices: ['import-needed', 'export-needed'], demandOption: true }),
  handler: async (argv) => {
    const { askDaemon } = await import('../../daemon/client/ask-daemon');
    const { findWorkspaceRoot, workspacePaths, resolveWorkspace } = await import('../../workspace/workspace-paths');
    const root = argv.workspace ? resolveWorkspace({ cwd: process.cwd(), explicit: argv.workspace }).root : findWorkspaceRoot(process.cwd());
    if (!root) return;
    const result = await askDaemon(workspacePaths(root), argv.event === 'import-needed' ? 'import' : 'export').catch(() => null);
    if (argv.json && result) printJson(result);
  },
};

export const eventsCommand: CommandModule<GlobalArgs, GlobalArgs & { format?: string }> = {
  command: 'events',
  describe: "Print the running daemon's events as they happen, until ^C",
  builder: (y) => y.option('format', { type: 'string', choices: ['json', 'text'], describe: 'Default: json unless stdout is a TTY' }),
  handler: async (argv) => {
    const { connect } = await import('../../rpc/rpc-client');
    const { socketPathFor } = await import('../../rpc/socket-path');
    const { formatEventJson, formatEventText } = await import('../../events/format-event');
    const { workspaceFor } = await import('../cli-context');
    const paths = workspaceFor(argv);
    const client = await connect(socketPathFor(paths.root), { expectedDb: paths.dbPath }).catch(() => {
      throw new Error(`no daemon is running for ${paths.root}: start one with \`bd-rx daemon start\``);
    });
    const text = (argv.format ?? (process.stdout.isTTY ? 'text' : 'json')) === 'text';
    const sub = client.subscribe((e) => print(text ? formatEventText(e as never) : formatEventJson(e as never)));
    process.once('SIGINT', () => sub.close());
    await sub.done.catch(() => undefined);
    client.close();
  },
};
