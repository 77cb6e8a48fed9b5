import { asyncScheduler, concat, merge, NEVER, of, Subject, type Observable, type SchedulerLike } from 'rxjs';
import type { DaemonEvent, LoggedEvent } from '../events/daemon-event';
import { formatEventJson, formatEventText, stampEvent } from '../events/format-event';
import { LineBatcher } from '../events/line-batcher';
import { exportEffect } from '../effects/export-effect';
import { importEffect } from '../effects/import-effect';
import { daemonPipeline } from '../pipeline/daemon-pipeline';
import { prepareLeadFor } from '../pipeline/export-requests';
import type { DaemonSignal, SyncTrigger } from '../pipeline/daemon-sources';
import { watcherThread$ } from '../sources/watcher-thread';
import { findGitRefs } from '../sources/git-dir';
import { mutation$ } from '../sources/mutation';
import { signal$ } from '../sources/signal';
import { BeadsStore, type StoreMutation } from '../store/beads-store';
import { WalCheckpointer } from '../store/wal-checkpointer';
import { acquireDaemonLock } from './daemon-lock';
import { sweepStaleTemps } from '../jsonl/atomic-write';
import { daemonRpcHandler } from './daemon-rpc-handler';
import { initialStats, reduceStats } from './daemon-stats';
import { startRpcServer, type RpcServer } from '../rpc/rpc-server';
import { prepareSocketDir, socketPathFor } from '../rpc/socket-path';
import { BD_RX_VERSION } from '../version';
import type { WorkspacePaths } from '../workspace/workspace-paths';
import type { ResolvedSettings } from './daemon-settings';
import { startDaemonDashboard } from '../dashboard/daemon-dashboard';

export interface RunDaemonOptions {
  paths: WorkspacePaths;
  settings: ResolvedSettings;
  /** Where the event log goes (stdout). */
  write?: (line: string) => void;
  /** Explicit sync requests (RPC `import`/`export`, `daemon-event`). */
  trigger$?: Observable<SyncTrigger>;
  /** Signals; the process's own by default. */
  signals$?: Observable<DaemonSignal>;
  scheduler?: SchedulerLike;
  /** Serve RPC on the workspace socket (default true). */
  rpc?: boolean;
  maxConnections?: number;
}

const MUTATION_RING = 1000;

/** What the running daemon shares with the parts attached to it (RPC server, status). */
export interface DaemonRuntime {
  store: BeadsStore;
  paths: WorkspacePaths;
  settings: ResolvedSettings;
  /** Every event as it is logged (hot; completes when the daemon stops). */
  events$: Observable<LoggedEvent>;
  startedAt: number;
  /** Paths the watcher watches (empty in poll mode). */
  watched: string[];
  /** With `--dashboard`: its URL (token included). */
  dashboardUrl?: string;
}

/** Ignores a signal (see `finish` in runDaemon). */
const holdOff = (): void => undefined;

/**
 * The daemon's wiring, and the one place that subscribes to the pipeline. Resolves with the
 * exit code once the pipeline has completed: 0 after a graceful stop, 1 after a fatal failure.
 * Without injected `signals$`, the caller must exit once it resolves: SIGINT, SIGTERM and SIGHUP
 * are ignored from the stop on.
 */
export async function runDaemon(opts: RunDaemonOptions): Promise<number> {
  const { paths, settings } = opts;
  const store = new BeadsStore(paths.dbPath);
  // The export effect checkpoints after each export, so RPC writes never pay for one.
  store.deferCheckpoints();
  // The log's lines of one event-loop turn go out as one write (see LineBatcher).
  const log = opts.write ? undefined : new LineBatcher((chunk) => process.stdout.write(chunk));
  const write = opts.write ?? ((line: string) => log?.write(line));
  const format = settings.logFormat === 'json' ? formatEventJson : formatEventText;
  const bus = new Subject<LoggedEvent>();
  const git = settings.mode === 'events' ? findGitRefs(paths.root) : null;
  const watched =
    settings.mode === 'events'
      ? [paths.jsonlPath, ...(git ? [`${git.gitDir}/HEAD`, `${git.commonDir}/refs/heads`] : [])]
      : [];
  const runtime: DaemonRuntime = {
    store,
    paths,
    settings,
    events$: bus.asObservable(),
    startedAt: Date.now(),
    watched,
  };

  // Adapters the RPC server feeds into the pipeline, and what it reads back.
  const trigger = new Subject<SyncTrigger>();
  const shutdown = new Subject<DaemonSignal>();
  let statsState = initialStats(settings.mode);
  const mutations: StoreMutation[] = [];
  const stopRecording = store.onMutation((m) => {
    mutations.push(m);
    if (mutations.length > MUTATION_RING) mutations.shift();
  });

  const socketPath = socketPathFor(paths.root);
  let lock: ReturnType<typeof acquireDaemonLock> | undefined;
  let server: RpcServer | undefined;
  let dashboard: Awaited<ReturnType<typeof startDaemonDashboard>> | undefined;
  try {
    if (opts.rpc !== false) {
      lock = acquireDaemonLock(paths.beadsDir, { version: BD_RX_VERSION, socket: socketPath });
      // Temp files of an export cut short by a crash (ours or a CLI's) are removed once we own the workspace.
      sweepStaleTemps(paths.jsonlPath);
      prepareSocketDir(socketPath);
      const maxConnections = opts.maxConnections ?? 100;
      server = await startRpcServer({
        socketPath,
        dbPath: paths.dbPath,
        maxConnections,
        handler: daemonRpcHandler({
          runtime,
          socketPath,
          version: BD_RX_VERSION,
          maxConnections,
          activeConnections: () => server?.activeConnections() ?? 0,
          stats: () => statsState.stats,
          requestSync: (t) => trigger.next(t),
          shutdown: () => shutdown.next('SIGTERM'),
          mutations: () => mutations,
        }),
      });
    }
    if (settings.dashboard) {
      dashboard = await startDaemonDashboard({ ...runtime, stats: () => statsState.stats });
      runtime.dashboardUrl = dashboard.url;
      lock?.update({ dashboard_url: dashboard.url });
    }
  } catch (err) {
    await server?.close();
    lock?.release();
    stopRecording();
    store.dispose();
    throw err;
  }

  // Copying the WAL back into beads.db after each export and import (150–200 ms after a burst
  // of writes) happens on a thread of its own, not between RPC requests.
  const checkpointer = new WalCheckpointer(paths.dbPath, { inline: () => store.checkpoint() });
  const checkpoint = () => checkpointer.request();

  const started: DaemonEvent = {
    type: 'daemon/started',
    mode: settings.mode,
    debounceMs: settings.debounceMs,
    maxWaitMs: settings.maxWaitMs,
    workspace: paths.root,
    pid: process.pid,
    ...(dashboard ? { dashboard_url: dashboard.url } : {}),
  };
  const pipeline$ = daemonPipeline(
    {
      fileChange$:
        settings.mode === 'events'
          ? watcherThread$({
              beadsDir: paths.beadsDir,
              jsonlPath: paths.jsonlPath,
              git,
              // The start-up import runs before the watches are in place: a change made in
              // between would go unseen until the next one. Look again once they are.
              onReady: () => trigger.next({ kind: 'import', reason: 'watcher ready' }),
            })
          : NEVER,
      mutation$: mutation$(store),
      signal$: merge(opts.signals$ ?? signal$(), shutdown),
      trigger$: merge(opts.trigger$ ?? NEVER, trigger),
    },
    {
      ...settings,
      // runExport and runPrepareExport: the prepare writes the next export ahead, the export renames it.
      ...exportEffect(store, paths.jsonlPath, checkpoint),
      prepareLeadMs: prepareLeadFor(settings.debounceMs),
      runImport: importEffect(store, paths.jsonlPath, checkpoint),
      scheduler: opts.scheduler ?? asyncScheduler,
    },
  );

  return new Promise<number>((resolve) => {
    let fatal = false;
    const finish = () => {
      bus.complete();
      // The pipeline has let go of its signal listeners; a second ^C now (a terminal signals
      // the whole process group, and `npm start` forwards it too) would kill the process before
      // the socket, lock and pid files are removed, or, once they are, before the caller's
      // process.exit(code) runs (removing the last listener restores the default: death). So
      // signals stay held off for the rest of the process's life, which ends right after this.
      if (!opts.signals$) for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, holdOff);
      const closed = Promise.all([server?.close(), dashboard?.close()]);
      // The checkpoint thread's connection closes before ours: the last one to close removes the WAL.
      void closed
        .catch(() => undefined)
        .then(() => checkpointer.close())
        .finally(() => {
          log?.flush();
          lock?.release();
          stopRecording();
          store.dispose();
          resolve(fatal ? 1 : 0);
        });
    };
    concat(of(started), pipeline$).subscribe({
      next: (event) => {
        if (event.type === 'watcher/failed' && event.fatal) fatal = true;
        const logged = stampEvent(event, new Date());
        write(format(logged));
        statsState = reduceStats(statsState, logged);
        bus.next(logged);
        // chokidar drops a second change to one path within 50 ms of the first, so an outside
        // write landing right after our own export's rename can go unreported. Look once more,
        // a debounce later: the import effect costs one stat when the file is still ours.
        if (event.type === 'export/done') trigger.next({ kind: 'import', reason: 'after export' });
      },
      error: (err: unknown) => {
        // The pipeline never errors by design; if it does, say so and stop non-zero.
        fatal = true;
        write(format(stampEvent({ type: 'watcher/failed', code: 'EPIPELINE', message: String(err), fatal: true }, new Date())));
        finish();
      },
      complete: finish,
    });
  });
}
