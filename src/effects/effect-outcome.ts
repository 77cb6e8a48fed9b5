import type { ImportDetails, MergedFirst } from '../events/daemon-event';

/**
 * What an effect reports back to the pipeline. Effects are `() => Observable<Outcome>`
 * (built with `defer`), so the pipeline decides when they run and tests can fake them.
 */
export type ExportOutcome =
  /** `staged`: the file a prepare wrote ahead was renamed into place (see `stageExport`). */
  | ({ kind: 'done'; issues: number; bytes: number; ms: number; staged?: true } & MergedFirst)
  | ({ kind: 'skipped'; reason: string } & MergedFirst);

export type ImportOutcome =
  | ({ kind: 'done'; created: number; updated: number; deleted: number; unchanged: number; ms: number } & ImportDetails)
  | { kind: 'skipped'; reason: string };

/** An effect failure that can name a JSONL line (conflict markers, bad JSON). */
export interface EffectErrorInfo {
  message: string;
  line?: number;
}
