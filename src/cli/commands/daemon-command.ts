import type { CommandModule } from 'yargs';
import type { GlobalArgs } from '../cli-context';

export interface DaemonArgs extends GlobalArgs {
  init?: boolean;
  mode?: string;
  debounceMs?: number;
  maxWaitMs?: number;
  watcherFallback?: boolean;
  pollInterval?: string;
  logFormat?: string;
}

/** Runs the sync daemon in the foreground until SIGTERM/SIGINT, the event log on stdout. */
export async function runForegroundDaemon(argv: DaemonArgs): Promise<void> {
  const { resolveSettings } = await import('../../daemon/daemon-settings');
  const { runDaemon } = await import('../../daemon/run-daemon');
  const { resolveWorkspace, findWorkspaceRoot } = await import('../../workspace/workspace-paths');
  const settings = resolveSettings({
    mode: argv.mode,
    debounceMs: argv.debounceMs,
    maxWaitMs: argv.maxWaitMs,
    watcherFallback: argv.watcherFallback,
    pollInterval: argv.pollInterval,
    logFormat: argv.logFormat,
  });
  let paths;
  if (argv.init && !argv.workspace && !process.env.BEADS_DIR && !findWorkspaceRoot(process.cwd())) {
    const { initWorkspace } = await import('../../workspace/init-workspace');
    paths = initWorkspace(process.cwd()).paths;
  } else if (argv.init && argv.workspace) {
    const { initWorkspace } = await import('../../workspace/init-workspace');
    paths = initWorkspace(argv.workspace).paths;
  } else {
    paths = resolveWorkspace({ cwd: process.cwd(), explicit: argv.workspace });
  }
  process.exitCode = await runDaemon({ paths, settings });
}

export const daemonCommand: CommandModule<GlobalArgs, DaemonArgs> = {
  command: 'daemon',
  describe: 'Run the sync daemon in the foreground (NDJSON event log on stdout)',
  builder: (y) =>
    y
      .option('init', { type: 'boolean', describe: 'Create the workspace first when there is none' })
      .option('mode', { type: 'string', describe: 'events|poll (env BEADS_DAEMON_MODE, default events)' })
      .option('debounce-ms', { type: 'number', describe: 'Quiet period before a sync (env BEADS_DEBOUNCE_MS, default 500)' })
      .option('max-wait-ms', { type: 'number', describe: 'Longest a busy stream waits (env BEADS_DEBOUNCE_MAX_MS, default 2000)' })
      .option('watcher-fallback', { type: 'boolean', describe: 'Poll if the watcher fails (env BEADS_WATCHER_FALLBACK, default true)' })
      .option('poll-interval', { type: 'string', describe: '5s, 500ms or ms (env BEADS_POLL_INTERVAL, default 5s)' })
      .option('log-format', { type: 'string', describe: 'json|text (default json when stdout is not a TTY)' }),
  handler: runForegroundDaemon,
};
