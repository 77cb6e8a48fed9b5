/**
 * Every event the daemon reports. The NDJSON log, `bd-rx events` and the RPC `subscribe`
 * operation all carry exactly these objects (plus `ts`, stamped by the sink that writes them).
 * Types read `source/verb`.
 */

/** What an import found besides its counts; each field only when there is something to say. */
export interface ImportDetails {
  /** Incoming records older than the local copy: the local one was kept. */
  kept_local?: string[];
  /** Local unexported changes replaced by a newer incoming record. */
  overwritten_local?: string[];
  /** Ids found on more than one line: the lines, and the one kept. */
  duplicates?: Array<{ id: string; lines: number[]; kept_line: number }>;
  /** Values kept as they are although outside the usual sets. */
  warnings?: { unknown_status: number; unknown_type: number; unusual_priority: number };
  /** The DB now holds changes the JSONL lacks (an export follows). */
  needs_export?: boolean;
  /** SHA-256 of the file imported. */
  hash?: string;
}

/**
 * An export that found the JSONL changed from outside (not yet imported) merges it first, so
 * it never overwrites unseen work; that merge is reported here, counts and findings alike.
 */
export interface MergedFirst {
  merged?: { created: number; updated: number; deleted: number; unchanged: number } & ImportDetails;
}

/** Why an effect ran or was asked for: counts of the triggers one effect served. */
export interface Batched {
  /** How many triggers (mutations, file changes, ticks, explicit requests) this effect served. */
  batched: number;
}

export type DaemonMode = 'events' | 'poll';

export type DaemonEvent =
  | {
      type: 'daemon/started';
      mode: DaemonMode;
      debounceMs: number;
      maxWaitMs: number;
      workspace: string;
      pid: number;
      /** The live dashboard's URL, token included (only with `--dashboard`). */
      dashboard_url?: string;
    }
  | { type: 'fs/changed'; path: string }
  | { type: 'store/mutated'; op: string; id: string }
  | { type: 'sync/requested'; kind: 'import' | 'export'; reason: string }
  | ({
      type: 'export/done';
      issues: number;
      bytes: number;
      ms: number;
      /** The file was written ahead of the deadline and only renamed into place now. */
      staged?: true;
    } & MergedFirst &
      Batched)
  | ({ type: 'export/skipped'; reason: string } & MergedFirst & Batched)
  | ({ type: 'export/failed'; error: string } & Batched)
  | ({
      type: 'import/done';
      created: number;
      updated: number;
      deleted: number;
      unchanged: number;
      ms: number;
    } & ImportDetails &
      Batched)
  | ({ type: 'import/skipped'; reason: string } & Batched)
  | ({ type: 'import/failed'; error: string; line?: number } & Batched)
  | { type: 'watcher/failed'; code: string; message: string; fatal: boolean }
  | { type: 'mode/poll'; reason: string; intervalMs: number }
  | { type: 'signal/ignored'; signal: string }
  | { type: 'daemon/stopping'; signal: string }
  | { type: 'daemon/stopped' };

export type DaemonEventType = DaemonEvent['type'];

/** A daemon event as written to the log: stamped with an ISO 8601 time. */
export type LoggedEvent = DaemonEvent & { ts: string };
