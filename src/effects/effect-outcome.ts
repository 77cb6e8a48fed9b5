import type { ExportReport } from '../sync/export-jsonl';
import type { ImportReport } from '../sync/import-jsonl';

/**
 * The one vocabulary of sync results. The sync code returns a report; an effect passes its
 * result on unchanged as the outcome; the lane spreads the outcome into the event
 * (`import/done` is an {@link ImportResult} plus `type` and `batched`); the CLI prints the same
 * fields, whichever route (direct or daemon) it took. No field is renamed or dropped on the way.
 */

/** What an import that read the file found: counts, findings, hash and time. */
export type ImportResult = Omit<ImportReport, 'skipped'>;

/** What an export that wrote the file did; `merged` is the outside change it imported first. */
export type ExportResult = Omit<ExportReport, 'skipped'>;

/**
 * What an effect reports back to the pipeline: `done` with its result, or `skipped` with why.
 * Effects are `(request) => Observable<Outcome>` (built with `defer`), so the pipeline decides
 * when they run, tests can fake them, and unsubscribing cancels one that takes time.
 */
export type ExportOutcome =
  | ({ kind: 'done' } & ExportResult)
  | ({ kind: 'skipped'; reason: string } & Pick<ExportResult, 'merged' | 'indexed_ms'>);

export type ImportOutcome = ({ kind: 'done' } & ImportResult) | { kind: 'skipped'; reason: string };
