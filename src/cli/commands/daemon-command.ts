import type { Argv, CommandModule } from 'yargs';
import { DAEMON_SETTINGS, type DaemonFlags, describeSetting, passThroughArgs } from '../../daemon/daemon-settings';
import type { GlobalArgs } from '../cli-context';
import { print, printJson } from '../render';

export interface DaemonArgs extends GlobalArgs, DaemonFlags {
  init?: boolean;
  verbose?: boolean;
}

/** The settings' flags, as declared once in DAEMON_SETTINGS (flag, env, default). */
function settingsOptions<T>(y: Argv<T>): Argv<T> {
  let out = y.option('init', { type: 'boolean', describe: 'Create the workspace first when there is none' });
  for (const s of DAEMON_SETTINGS) out = out.option(s.flag, { type: s.type, describe: describeSetting(s) });
  return out as Argv<T>;
}

async function resolvePaths(argv: DaemonArgs) {
  const { resolveWorkspace, findWorkspaceRoot } = await import('../../workspace/workspace-paths');
  if (argv.init && (argv.workspace || (!process.env.BEADS_DIR && !findWorkspaceRoot(process.cwd())))) {
    const { initWorkspace } = await import('../../workspace/init-workspace');
    return initWorkspace(argv.workspace ?? process.cwd()).paths;
  }
  return resolveWorkspace({ cwd: process.cwd(), explicit: argv.workspace });
}

/** Runs the sync daemon in the foreground until SIGTERM/SIGINT, the event log on stdout. */
export async function runForegroundDaemon(argv: DaemonArgs): Promise<void> {
  const { resolveSettings } = await import('../../daemon/daemon-settings');
  const { runDaemon } = await import('../../daemon/run-daemon');
  const settings = resolveSettings(argv);
  const paths = await resolvePaths(argv);
  const code = await runDaemon({ paths, settings });
  // Exit now rather than when the last handle closes: a ^C landing in between would otherwise
  // end the process by signal after a clean stop (and report failure to a supervisor).
  process.exit(code);
}

async function startCommand(argv: DaemonArgs): Promise<void> {
  const { resolveSettings } = await import('../../daemon/daemon-settings');
  // Refused here, before a background daemon would refuse it in its log.
  resolveSettings({ ...argv, logFormat: undefined });
  const { startBackgroundDaemon } = await import('../../daemon/daemon-control');
  const paths = await resolvePaths(argv);
  const d = await startBackgroundDaemon(paths, passThroughArgs(argv));
  if (argv.json) return printJson({ started: true, pid: d.pid, socket_path: d.socketPath, log_path: d.logPath });
  print(`✓ Daemon started (pid ${d.pid}), socket ${d.socketPath}, log ${d.logPath}`);
}

async function stopCommand(argv: DaemonArgs): Promise<void> {
  const { stopDaemon } = await import('../../daemon/daemon-control');
  const paths = await resolvePaths(argv);
  const pid = await stopDaemon(paths);
  if (argv.json) return printJson({ stopped: pid !== null, pid });
  print(pid === null ? 'No daemon running.' : `✓ Daemon stopped (pid ${pid})`);
}

function ago(iso: string | null): string {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return s < 60 ? `${s}s ago` : s < 3600 ? `${Math.floor(s / 60)}m ago` : `${Math.floor(s / 3600)}h ago`;
}

function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return h ? `${h}h ${m}m` : m ? `${m}m ${seconds % 60}s` : `${seconds}s`;
}

async function statusCommand(argv: DaemonArgs): Promise<void> {
  const { askDaemon } = await import('../../daemon/daemon-control');
  const paths = await resolvePaths(argv);
  const s = (await askDaemon(paths, 'status')) as Record<string, any> | null;
  if (!s) {
    if (argv.json) return printJson({ running: false, workspace_path: paths.root });
    print('Daemon running: no');
    return;
  }
  if (argv.json) return printJson({ running: true, ...s });
  print('Daemon running: yes');
  print(`PID: ${s.pid}`);
  print(`Mode: ${s.daemon_mode === 'events' ? 'event-driven' : 'polling'}`);
  print(`Uptime: ${duration(s.uptime_seconds)}`);
  print(`Last sync: ${ago(s.last_sync_at)}`);
  if (!argv.verbose) return;
  print();
  print('Event statistics:');
  print(`  File changes: ${s.file_changes}`);
  print(`  Mutations: ${s.mutations}`);
  print(`  Exports: ${s.exports} (batched from ${s.exports_batched_from} mutations)`);
  print(`  Imports: ${s.imports} (batched from ${s.imports_batched_from} file changes)`);
  print(`  Errors: ${s.errors}${s.last_error ? ` (last: ${s.last_error})` : ''}`);
  print();
  print(`Watcher status: ${s.watcher_status}`);
  for (const w of s.watching as string[]) print(`  Watching: ${w}`);
  print(`  Events received: ${s.events_received}`);
  print();
  const l = s.latency_ms as { samples: number; p50: number | null; p99: number | null };
  print(`Mutation → export latency: p50 ${l.p50 ?? '-'} ms, p99 ${l.p99 ?? '-'} ms (${l.samples} samples)`);
  print(`Socket: ${s.socket_path}`);
}

async function restartCommand(argv: DaemonArgs): Promise<void> {
  const { stopDaemon } = await import('../../daemon/daemon-control');
  await stopDaemon(await resolvePaths(argv));
  await startCommand(argv);
}

const sub = (command: string, describe: string, handler: (argv: DaemonArgs) => Promise<void>, extra?: (y: Argv<DaemonArgs>) => Argv<DaemonArgs>): CommandModule<DaemonArgs, DaemonArgs> => ({
  command,
  describe,
  builder: (y) => (extra ? extra(y) : y),
  handler,
});

export const daemonCommand: CommandModule<GlobalArgs, DaemonArgs> = {
  command: 'daemon',
  describe: 'Run the sync daemon in the foreground (NDJSON event log on stdout); start|stop|status|restart manage a background one',
  builder: (y) =>
    settingsOptions(y as Argv<DaemonArgs>)
      .command(sub('start', 'Start a background daemon; returns when its socket answers', startCommand))
      .command(sub('stop', 'Stop the daemon; returns after it has exited and its files are gone', stopCommand))
      .command(sub('status', 'Is a daemon running, and what has it done', statusCommand, (b) =>
        b.option('verbose', { alias: 'v', type: 'boolean', describe: 'Event statistics, watcher, latency' })))
      .command(sub('restart', 'Stop, then start', restartCommand)),
  handler: runForegroundDaemon,
};

export const daemonEventCommand: CommandModule<GlobalArgs, GlobalArgs & { event: string }> = {
  command: 'daemon-event <event>',
  describe: 'Ask a running daemon to sync (import-needed|export-needed); silent no-op without one (for git hooks)',
  builder: (y) => y.positional('event', { type: 'string', choices: ['import-needed', 'export-needed'], demandOption: true }),
  handler: async (argv) => {
    const { askDaemon } = await import('../../daemon/daemon-control');
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
