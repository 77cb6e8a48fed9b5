import { defer, finalize, map, NEVER, type Observable, of, type SchedulerLike, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { ExportOutcome, ImportOutcome, ImportResult } from '../../src/effects/effect-outcome';
import type { DaemonEvent } from '../../src/events/daemon-event';
import type { GitOutcome } from '../../src/git/effects/git-outcome';
import { isEffectEvent as isEffectEventOfTable } from '../../src/events/describe-effect';
import type { DaemonDeps, DaemonSettings, DaemonSources, Mutation } from '../../src/pipeline/daemon-sources';
import {
  DAEMON_EFFECT_KINDS,
  type DaemonEffectKind,
  type EffectRunners,
  type DaemonEffectKinds,
  type OutcomeOf,
} from '../../src/pipeline/effect-kinds';

/**
 * The documented defaults: 500 ms debounce, 2 s max wait, 5 s polling, fallback on; and no
 * prepare ahead of exports (`prepareLeadMs` 0), which prepare-ahead.marble.ts turns on.
 */
export const SETTINGS: DaemonSettings & Pick<DaemonDeps, 'prepareLeadMs'> = {
  mode: 'events',
  debounceMs: 500,
  maxWaitMs: 2000,
  pollIntervalMs: 5000,
  watcherFallback: true,
  prepareLeadMs: 0,
};

export function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/** One run of a fake effect, in virtual ms. `end` is when it finished, failed or was cancelled. */
export interface EffectRun {
  kind: DaemonEffectKind;
  start: number;
  end: number | undefined;
}

/**
 * Per kind of the lane's table: `<kind>Ms`, the virtual duration of each run (0, the default,
 * finishes synchronously), and `<kind>Outcome`, the outcome of the n-th run (0-based; throw to
 * make that run fail).
 */
export type FakeEffectOptions = {
  [K in DaemonEffectKind as `${K}Ms`]?: number;
} & {
  [K in DaemonEffectKind as `${K}Outcome`]?: (n: number) => OutcomeOf<DaemonEffectKinds[K]>;
};

export type FakeEffects = { effects: EffectRunners<DaemonEffectKinds>; runs: EffectRun[] };

/** What the fake git runner reports by default: a commit of the JSONL. */
export const COMMITTED: GitOutcome = { kind: 'committed', sha: 'c0ffee', issues: 3 };

export const EXPORTED: ExportOutcome = { kind: 'done', issues: 3, bytes: 420, ms: 0 };

/** What an import with nothing to report besides its counts found. */
export const IMPORT_RESULT: ImportResult = {
  created: 1,
  updated: 2,
  deleted: 0,
  unchanged: 7,
  kept_local: [],
  overwritten_local: [],
  duplicates: [],
  warnings: { unknown_status: 0, unknown_type: 0, unusual_priority: 0, future_timestamp: 0, bad_timestamp: 0 },
  needs_export: false,
  hash: 'h',
  ms: 0,
};
export const IMPORTED: ImportOutcome = { kind: 'done', ...IMPORT_RESULT };

const DEFAULT_OUTCOMES: { [K in DaemonEffectKind]: (n: number) => OutcomeOf<DaemonEffectKinds[K]> } = {
  export: () => EXPORTED,
  import: () => IMPORTED,
  prepare: () => undefined,
  git: () => COMMITTED,
};

/** Effects that take virtual time and record when each run started and ended: one per kind of the table. */
export function fakeEffects(scheduler: SchedulerLike, options: FakeEffectOptions = {}): FakeEffects {
  const runs: EffectRun[] = [];
  const fake = <K extends DaemonEffectKind>(kind: K) => {
    const ms = (options as Record<string, number | undefined>)[`${kind}Ms`] ?? 0;
    const outcome =
      ((options as Record<string, unknown>)[`${kind}Outcome`] as ((n: number) => unknown) | undefined) ?? DEFAULT_OUTCOMES[kind];
    return () =>
      defer(() => {
        const n = runs.filter((run) => run.kind === kind).length;
        const run: EffectRun = { kind, start: scheduler.now(), end: undefined };
        runs.push(run);
        const done$: Observable<unknown> = ms === 0 ? of(0) : timer(ms, scheduler);
        return done$.pipe(
          map(() => outcome(n)),
          finalize(() => (run.end = scheduler.now())),
        );
      });
  };
  const kinds = Object.keys(DAEMON_EFFECT_KINDS) as DaemonEffectKind[];
  const effects = Object.fromEntries(kinds.map((kind) => [kind, fake(kind)])) as unknown as EffectRunners<DaemonEffectKinds>;
  return { runs, effects };
}

/** Sources that stay silent (and open) unless given. */
export function sources(given: Partial<DaemonSources> = {}): DaemonSources {
  return { fileChange$: NEVER, mutation$: NEVER, signal$: NEVER, trigger$: NEVER, ...given };
}

export function mutation(id: string, op = 'update'): Mutation {
  return { op, id, at: 0 };
}

export const exportDone = (batched: number): DaemonEvent => ({
  type: 'export/done',
  issues: 3,
  bytes: 420,
  ms: 0,
  batched,
});

export const importDone = (batched: number): DaemonEvent => ({ type: 'import/done', ...IMPORT_RESULT, batched });

export const stopping = (signal = 'SIGTERM'): DaemonEvent => ({ type: 'daemon/stopping', signal });
export const STOPPED: DaemonEvent = { type: 'daemon/stopped' };

/** Effect outcomes plus the lifecycle events: what these tests assert on, minus the echo of inputs. */
export function isOutcomeOrLifecycle(event: DaemonEvent): boolean {
  return !['fs/changed', 'store/mutated', 'sync/requested'].includes(event.type);
}

export function isEffectEvent(event: DaemonEvent): boolean {
  return isEffectEventOfTable(event);
}

/** The pairs of effect runs that overlapped in virtual time (a run that never ended overlaps every later one). */
export function overlaps(runs: EffectRun[]): Array<[EffectRun, EffectRun]> {
  const found: Array<[EffectRun, EffectRun]> = [];
  runs.forEach((a, i) =>
    runs.slice(i + 1).forEach((b) => {
      if (a.end === undefined || b.start < a.end) found.push([a, b]);
    }),
  );
  return found;
}
