import { asyncScheduler, concat, merge, NEVER, of, type Observable, type SchedulerLike } from 'rxjs';
import type { DaemonEvent } from '../events/daemon-event';
import { formatEventJson, formatEventText, stampEvent } from '../events/format-event';
import { LineBatcher } from '../events/line-batcher';
import { exportEffect } from '../effects/export-effect';
import { importEffect } from '../effects/import-effect';
import { sweepStaleTemps } from '../jsonl/atomic-write';
import { daemonPipeline } from '../pipeline/daemon-pipeline';
import type { DaemonSignal, SyncTrigger } from '../pipeline/daemon-sources';
import { prepareLeadFor } from '../pipeline/export-requests';
import { prepareSocketDir, socketPathFor } from '../rpc/socket-path';
import { daemonGit } from '../git/daemon-git';
import { onceWhileUnchanged } from '../git/effects/git-events';
import { resolveGitSyncSettings } from '../git/git-sync-settings';
import { findGitRefs } from '../sources/git-dir';
import { mutation$ } from '../sources/mutation';
import { safetyCheck$ } from '../sources/safety-check';
import { dbFileGuard } from '../store/db-file-guard';
import { signal$ } from '../sources/signal';
import { watcherThread$ } from '../sources/watcher-thread';
import { BeadsStore } from '../store/beads-store';
import { HelperThread } from '../os/helper-thread';
import { WalCheckpointer } from '../store/wal-checkpointer';
import { BD_RX_VERSION } from '../version';
import type { WorkspacePaths } from '../workspace/workspace-paths';
import { acquireDaemonLock } from './daemon-lock';
import { createDaemonRuntime, type DaemonAttachment } from './daemon-runtime';
import { dashboardAttachment } from '../dashboard/dashboard-attachment';
import type { ResolvedSettings } from './daemon-settings';
import { registryAttachment } from './registry-attachment';
import { rpcAttachment } from './rpc-attachment';

export type { DaemonRuntime } from './daemon-runtime';

export interface RunDaemonOptions {
  paths: WorkspacePaths;
  settings: ResolvedSettings;
  /** Where the event log goes (stdout). */
  write?: (line: string) => void;
  /** Explicit sync requests (besides the runtime's `requestSync`). */
  trigger$?: Observable<SyncTrigger>;
  /** Signals; the process's own by default. */
  signals$?: Observable<DaemonSignal>;
  scheduler?: SchedulerLike;
  /** Serve RPC on the workspace socket (default true). */
  rpc?: boolean;
  maxConnections?: number;
  /** More servers on the runtime (a dashboard), started after the RPC socket. */
  attachments?: DaemonAttachment[];
}

/** Ignores a signal (see `finish` in runDaemon). */
const holdOff = (): void => undefined;

/** The events after which the daemon exits non-zero. */
const isFatal = (event: DaemonEvent): boolean =>
  (event.type === 'watcher/failed' && event.fatal) || event.type === 'daemon/failed';

/**
 * The daemon's composition root, and the one place that subscribes to the pipeline: builds the
 * adapters, the runtime and its attachments, and logs every event. Resolves with the exit code
 * once the pipeline has completed: 0 after a graceful stop, 1 after a fatal failure. Without
 * injected `signals$`, the caller must exit once it resolves: SIGINT, SIGTERM and SIGHUP are
 * ignored from the stop on.
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
  const git = settings.mode === 'events' ? findGitRefs(paths.root) : null;
  const watched =
    settings.mode === 'events' ? [paths.jsonlPath, ...(git ? [`${git.gitDir}/HEAD`, `${git.commonDir}/refs/heads`] : [])] : [];
  const parts = createDaemonRuntime({ store, paths, settings, watched });

  const attachments = [
    ...(opts.rpc === false
      ? []
      : [
          rpcAttachment({ socketPath: socketPathFor(paths.root), maxConnections: opts.maxConnections ?? 100 }),
          // After the socket listens, as in bd: a registered daemon can be reached.
          registryAttachment({ socketPath: socketPathFor(paths.root) }),
        ]),
    ...(settings.dashboard ? [dashboardAttachment()] : []),
    ...(opts.attachments ?? []),
  ];
  let lock: ReturnType<typeof acquireDaemonLock> | undefined;
  const attached: Array<{ close(): Promise<void> }> = [];
  try {
    if (opts.rpc !== false) {
      const socket = socketPathFor(paths.root);
      lock = acquireDaemonLock(paths.beadsDir, { version: BD_RX_VERSION, socket });
      // Temp files of an export cut short by a crash (ours or a CLI's) are removed once we own the workspace.
      sweepStaleTemps(paths.jsonlPath);
      prepareSocketDir(socket);
    }
    for (const attachment of attachments) attached.push(await attachment.start(parts.runtime));
    if (parts.runtime.dashboardUrl) lock?.update({ dashboard_url: parts.runtime.dashboardUrl });
  } catch (err) {
    await Promise.allSettled(attached.map((a) => a.close()));
    lock?.release();
    parts.close();
    store.dispose();
    throw err;
  }

  // Copying the WAL back into beads.db after each export and import (150–200 ms after a burst
  // of writes) happens on a thread, not between RPC requests: the one the watcher runs on too
  // (a thread each cost ~8 MB of RSS more, see HelperThread).
  const helper = new HelperThread();
  const checkpointer = new WalCheckpointer(paths.dbPath, { inline: () => store.checkpoint(), thread: helper });
  const checkpoint = () => checkpointer.request();

  const started: DaemonEvent = {
    type: 'daemon/started',
    mode: settings.mode,
    debounceMs: settings.debounceMs,
    maxWaitMs: settings.maxWaitMs,
    workspace: paths.root,
    pid: process.pid,
    ...(parts.runtime.dashboardUrl ? { dashboard_url: parts.runtime.dashboardUrl } : {}),
  };
  const gitSync = settings.gitSync ?? resolveGitSyncSettings({}, {});
  const repoGit = daemonGit(paths, store, gitSync);
  // Before each export and import: is beads.db still the file opened? (fault 3; one stat)
  const dbGuard = { path: paths.dbPath, check: dbFileGuard(paths.dbPath) };
  const fileEffects = {
    ...exportEffect(store, paths.jsonlPath, checkpoint, dbGuard),
    ...importEffect(store, paths.jsonlPath, checkpoint, dbGuard),
  };
  const pipeline$ = daemonPipeline(
    {
      fileChange$:
        settings.mode === 'events' ? watcherThread$({ beadsDir: paths.beadsDir, jsonlPath: paths.jsonlPath, git, thread: helper }) : NEVER,
      mutation$: mutation$(store),
      signal$: merge(opts.signals$ ?? signal$(), parts.shutdown$),
      trigger$: merge(opts.trigger$ ?? NEVER, parts.trigger$),
      safety$:
        settings.safetyIntervalMs > 0
          ? safetyCheck$({
              root: paths.root,
              beadsDir: paths.beadsDir,
              jsonlPath: paths.jsonlPath,
              dbPath: paths.dbPath,
              intervalMs: settings.safetyIntervalMs,
              scheduler: opts.scheduler ?? asyncScheduler,
            })
          : undefined,
    },
    {
      ...settings,
      // export and prepare share a cache: the prepare writes the next export ahead, the export renames it.
      effects: {
        ...fileEffects,
        // While git is mid-rebase/merge the work tree is git's: no JSONL written into it, none read from it.
        export: repoGit.guard(fileEffects.export, (reason) => ({ kind: 'skipped' as const, reason })),
        import: repoGit.guard(fileEffects.import, (reason) => ({ kind: 'skipped' as const, reason })),
        git: repoGit.run,
      },
      git: gitSync,
      prepareLeadMs: prepareLeadFor(settings.debounceMs),
      recheckAfterExport: true,
      scheduler: opts.scheduler ?? asyncScheduler,
    },
  ).pipe(onceWhileUnchanged());

  return new Promise<number>((resolve) => {
    let fatal = false;
    const emit = (event: DaemonEvent) => {
      if (isFatal(event)) fatal = true;
      const logged = stampEvent(event, new Date());
      write(format(logged));
      parts.record(logged);
    };
    const finish = () => {
      parts.close();
      // The pipeline has let go of its signal listeners; a second ^C now (a terminal signals
      // the whole process group, and `npm start` forwards it too) would kill the process before
      // the socket, lock and pid files are removed, or, once they are, before the caller's
      // process.exit(code) runs (removing the last listener restores the default: death). So
      // signals stay held off for the rest of the process's life, which ends right after this.
      if (!opts.signals$) for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, holdOff);
      // The checkpoint thread's connection closes before ours: the last one to close removes the WAL.
      void Promise.allSettled(attached.map((a) => a.close()))
        .then(() => checkpointer.close())
        .finally(() => {
          log?.flush();
          lock?.release();
          store.dispose();
          resolve(fatal ? 1 : 0);
        });
    };
    concat(of(started), pipeline$).subscribe({
      next: emit,
      error: (err: unknown) => {
        // The pipeline never errors by design; if it does, say so and stop non-zero.
        emit({ type: 'daemon/failed', code: 'EPIPELINE', message: String(err) });
        finish();
      },
      complete: finish,
    });
  });
}
