import type { Observable, SchedulerLike } from 'rxjs';
import type { DaemonEffectKinds, EffectRunners, SyncKind } from './effect-kinds';
import type { GitLoops } from './git-requests';

export type DaemonMode = 'events' | 'poll';

/**
 * What the filesystem watcher adapter reports: a relevant path changed, every watch is in
 * place (`ready`), or the watcher broke.
 */
export type WatchEvent =
  | { kind: 'change'; path: string }
  | { kind: 'ready' }
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
  kind: SyncKind;
  reason: string;
  /** Set by a caller waiting for the answer: the run that serves it reports it in `requests`. */
  id?: number;
}

/**
 * What the periodic safety check found (see `safetyCheck$`): the JSONL changed without the
 * watcher saying so, or the ground under the daemon is gone: the DB file deleted or replaced
 * (a backup restored over it), the workspace moved or deleted.
 */
export type SafetyFinding =
  | { kind: 'jsonl-changed'; path: string }
  | { kind: 'db-deleted' | 'db-replaced' | 'workspace-gone'; path: string };

/** The sources the pipeline merges; each one is built by an adapter in `src/sources/`. */
export interface DaemonSources {
  fileChange$: Observable<WatchEvent>;
  mutation$: Observable<Mutation>;
  signal$: Observable<DaemonSignal>;
  trigger$: Observable<SyncTrigger>;
  /** The periodic safety check; absent (or EMPTY) when it is off. */
  safety$?: Observable<SafetyFinding>;
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
  /**
   * One effect per kind of {@link DAEMON_EFFECT_KINDS}: `export` (DB → JSONL), `import`
   * (JSONL → DB), and `prepare`, which does the slow part of the next export ahead of its
   * deadline (render, write and fsync a temp file) so that the export only has to rename it.
   */
  effects: EffectRunners<DaemonEffectKinds>;
  /**
   * How long before the export deadline the prepare runs: after `debounceMs - prepareLeadMs` of
   * quiet. 0 (or not less than `debounceMs`) turns preparing off. Derived from `debounceMs`, not
   * a user setting: see `prepareLeadFor` (export-requests.ts).
   */
  prepareLeadMs: number;
  /**
   * Import once more (a debounce later) after each export that wrote the file. chokidar drops
   * a second change to one path within 50 ms of the first, so an outside write landing right
   * after our own export's rename can go unreported; the import costs one stat when the file
   * is still ours. The daemon turns it on; marble tests of other rules leave it off.
   */
  recheckAfterExport?: boolean;
  /** Git sync's loops (see git-requests.ts); absent: git runs only when asked for explicitly. */
  git?: GitLoops;
  /**
   * How long after an export or import skipped because git is busy, or a `git/waiting`, the
   * run is asked for again (default 1000).
   */
  busyRetryMs?: number;
  scheduler: SchedulerLike;
}
