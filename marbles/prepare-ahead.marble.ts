import { filter } from 'rxjs';
import type { DaemonEvent } from '../src/events/daemon-event';
import { daemonPipeline } from '../src/pipeline/daemon-pipeline';
import type { DaemonDeps, DaemonSignal, DaemonSources, SyncTrigger, WatchEvent } from '../src/pipeline/daemon-sources';
import { exportRequests, prepareLeadFor } from '../src/pipeline/export-requests';
import type { DaemonEffectKind, LaneRequest } from '../src/pipeline/effect-kinds';
import { serialLane } from '../src/pipeline/serial-lane';
import {
  type EffectRun,
  exportDone,
  fakeEffects,
  type FakeEffects,
  importDone,
  isEffectEvent,
  isOutcomeOrLifecycle,
  mutation,
  overlaps,
  SETTINGS,
  sources,
  STOPPED,
  stopping,
  testScheduler,
} from './support/fake-daemon';

const m = { m: mutation('bd-a1b2') };
const c: Record<string, WatchEvent> = { c: { kind: 'change', path: '.beads/issues.jsonl' } };
const signals: Record<string, DaemonSignal> = { T: 'SIGTERM' };
/** A value every 100 ms for 5 s: at 0, 100, …, 4,900 ms (50 values). */
const EVERY_100MS_FOR_5S = 'm' + ' 99ms m'.repeat(49);

/** 500 ms debounce (the default), so the lead is 100 ms: prepare after 400 ms of quiet. */
const LEAD = prepareLeadFor(SETTINGS.debounceMs);

function pipeline(given: Partial<DaemonSources>, effects: FakeEffects, scheduler: DaemonDeps['scheduler']) {
  return daemonPipeline(sources(given), { ...SETTINGS, prepareLeadMs: LEAD, ...effects, scheduler });
}

const startsOf = (runs: EffectRun[], kind: EffectRun['kind']): number[] =>
  runs.filter((run) => run.kind === kind).map((run) => run.start);

describe('prepareLeadFor', () => {
  it('should lead by a fifth of the debounce, at most 100 ms, and not at all below 5 ms', () => {
    expect([500, 2000, 250, 40, 5, 4, 0].map(prepareLeadFor)).toEqual([100, 100, 50, 8, 1, 0, 0]);
  });
});

describe('exportRequests', () => {
  const timing = { debounceMs: 5, maxWaitMs: 9, prepareLeadMs: 2 };
  const requests: Record<string, LaneRequest<DaemonEffectKind>> = {
    p: { kind: 'prepare', batched: 1 },
    x: { kind: 'export', batched: 2 },
    y: { kind: 'export', batched: 5 },
    z: { kind: 'export', batched: 1 },
  };

  it('should behave as the diagram in its doc comment says (debounceMs 5, prepareLeadMs 2, maxWaitMs 9)', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const work = cold('-a-b--------c-c-c-c-c-c-------|');
      const expected = ' ------p-x------------y---p-z--|';
      expectObservable(work.pipe(exportRequests(timing, scheduler))).toBe(expected, requests);
    });
  });

  it('should complete without a request when there is no work', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('|').pipe(exportRequests(timing, scheduler))).toBe('|');
    });
  });

  it('should let a waiting export out at completion without its prepare', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const work = cold('-ab|');
      const expected = ' ---(x|)';
      expectObservable(work.pipe(exportRequests(timing, scheduler))).toBe(expected, requests);
    });
  });

  it('should ask for no prepare with a lead of 0 or a lead not shorter than the debounce', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const work = cold('-a-b-----|');
      const expected = ' --------x|';
      for (const prepareLeadMs of [0, 5, 7]) {
        expectObservable(work.pipe(exportRequests({ ...timing, prepareLeadMs }, scheduler))).toBe(expected, requests);
      }
    });
  });

  it('should drop the waiting export and prepare and pass an error on', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const work = cold('-a-#', undefined, new Error('store closed'));
      const expected = ' ---#';
      expectObservable(work.pipe(exportRequests(timing, scheduler))).toBe(expected, requests, new Error('store closed'));
    });
  });

  it('should ask for nothing and unsubscribe from the work when unsubscribed before the prepare', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const work = hot('-a-b-------|');
      const unsub = '   -----!';
      const subs = '    ^----!';
      expectObservable(work.pipe(exportRequests(timing, scheduler)), unsub).toBe('------', requests);
      expectSubscriptions(work.subscriptions).toBe(subs);
    });
  });
});

describe('serialLane with prepares', () => {
  const requests: Record<string, LaneRequest<DaemonEffectKind>> = {
    E: { kind: 'export', batched: 1 },
    I: { kind: 'import', batched: 1 },
    P: { kind: 'prepare', batched: 1 },
  };

  it('should behave as the diagram in its doc comment says: a prepare goes last, and a waiting export drops it', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler, { exportMs: 3, importMs: 3, prepareMs: 3 });
    scheduler.run(({ cold, expectObservable }) => {
      const request$ = cold('IP-E-P-----|', requests);
      const expected = '     ---i--e----|';
      expectObservable(request$.pipe(serialLane(effects))).toBe(expected, { i: importDone(1), e: exportDone(1) });
    });
    expect(effects.runs).toEqual([
      { kind: 'import', start: 0, end: 3 },
      { kind: 'export', start: 3, end: 6 },
      { kind: 'prepare', start: 6, end: 9 },
    ]);
  });

  it('should ignore a prepare that arrives while an export is waiting', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler, { importMs: 5 });
    scheduler.run(({ cold, expectObservable }) => {
      const request$ = cold('I-EP-------|', requests);
      const expected = '     -----(ie)--|';
      expectObservable(request$.pipe(serialLane(effects))).toBe(expected, { i: importDone(1), e: exportDone(1) });
    });
    expect(effects.runs.map((run) => run.kind)).toEqual(['import', 'export']);
  });

  it('should forget the waiting prepare and ignore later ones once stop$ emits, but still run the export', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler, { importMs: 5 });
    scheduler.run(({ cold, hot, expectObservable }) => {
      const request$ = cold('IP---P-E-|', requests);
      const drop$ = hot('    --x');
      const expected = '     -----i-e-|';
      expectObservable(request$.pipe(serialLane(effects, { stop$: drop$ }))).toBe(expected, {
        i: importDone(1),
        e: exportDone(1),
      });
    });
    expect(effects.runs).toEqual([
      { kind: 'import', start: 0, end: 5 },
      { kind: 'export', start: 7, end: 7 },
    ]);
  });

  it('should report nothing for a failing prepare and serve the next request normally', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler, {
      prepareMs: 1,
      prepareOutcome: () => {
        throw new Error('ENOSPC: no space left on device');
      },
    });
    scheduler.run(({ cold, expectObservable }) => {
      const request$ = cold('P-E|', requests);
      const expected = '     --e|';
      expectObservable(request$.pipe(serialLane(effects))).toBe(expected, { e: exportDone(1) });
    });
    expect(effects.runs).toEqual([
      { kind: 'prepare', start: 0, end: 1 },
      { kind: 'export', start: 2, end: 2 },
    ]);
  });
});

describe('prepare ahead (in the daemon pipeline, debounce 500 ms, lead 100 ms)', () => {
  it('should prepare 400 ms after the last mutation, export at 500 ms, and report only the export', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      const mutation$ = cold('1000ms m', m);
      const expected = '      (xy) 1496ms e';
      expectObservable(pipeline({ mutation$ }, effects, scheduler).pipe(filter(isOutcomeOrLifecycle))).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        e: exportDone(1),
      });
    });
    expect(startsOf(effects.runs, 'prepare')).toEqual([1400]);
    expect(startsOf(effects.runs, 'export')).toEqual([0, 1500]);
  });

  it('should prepare ahead of an explicit export request the same way', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      const trigger$ = cold<SyncTrigger>('1000ms t', { t: { kind: 'export', reason: 'rpc export' } });
      const expected = '                  (xy) 1496ms e';
      expectObservable(pipeline({ trigger$ }, effects, scheduler).pipe(filter(isEffectEvent))).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        e: exportDone(1),
      });
    });
    expect(startsOf(effects.runs, 'prepare')).toEqual([1400]);
  });

  it('should prepare again, and export once, when a mutation lands between the prepare and the deadline', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      const mutation$ = cold('1000ms m 449ms m', m);
      const expected = '      (xy) 1946ms e';
      expectObservable(pipeline({ mutation$ }, effects, scheduler).pipe(filter(isEffectEvent))).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        e: exportDone(2),
      });
    });
    expect(startsOf(effects.runs, 'prepare')).toEqual([1400, 1850]);
    expect(startsOf(effects.runs, 'export')).toEqual([0, 1950]);
  });

  it('should not prepare during a storm that never goes quiet (max-wait exports as before), only once it does', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      const mutation$ = cold(EVERY_100MS_FOR_5S, m);
      const expected = '(xy) 1996ms a 2099ms b 1299ms c';
      expectObservable(pipeline({ mutation$ }, effects, scheduler).pipe(filter(isEffectEvent))).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        a: exportDone(21),
        b: exportDone(21),
        c: exportDone(8),
      });
    });
    expect(startsOf(effects.runs, 'export')).toEqual([0, 2000, 4100, 5400]);
    expect(startsOf(effects.runs, 'prepare')).toEqual([5300]);
  });

  it('should export at once without a prepare when stopped before the prepare is due', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      const mutation$ = cold('1000ms m', m);
      const signal$ = cold('  1200ms T', signals);
      const expected = '      (xy) 1196ms (sez|)';
      expectObservable(pipeline({ mutation$, signal$ }, effects, scheduler).pipe(filter(isOutcomeOrLifecycle))).toBe(
        expected,
        { x: exportDone(1), y: importDone(1), s: stopping(), e: exportDone(1), z: STOPPED },
      );
    });
    expect(startsOf(effects.runs, 'prepare')).toEqual([]);
    expect(startsOf(effects.runs, 'export')).toEqual([0, 1200]);
  });

  it('should drop a prepare waiting behind an import when stopped, and run the flushed export after the import', () => {
    const scheduler = testScheduler();
    // The change at 900 ms imports from 1,400 to 2,000 ms; the prepare asked for at 1,400 waits.
    const effects = fakeEffects(scheduler, { importMs: 600 });
    scheduler.run(({ cold, expectObservable }) => {
      const fileChange$ = cold('900ms c', c);
      const mutation$ = cold('  1000ms m', m);
      const signal$ = cold('    1450ms T', signals);
      const expected = '        x 599ms y 849ms s 549ms (iez|)';
      const out$ = pipeline({ fileChange$, mutation$, signal$ }, effects, scheduler);
      expectObservable(out$.pipe(filter(isOutcomeOrLifecycle))).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        s: stopping(),
        i: importDone(1),
        e: exportDone(1),
        z: STOPPED,
      });
    });
    expect(effects.runs.slice(2)).toEqual([
      { kind: 'import', start: 1400, end: 2000 },
      { kind: 'export', start: 2000, end: 2000 },
    ]);
  });

  it('should not start a prepare while an import runs, only after it', () => {
    const scheduler = testScheduler();
    // The change at 800 ms imports from 1,300 to 1,450 ms; the prepare is due at 1,400.
    const effects = fakeEffects(scheduler, { importMs: 150 });
    scheduler.run(({ cold, expectObservable }) => {
      const fileChange$ = cold('800ms c', c);
      const mutation$ = cold('  1000ms m', m);
      const expected = '        x 149ms y 1299ms i 49ms e';
      const out$ = pipeline({ fileChange$, mutation$ }, effects, scheduler);
      expectObservable(out$.pipe(filter(isEffectEvent))).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        i: importDone(1),
        e: exportDone(1),
      });
    });
    expect(effects.runs.slice(2)).toEqual([
      { kind: 'import', start: 1300, end: 1450 },
      { kind: 'prepare', start: 1450, end: 1450 },
      { kind: 'export', start: 1500, end: 1500 },
    ]);
    expect(overlaps(effects.runs)).toEqual([]);
  });

  it('should drop a prepare still waiting behind an import when the export request comes', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler, { importMs: 600 });
    scheduler.run(({ cold, expectObservable }) => {
      const fileChange$ = cold('900ms c', c);
      const mutation$ = cold('  1000ms m', m);
      const expected = '        x 599ms y 1399ms (ie)';
      const out$ = pipeline({ fileChange$, mutation$ }, effects, scheduler);
      expectObservable(out$.pipe(filter(isEffectEvent))).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        i: importDone(1),
        e: exportDone(1),
      });
    });
    expect(effects.runs.slice(2)).toEqual([
      { kind: 'import', start: 1400, end: 2000 },
      { kind: 'export', start: 2000, end: 2000 },
    ]);
  });

  it('should make the export wait for a prepare that runs past the deadline, never overlapping it', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler, { prepareMs: 150 });
    scheduler.run(({ cold, expectObservable }) => {
      const mutation$ = cold('1000ms m', m);
      const expected = '      (xy) 1546ms e';
      expectObservable(pipeline({ mutation$ }, effects, scheduler).pipe(filter(isEffectEvent))).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        e: exportDone(1),
      });
    });
    expect(effects.runs.slice(2)).toEqual([
      { kind: 'prepare', start: 1400, end: 1550 },
      { kind: 'export', start: 1550, end: 1550 },
    ]);
  });

  it('should report nothing for a failing prepare, and export/done from the export that follows', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler, {
      prepareMs: 30,
      prepareOutcome: () => {
        throw new Error('EIO: i/o error, fsync');
      },
    });
    scheduler.run(({ cold, expectObservable }) => {
      const mutation$ = cold('1000ms m', m);
      const expected = '      (xy) 1496ms e';
      const events: Record<string, DaemonEvent> = { x: exportDone(1), y: importDone(1), e: exportDone(1) };
      expectObservable(pipeline({ mutation$ }, effects, scheduler).pipe(filter(isOutcomeOrLifecycle))).toBe(expected, events);
    });
    expect(effects.runs.slice(2)).toEqual([
      { kind: 'prepare', start: 1400, end: 1430 },
      { kind: 'export', start: 1500, end: 1500 },
    ]);
  });

  it('should prepare nothing when every source is empty', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      const empty = () => cold<never>('|');
      const out$ = pipeline({ fileChange$: empty(), mutation$: empty(), signal$: empty(), trigger$: empty() }, effects, scheduler);
      expectObservable(out$).toBe('(xyz|)', { x: exportDone(1), y: importDone(1), z: STOPPED });
    });
    expect(effects.runs.map((run) => run.kind)).toEqual(['export', 'import']);
  });

  it('should cancel the prepare in flight and export nothing when unsubscribed during it', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler, { prepareMs: 200 });
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const mutation$ = hot('1000ms m', m);
      const unsub = '        1550ms !';
      const subs = '         ^ 1549ms !';
      expectObservable(pipeline({ mutation$ }, effects, scheduler).pipe(filter(isEffectEvent)), unsub).toBe('(xy)', {
        x: exportDone(1),
        y: importDone(1),
      });
      expectSubscriptions(mutation$.subscriptions).toBe(subs);
    });
    expect(effects.runs.slice(2)).toEqual([{ kind: 'prepare', start: 1400, end: 1550 }]);
  });
});
