import type { Observable } from 'rxjs';
import type { ExportOutcome, ImportOutcome } from '../effects/effect-outcome';
import type { GitOutcome } from '../git/effects/git-outcome';

/**
 * How the serial lane treats one kind of effect. Everything kind-specific about running
 * effects is a row of a {@link LaneTable}: the lane, the request and event types, the event
 * formatter, the stats and the marble tests' fake effects all read the table, so a new kind
 * (git commit, pull, push) is one row here plus its effect file.
 */
export interface EffectKind<O extends { kind: string } | void> {
  /** Lower runs first when several kinds are pending. */
  priority: number;
  /**
   * Once the daemon stops, a pending request of this kind is forgotten and later ones are
   * ignored. Otherwise the pending request still runs before the daemon exits.
   */
  dropOnStop: boolean;
  /**
   * Kinds whose request, pending or arriving, makes a pending one of this kind pointless (it
   * is dropped, and a new one is not taken while such a request is pending).
   */
  supersededBy?: readonly string[];
  /** false: a run reports nothing (no event, and a failure is dropped). */
  reported: boolean;
  /** Type-level only: what the kind's effect reports. */
  readonly outcome?: O;
}

/** Declares a row; the type argument is the outcome the kind's effect reports (void: none). */
export function effectKind<O extends { kind: string } | void>(row: Omit<EffectKind<O>, 'outcome'>): EffectKind<O> {
  return row;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type LaneTable = Record<string, EffectKind<any>>;

/**
 * The daemon's effects. Pending requests of one kind always merge into one run serving all of
 * them (`batched` adds up, `ids` join), because every run of a kind does the whole job.
 *
 * | kind    | priority | on stop | reported | note                                          |
 * |---------|----------|---------|----------|-----------------------------------------------|
 * | export  | 0        | runs    | yes      | local writes are the newer truth: first        |
 * | import  | 1        | dropped | yes      | the next start imports a changed JSONL anyway  |
 * | prepare | 2        | dropped | no       | superseded by an export, which does its work   |
 * | git     | 3        | dropped | yes      | commit/pull/push (src/git/effects); the next start syncs |
 */
export const DAEMON_EFFECT_KINDS = {
  export: effectKind<ExportOutcome>({ priority: 0, dropOnStop: false, reported: true }),
  import: effectKind<ImportOutcome>({ priority: 1, dropOnStop: true, reported: true }),
  prepare: effectKind<void>({ priority: 2, dropOnStop: true, reported: false, supersededBy: ['export'] }),
  git: effectKind<GitOutcome>({ priority: 3, dropOnStop: true, reported: true }),
};

export type DaemonEffectKinds = typeof DAEMON_EFFECT_KINDS;

export type OutcomeOf<R> = R extends EffectKind<infer O> ? O : never;

/** The kinds of a table whose runs are reported as events. */
export type ReportedKind<T extends LaneTable> = {
  [K in keyof T & string]: OutcomeOf<T[K]> extends void ? never : K;
}[keyof T & string];

/** A request for one run of an effect, serving `batched` triggers and the explicit requests `ids`. */
export interface LaneRequest<K extends string = string> {
  kind: K;
  batched: number;
  /** The explicit requests (RPC `import`/`export`, …) this run answers; absent when none. */
  ids?: readonly number[];
}

/** Runs one effect of kind K: may take time, is cancelled by unsubscribing, never needs to error. */
export type EffectRunner<R> = (request: LaneRequest) => Observable<OutcomeOf<R>>;

export type EffectRunners<T extends LaneTable> = { [K in keyof T & string]: EffectRunner<T[K]> };

/** How many triggers (mutations, file changes, ticks, explicit requests) a run served. */
export interface Batched {
  batched: number;
  /** The ids of the explicit requests the run answered (see {@link LaneRequest}). */
  requests?: readonly number[];
}

/** A run that failed: the error's message and code, and the JSONL line it stopped at if any. */
export interface EffectFailure {
  error: string;
  /** The error's `code` (`ENOSPC`, …), else its class name (`JsonlLineError`), else `EEFFECT`. */
  code: string;
  line?: number;
}

type EventOfOutcome<K extends string, O> = O extends { kind: infer V extends string }
  ? { type: `${K}/${V}` } & Omit<O, 'kind'> & Batched
  : never;

/** The events a run of kind K can end in: its outcomes as `K/<outcome kind>`, and `K/failed`. */
export type EffectEventOfKind<T extends LaneTable, K extends ReportedKind<T>> =
  | EventOfOutcome<K, OutcomeOf<T[K]>>
  | ({ type: `${K}/failed` } & EffectFailure & Batched);

export type EffectEventOf<T extends LaneTable> = { [K in ReportedKind<T>]: EffectEventOfKind<T, K> }[ReportedKind<T>];

/** The daemon's effect events: `export/done`, `export/skipped`, `export/failed`, `import/…`. */
export type EffectEvent = EffectEventOf<DaemonEffectKinds>;

export type DaemonEffectKind = keyof DaemonEffectKinds & string;
/** The kinds that can be asked for explicitly (and answered). */
export type SyncKind = ReportedKind<DaemonEffectKinds>;
