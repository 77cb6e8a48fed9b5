import type { Observable, SchedulerLike } from 'rxjs';
import type { DaemonMode } from '../events/daemon-event';
import type { ExportOutcome, ImportOutcome } from '../effects/effect-outcome';

/** What the filesystem watcher adapter reports: a relevant path changed, or the watcher broke. */
export type WatchEvent =
  | { kind: 'change'; path: string }
  | { kind: 'error'; code: string; message: string };

/** A write that went through the store. */
export interface Mutation {
  op: string;
  id: string;
  /** Unix ms, from the store's clock. */
  at: number;
}

export type DaemonSignal = 'SIGTERM' | 'SIGINT' | 'SIGHUP';

/** An explicit request (RPC `import`/`export`, `bd-rx daemon-event …`). */
export interface SyncTrigger {
  kind: 'import' | 'export';
  reason: string;
}

/** The sources the pipeline merges; each one is built by an adapter in `src/sources/`. */
export interface DaemonSources {
  fileChange$: Observable<WatchEvent>;
  mutation$: Observable<Mutation>;
  signal$: Observable<DaemonSignal>;
  trigger$: Observable<SyncTrigger>;
}

export interface DaemonSettings {
  mode: DaemonMode;
  debounceMs: number;
  maxWaitMs: number;
  pollIntervalMs: number;
  watcherFallback: boolean;
}

/** I/O arrives here: the pipeline itself imports no `node:*` module and reads no clock. */
export interface DaemonDeps extends DaemonSettings {
  runExport: () => Observable<ExportOutcome>;
  runImport: () => Observable<ImportOutcome>;
  /**
   * Does the slow part of the next export ahead of its deadline (render, write and fsync a temp
   * file), so that the export itself only has to rename it. Completes when done; reports nothing.
   */
  runPrepareExport: () => Observable<void>;
  /**
   * How long before the export deadline the prepare runs: after `debounceMs - prepareLeadMs` of
   * quiet. 0 (or not less than `debounceMs`) turns preparing off. Derived from `debounceMs`, not
   * a user setting: see `prepareLeadFor` (export-requests.ts).
   */
  prepareLeadMs: number;
  scheduler: SchedulerLike;
}
