import { concat, EMPTY, NEVER, of } from 'rxjs';
import type { DaemonEvent } from '../src/events/daemon-event';
import type { DaemonEffectKind, LaneRequest } from '../src/pipeline/effect-kinds';
import { serialLane } from '../src/pipeline/serial-lane';
import { EXPORTED, exportDone, fakeEffects, importDone, overlaps, testScheduler } from './support/fake-daemon';

const requests: Record<string, LaneRequest<DaemonEffectKind>> = {
  E: { kind: 'export', batched: 1 },
  I: { kind: 'import', batched: 1 },
};

describe('serialLane', () => {
  it('should behave as the diagram in its doc comment says: one at a time, coalesced, export first', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler, { exportMs: 5, importMs: 5 });
    scheduler.run(({ cold, expectObservable }) => {
      const request$ = cold('EIEIE-----|', requests);
      const expected = '     -----a----b----(c|)';
      expectObservable(request$.pipe(serialLane(effects))).toBe(expected, {
        a: exportDone(1),
        b: exportDone(2),
        c: importDone(2),
      });
    });
    expect(effects.runs).toEqual([
      { kind: 'export', start: 0, end: 5 },
      { kind: 'export', start: 5, end: 10 },
      { kind: 'import', start: 10, end: 15 },
    ]);
    expect(overlaps(effects.runs)).toEqual([]);
  });

  it('should complete at once and run nothing when there are no requests', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      const request$ = cold('|', requests);
      const expected = '     |';
      expectObservable(request$.pipe(serialLane(effects))).toBe(expected);
    });
    expect(effects.runs).toEqual([]);
  });

  it('should run a single request and complete only after its effect finished', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler, { exportMs: 5 });
    scheduler.run(({ cold, expectObservable }) => {
      const request$ = cold('-E--|', requests);
      const expected = '     ------(a|)';
      expectObservable(request$.pipe(serialLane(effects))).toBe(expected, { a: exportDone(1) });
    });
  });

  it('should keep serving a never-ending request stream without completing', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const request$ = hot('-E-I-E-', requests);
      const subs = '        ^';
      const expected = '    -a-b-a-';
      expectObservable(request$.pipe(serialLane(effects))).toBe(expected, { a: exportDone(1), b: importDone(1) });
      expectSubscriptions(request$.subscriptions).toBe(subs);
    });
  });

  it('should report a failing effect as export/failed and serve the next request normally', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler, {
      exportOutcome: (n) => {
        if (n === 0) throw new Error('ENOSPC: no space left on device');
        return EXPORTED;
      },
    });
    scheduler.run(({ cold, expectObservable }) => {
      const request$ = cold('-E--E--|', requests);
      const expected = '     -f--a--|';
      expectObservable(request$.pipe(serialLane(effects))).toBe(expected, {
        f: { type: 'export/failed', error: 'ENOSPC: no space left on device', code: 'EEFFECT', batched: 1 },
        a: exportDone(1),
      });
    });
  });

  it('should copy the JSONL line of a failed import into import/failed.line', () => {
    const scheduler = testScheduler();
    const conflict = Object.assign(new Error('issues.jsonl line 224 is a git conflict marker'), { line: 224 });
    const effects = fakeEffects(scheduler, {
      importOutcome: (n) => {
        throw n === 0 ? conflict : 'database is locked';
      },
    });
    scheduler.run(({ cold, expectObservable }) => {
      const request$ = cold('-I-I-|', requests);
      const expected = '     -f-g-|';
      expectObservable(request$.pipe(serialLane(effects))).toBe(expected, {
        f: { type: 'import/failed', error: 'issues.jsonl line 224 is a git conflict marker', code: 'EEFFECT', line: 224, batched: 1 },
        g: { type: 'import/failed', error: 'database is locked', code: 'EEFFECT', batched: 1 },
      });
    });
  });

  it('should report an effect that completes without an outcome as failed, and one that stays open after its outcome as done', () => {
    const scheduler = testScheduler();
    let runs = 0;
    const effects = {
      effects: {
        export: () => (runs++ === 0 ? EMPTY : concat(of(EXPORTED), NEVER)),
        import: () => NEVER,
        prepare: () => EMPTY,
      },
    };
    scheduler.run(({ cold, expectObservable }) => {
      const request$ = cold('-E-E-E|', requests);
      const expected = '     -f-a-a|';
      expectObservable(request$.pipe(serialLane(effects))).toBe(expected, {
        f: { type: 'export/failed', error: 'export effect completed without reporting an outcome', code: 'EEFFECT', batched: 1 },
        a: exportDone(1),
      });
    });
  });

  it('should pass a request-stream error on at once and cancel the effect in flight', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler, { exportMs: 5 });
    scheduler.run(({ cold, expectObservable }) => {
      const request$ = cold('E-#', requests, new Error('request source broke'));
      const expected = '     --#';
      expectObservable(request$.pipe(serialLane(effects))).toBe(expected, undefined, new Error('request source broke'));
    });
    expect(effects.runs).toEqual([{ kind: 'export', start: 0, end: 2 }]);
  });

  it('should cancel the effect in flight, start no pending one and unsubscribe when unsubscribed early', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler, { exportMs: 5 });
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const request$ = hot('EI-------|', requests);
      const subs = '        ^--!';
      const unsub = '       ---!';
      const expected = '    ----';
      expectObservable(request$.pipe(serialLane(effects)), unsub).toBe(expected);
      expectSubscriptions(request$.subscriptions).toBe(subs);
    });
    expect(effects.runs).toEqual([{ kind: 'export', start: 0, end: 3 }]);
  });

  it('should drop the pending import and ignore later imports once stop$ emits, but still run the export', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler, { exportMs: 5, importMs: 5 });
    scheduler.run(({ cold, hot, expectObservable }) => {
      const request$ = cold('EI--IE---|', requests);
      const drop$ = hot('    --x');
      const expected = '     -----a----(b|)';
      expectObservable(request$.pipe(serialLane(effects, { stop$: drop$ }))).toBe(expected, {
        a: exportDone(1),
        b: exportDone(1),
      });
    });
    expect(effects.runs.map((run) => run.kind)).toEqual(['export', 'export']);
  });

  it('should add up the batched counts of coalesced requests', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler, { importMs: 4 });
    const values: Record<string, LaneRequest<DaemonEffectKind>> = {
      i: { kind: 'import', batched: 1 },
      j: { kind: 'import', batched: 30 },
      k: { kind: 'import', batched: 12 },
    };
    scheduler.run(({ cold, expectObservable }) => {
      const request$ = cold('ijk-|', values);
      const expected = '     ----a---(b|)';
      const outcomes: Record<string, DaemonEvent> = { a: importDone(1), b: importDone(42) };
      expectObservable(request$.pipe(serialLane(effects))).toBe(expected, outcomes);
    });
  });
});
