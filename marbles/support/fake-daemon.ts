import { defer, finalize, map, NEVER, type Observable, of, type SchedulerLike, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { ExportOutcome, ImportOutcome } from '../../src/effects/effect-outcome';
import type { DaemonEvent } from '../../src/events/daemon-event';
import type { DaemonDeps, DaemonSettings, DaemonSources, Mutation } from '../../src/pipeline/daemon-sources';
import type { LaneEffects } from '../../src/pipeline/serial-lane';

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
  kind: 'export' | 'import' | 'prepare';
  start: number;
  end: number | undefined;
}

export interface FakeEffectOptions {
  /** Virtual duration of each run; 0 (the default) finishes synchronously. */
  exportMs?: number;
  importMs?: number;
  prepareMs?: number;
  /** The outcome of the n-th run (0-based); throw to make that run fail. */
  exportOutcome?: (n: number) => ExportOutcome;
  importOutcome?: (n: number) => ImportOutcome;
  /** Called at the end of the n-th prepare (0-based); throw to make that run fail. */
  prepareOutcome?: (n: number) => void;
}

export type FakeEffects = LaneEffects & { runs: EffectRun[] };

export const EXPORTED: ExportOutcome = { kind: 'done', issues: 3, bytes: 420, ms: 0 };
export const IMPORTED: ImportOutcome = { kind: 'done', created: 1, updated: 2, deleted: 0, unchanged: 7, ms: 0 };

/** Effects that take virtual time and record when each run started and ended. */
export function fakeEffects(scheduler: SchedulerLike, options: FakeEffectOptions = {}): FakeEffects {
  const runs: EffectRun[] = [];
  const fake = <T>(kind: EffectRun['kind'], ms: number, outcome: (n: number) => T) => () =>
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
  return {
    runs,
    runExport: fake('export', options.exportMs ?? 0, options.exportOutcome ?? (() => EXPORTED)),
    runImport: fake('import', options.importMs ?? 0, options.importOutcome ?? (() => IMPORTED)),
    runPrepareExport: fake('prepare', options.prepareMs ?? 0, options.prepareOutcome ?? (() => undefined)),
  };
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

export const importDone = (batched: number): DaemonEvent => ({
  type: 'import/done',
  created: 1,
  updated: 2,
  deleted: 0,
  unchanged: 7,
  ms: 0,
  batched,
});

export const stopping = (signal = 'SIGTERM'): DaemonEvent => ({ type: 'daemon/stopping', signal });
export const STOPPED: DaemonEvent = { type: 'daemon/stopped' };

/** Effect outcomes plus the lifecycle events: what these tests assert on, minus the echo of inputs. */
export function isOutcomeOrLifecycle(event: DaemonEvent): boolean {
  return !['fs/changed', 'store/mutated', 'sync/requested'].includes(event.type);
}

export function isEffectEvent(event: DaemonEvent): boolean {
  return event.type.startsWith('export/') || event.type.startsWith('import/');
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
