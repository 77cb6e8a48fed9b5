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
 * - The watcher's `ready` is not here: it is an input of its own (see `isImportWork`).
 */
export function feedbackOf(event: DaemonEvent, recheckAfterExport: boolean): DaemonInput | undefined {
  if (event.type === 'export/done' && recheckAfterExport) {
    return { source: 'trigger', trigger: { kind: 'import', reason: 'after export' } };
  }
  if (event.type === 'import/done' && event.needs_export) {
    return { source: 'found', kind: 'export', reason: 'import kept local changes' };
  }
  return undefined;
}

/**
 * What writing the file cost, from an `export/done`: the prepare's time when the export only
 * renamed a file written ahead (`prepared_ms`), else the export's own (it did the same work).
 * An export that merged an outside change first also timed the import: not a prepare's cost.
 */
export function exportCostOf(event: DaemonEvent): number | undefined {
  if (event.type !== 'export/done' || event.merged) return undefined;
  return event.staged ? event.prepared_ms : event.ms;
}
