import { asyncScheduler, concat, NEVER, of, Subject, type Observable, type SchedulerLike } from 'rxjs';
import type { DaemonEvent, LoggedEvent } from '../events/daemon-event';
import { formatEventJson, formatEventText, stampEvent } from '../events/format-event';
import { exportEffect } from '../effects/export-effect';
import { importEffect } from '../effects/import-effect';
import { daemonPipeline } from '../pipeline/daemon-pipeline';
import type { DaemonSignal, SyncTrigger } from '../pipeline/daemon-sources';
import { fileChange$ } from '../sources/file-change';
import { findGitRefs } from '../sources/git-dir';
import { mutation$ } from '../sources/mutation';
import { signal$ } from '../sources/signal';
import { BeadsStore } from '../store/beads-store';
import type { WorkspacePaths } from '../workspace/workspace-paths';
import type { ResolvedSettings } from './daemon-settings';

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
  /** Called with the open store before the pipeline starts (the RPC server attaches here). */
  onStart?: (ctx: DaemonRuntime) => void | Promise<void>;
}

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
}

/**
 * The daemon's wiring, and the one place that subscribes to the pipeline. Resolves with the
 * exit code once the pipeline has completed: 0 after a graceful stop, 1 after a fatal failure.
 */
export async function runDaemon(opts: RunDaemonOptions): Promise<number> {
  const { paths, settings } = opts;
  const store = new BeadsStore(paths.dbPath);
  const write = opts.write ?? ((line: string) => process.stdout.write(line + '\n'));
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
  try {
    await opts.onStart?.(runtime);
  } catch (err) {
    store.dispose();
    throw err;
  }

  const started: DaemonEvent = {
    type: 'daemon/started',
    mode: settings.mode,
    debounceMs: settings.debounceMs,
    maxWaitMs: settings.maxWaitMs,
    workspace: paths.root,
    pid: process.pid,
  };
  const pipeline$ = daemonPipeline(
    {
      fileChange$:
        settings.mode === 'events' ? fileChange$({ beadsDir: paths.beadsDir, jsonlPath: paths.jsonlPath, git }) : NEVER,
      mutation$: mutation$(store),
      signal$: opts.signals$ ?? signal$(),
      trigger$: opts.trigger$ ?? NEVER,
    },
    {
      ...settings,
      runExport: exportEffect(store, paths.jsonlPath),
      runImport: importEffect(store, paths.jsonlPath),
      scheduler: opts.scheduler ?? asyncScheduler,
    },
  );

  return new Promise<number>((resolve) => {
    let fatal = false;
    const finish = () => {
      bus.complete();
      store.dispose();
      resolve(fatal ? 1 : 0);
    };
    concat(of(started), pipeline$).subscribe({
      next: (event) => {
        if (event.type === 'watcher/failed' && event.fatal) fatal = true;
        const logged = stampEvent(event, new Date());
        write(format(logged));
        bus.next(logged);
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
