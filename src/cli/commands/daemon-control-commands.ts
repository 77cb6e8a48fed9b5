import type { Argv, CommandModule } from 'yargs';
import { globalFlags } from '../global-flags';
import { print, printJson } from '../render';
import { type DaemonArgs, resolvePaths } from './daemon-args';

async function startCommand(argv: DaemonArgs, daemonArgs: (argv: DaemonArgs) => Promise<string[]>): Promise<void> {
  const settingsArgs = await daemonArgs(argv);
  const { startBackgroundDaemon } = await import('../../daemon/client/start-daemon');
  const paths = await resolvePaths(argv);
  const { AlreadyRunningError } = await import('../../rpc/rpc-errors');
  let d;
  try {
    d = await startBackgroundDaemon(paths, settingsArgs);
  } catch (err) {
    // A daemon serving the workspace is what `start` asked for: report it and succeed.
    if (!(err instanceof AlreadyRunningError) || err.pid === undefined) throw err;
    if (argv.json) return printJson({ started: false, already_running: true, pid: err.pid });
    print(`already running (pid ${err.pid})`);
    return;
  }
  if (argv.json) return printJson({ started: true, pid: d.pid, socket_path: d.socketPath, log_path: d.logPath });
  print(`✓ Daemon started (pid ${d.pid}), socket ${d.socketPath}, log ${d.logPath}`);
}

async function stopCommand(argv: DaemonArgs): Promise<void> {
  const { stopDaemon } = await import('../../daemon/client/stop-daemon');
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
  const { askDaemon } = await import('../../daemon/client/ask-daemon');
  const paths = await resolvePaths(argv);
  const s = await askDaemon(paths, 'status');
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
  // -v/--verbose is also bd's global flag, taken off the command line before yargs sees it.
  if (!argv.verbose && !globalFlags().verbose) return;
  print();
  print('Event statistics:');
  print(`  File changes: ${s.file_changes}`);
  print(`  Mutations: ${s.mutations}`);
  print(`  Exports: ${s.exports} (batched from ${s.exports_batched_from} mutations)`);
  print(`  Imports: ${s.imports} (batched from ${s.imports_batched_from} file changes)`);
  print(`  Errors: ${s.errors}${s.last_error ? ` (last: ${s.last_error})` : ''}`);
  print();
  print(`Watcher status: ${s.watcher_status}`);
  for (const w of s.watching) print(`  Watching: ${w}`);
  print(`  Events received: ${s.events_received}`);
  print();
  const l = s.latency_ms;
  print(`Mutation → export latency: p50 ${l.p50 ?? '-'} ms, p99 ${l.p99 ?? '-'} ms (${l.samples} samples)`);
  print(`Socket: ${s.socket_path}`);
  if (s.dashboard_url) print(`Dashboard: ${s.dashboard_url}`);
}

async function restartCommand(argv: DaemonArgs, daemonArgs: (argv: DaemonArgs) => Promise<string[]>): Promise<void> {
  const { stopDaemon } = await import('../../daemon/client/stop-daemon');
  await stopDaemon(await resolvePaths(argv));
  await startCommand(argv, daemonArgs);
}

const sub = (
  command: string,
  describe: string,
  handler: (argv: DaemonArgs) => Promise<void>,
  extra?: (y: Argv<DaemonArgs>) => Argv<DaemonArgs>,
): CommandModule<DaemonArgs, DaemonArgs> => ({
  command,
  describe,
  builder: (y) => (extra ? extra(y) : y),
  handler,
});

/**
 * `daemon start|stop|status|restart`: the client side, which talks to a daemon over its socket
 * and lock files and never loads the server. `daemonArgs` checks the settings flags and turns
 * them into the command line of the background daemon.
 */
export function daemonControlCommands(
  daemonArgs: (argv: DaemonArgs) => Promise<string[]>,
): Array<CommandModule<DaemonArgs, DaemonArgs>> {
  return [
    sub('start', 'Start a background daemon; returns when its socket answers', (argv) => startCommand(argv, daemonArgs)),
    sub('stop', 'Stop the daemon; returns after it has exited and its files are gone', stopCommand),
    sub('status', 'Is a daemon running, and what has it done', statusCommand, (b) =>
      b.option('verbose', { alias: 'v', type: 'boolean', describe: 'Event statistics, watcher, latency' })),
    sub('restart', 'Stop, then start', (argv) => restartCommand(argv, daemonArgs)),
  ];
}
