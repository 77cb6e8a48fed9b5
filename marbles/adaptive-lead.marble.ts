import type { DaemonEvent } from '../src/events/daemon-event';
import { adaptiveLead, leadFor } from '../src/pipeline/adaptive-lead';
import type { LaneRequest } from '../src/pipeline/effect-kinds';
import { exportRequests } from '../src/pipeline/export-requests';
import { exportCostOf } from '../src/pipeline/feedback';
import { filter } from 'rxjs';
import { daemonPipeline } from '../src/pipeline/daemon-pipeline';
import { EXPORTED, exportDone, fakeEffects, importDone, isEffectEvent, mutation, SETTINGS, sources, testScheduler } from './support/fake-daemon';

describe('leadFor', () => {
  it('should use the fixed lead before any prepare was measured, and while prepares stay cheap', () => {
    expect(leadFor([], 500, 100)).toBe(100);
    expect(leadFor([20, 25, 18], 500, 100)).toBe(100);
  });

  it('should follow the slowest of the last five prepares, doubled, plus 20 ms', () => {
    expect(leadFor([150], 500, 100)).toBe(320);
    expect(leadFor([300, 900, 10, 10, 10, 10, 10], 2000, 100)).toBe(100);
    expect(leadFor([300, 700, 10, 10, 10], 2000, 100)).toBe(1420);
  });

  it('should leave at least a tenth of the debounce (20 ms or more) of quiet before a prepare', () => {
    expect(leadFor([5000], 500, 100)).toBe(450);
    expect(leadFor([5000], 100, 20)).toBe(80);
    expect(leadFor([5000], 10, 0)).toBe(0);
  });
});

describe('adaptiveLead', () => {
  const costs = { a: 100, b: 150, c: 40, d: 5000 };
  const leads = { L: 100, M: 220, N: 320, X: 450 };

  it('should behave as the diagram in its doc comment says', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const cost = cold(' ----a--------b-----c-----|', costs);
      const expected = '  L---M--------N-----------|';
      expectObservable(cost.pipe(adaptiveLead(500, 100))).toBe(expected, leads);
    });
  });

  it('should give the fixed lead at once and keep it when nothing is measured (empty, never-ending)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<number>('|').pipe(adaptiveLead(500, 100))).toBe('(L|)', leads);
      expectObservable(cold<number>('-').pipe(adaptiveLead(500, 100))).toBe('L', leads);
    });
  });

  it('should cap a very slow prepare, and come back down once it has left the window', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const cost = cold(' -d-c-c-c-c-c-|', costs);
      const expected = '  LX---------L-|';
      expectObservable(cost.pipe(adaptiveLead(500, 100))).toBe(expected, leads);
    });
  });

  it('should pass an error of the costs on, and stop at an early unsubscribe', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-#', costs).pipe(adaptiveLead(500, 100))).toBe('LM-#', leads);
      expectObservable(cold('-a---b-|', costs).pipe(adaptiveLead(500, 100)), '^--!').toBe('LM--', leads);
    });
  });
});

describe('exportRequests with a moving lead', () => {
  const timing = { debounceMs: 10, maxWaitMs: 30, prepareLeadMs: 2 };
  const requests: Record<string, LaneRequest> = { p: { kind: 'prepare', batched: 1 }, x: { kind: 'export', batched: 1 } };

  it('should arm each prepare timer with the latest lead (2, then 6 ms before a 10 ms deadline)', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, hot, expectObservable }) => {
      const lead = hot('     a------------b-----------', { a: 2, b: 6 });
      const work = cold('    -w------------------w---------|');
      const expected = '     ---------p-x------------p-----(x|)';
      expectObservable(work.pipe(exportRequests(timing, scheduler, () => undefined, lead))).toBe(expected, requests);
    });
  });

  it('should ask for no prepare while the lead is 0 or not less than the debounce', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, hot, expectObservable }) => {
      const lead = hot('     a-------', { a: 10 });
      const work = cold('    -w-----------|');
      const expected = '     -----------x-|';
      expectObservable(work.pipe(exportRequests(timing, scheduler, () => undefined, lead))).toBe(expected, requests);
    });
  });
});

describe('exportCostOf', () => {
  const done = { type: 'export/done' as const, issues: 1, bytes: 10, ms: 3, batched: 1 };
  it('should take the prepare time of a staged export, the own time of another, and nothing of a merge', () => {
    expect(exportCostOf({ ...done, staged: true, prepared_ms: 310 } as DaemonEvent)).toBe(310);
    expect(exportCostOf(done as DaemonEvent)).toBe(3);
    expect(exportCostOf({ ...done, merged: {} } as unknown as DaemonEvent)).toBeUndefined();
    expect(exportCostOf({ type: 'export/skipped', reason: 'no local changes', batched: 1 } as DaemonEvent)).toBeUndefined();
  });

  it('should estimate a prepare as twice the indexing of a skipped export that built the line index', () => {
    const skipped = { type: 'export/skipped' as const, reason: 'no local changes', batched: 1 };
    expect(exportCostOf({ ...skipped, indexed_ms: 150 } as DaemonEvent)).toBe(2 * 150);
    expect(exportCostOf({ ...skipped, indexed_ms: 150, merged: {} } as unknown as DaemonEvent)).toBeUndefined();
  });
});

describe('the write-ahead lead after a start-up export that indexed the file (debounce 500 ms, fixed lead 100 ms)', () => {
  const m = { m: mutation('bd-a1b2') };
  const indexedAtStart = (scheduler: ReturnType<typeof testScheduler>, ms: number) =>
    fakeEffects(scheduler, {
      exportOutcome: (n) => (n === 0 ? { kind: 'skipped', reason: 'no local changes', indexed_ms: ms } : EXPORTED),
    });

  it('should arm the first prepare with the lead that estimate gives, not the fixed one', () => {
    const scheduler = testScheduler();
    // 2 × 100 = 200 ms estimated: lead 2 × 200 + 20 = 420 ms, so the prepare runs 80 ms after the write.
    const effects = indexedAtStart(scheduler, 100);
    scheduler.run(({ cold, expectObservable }) => {
      const mutation$ = cold('1000ms m', m);
      const expected = '      (xy) 1496ms e';
      const events$ = daemonPipeline(sources({ mutation$ }), { ...SETTINGS, prepareLeadMs: 100, ...effects, scheduler });
      expectObservable(events$.pipe(filter(isEffectEvent))).toBe(expected, {
        x: { type: 'export/skipped', reason: 'no local changes', indexed_ms: 100, batched: 1 },
        y: importDone(1),
        e: exportDone(1),
      });
    });
    expect(effects.runs.filter((r) => r.kind === 'prepare').map((r) => r.start)).toEqual([1080]);
  });

  it('should keep the fixed lead when indexing at start-up was cheap (small files stay at 100 ms)', () => {
    const scheduler = testScheduler();
    const effects = indexedAtStart(scheduler, 10); // 20 ms estimated: below the fixed lead
    scheduler.run(({ cold, expectObservable }) => {
      const mutation$ = cold('1000ms m', m);
      const events$ = daemonPipeline(sources({ mutation$ }), { ...SETTINGS, prepareLeadMs: 100, ...effects, scheduler });
      expectObservable(events$.pipe(filter(isEffectEvent), filter((e) => e.type === 'export/done'))).toBe('1500ms e', { e: exportDone(1) });
    });
    expect(effects.runs.filter((r) => r.kind === 'prepare').map((r) => r.start)).toEqual([1400]);
  });
});
