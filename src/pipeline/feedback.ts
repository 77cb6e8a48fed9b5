import type { DaemonEvent } from '../events/daemon-event';
import type { DaemonInput } from './daemon-input';

/**
 * The loops of the daemon: what an effect reported, turned into the next input. Output
 * re-enters as input (as in redux-observable), inside the pipeline, so marble tests see
 * every loop (marbles/feedback-loops.marble.ts).
 *
 * ```
 * event:    export/done          import/done {needs_export}
 * input:    import request       export work (not logged)
 *           "after export"       "import kept local changes"
 * ```
 *
 * - `export/done` → an import, a debounce later (when `recheckAfterExport`; see DaemonDeps).
 * - `import/done` that kept local changes the file lacks → export work, debounced like a
 *   mutation, so the export writes them back.
 * - `export/failed` or `import/failed` with `EDBDELETED`/`EDBREPLACED` (the DB file checked
 *   before the effect was gone or another one) → a failure: the daemon stops (`daemon/failed`).
 * - The watcher's `ready` is not here: it is an input of its own (see `isImportWork`).
 */
const DB_LOST_CODES = new Set(['EDBDELETED', 'EDBREPLACED']);

export function feedbackOf(event: DaemonEvent, recheckAfterExport: boolean): DaemonInput | undefined {
  if (event.type === 'export/done' && recheckAfterExport) {
    return { source: 'trigger', trigger: { kind: 'import', reason: 'after export' } };
  }
  if (event.type === 'import/done' && event.needs_export) {
    return { source: 'found', kind: 'export', reason: 'import kept local changes' };
  }
  // The DB file check before each export and import (fault 3) found the file deleted or
  // replaced: as final as the safety tick's finding, so the daemon stops the same way.
  if ((event.type === 'export/failed' || event.type === 'import/failed') && DB_LOST_CODES.has(event.code)) {
    return { source: 'failed', code: event.code, message: event.error };
  }
  return undefined;
}

/**
 * What writing the file cost, from an `export/done`: the prepare's time when the export only
 * renamed a file written ahead (`prepared_ms`), else the export's own (it did the same work).
 * An export that merged an outside change first also timed the import: not a prepare's cost.
 * From an `export/skipped` that built the line index (`indexed_ms`): an estimate of it.
 */
export function exportCostOf(event: DaemonEvent): number | undefined {
  // A skipped export that indexed the file (the start-up export) read and hashed every byte a
  // prepare reads, hashes, then also writes and fsyncs: twice that is the first estimate, so
  // the first write after a start is written ahead early enough too (with the fixed lead it
  // waited ~200-400 ms past its deadline at 100k issues).
  if (event.type === 'export/skipped' && event.indexed_ms !== undefined && !event.merged) return event.indexed_ms * INDEX_TO_PREPARE;
  if (event.type !== 'export/done' || event.merged) return undefined;
  return event.staged ? event.prepared_ms : event.ms;
}

/** A prepare's cost per ms of indexing the same file (read + SHA-256, against that plus write + fsync). */
export const INDEX_TO_PREPARE = 2;
