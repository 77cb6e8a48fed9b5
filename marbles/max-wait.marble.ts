import { filter } from 'rxjs';
import { daemonPipeline } from '../src/pipeline/daemon-pipeline';
import type { WatchEvent } from '../src/pipeline/daemon-sources';
import {
  exportDone,
  fakeEffects,
  importDone,
  isEffectEvent,
  isOutcomeOrLifecycle,
  mutation,
  SETTINGS,
  sources,
  STOPPED,
  testScheduler,
} from './support/fake-daemon';

/** A value every 100 ms for 5 s: at 0, 100, …, 4,900 ms (50 values). */
const EVERY_100MS_FOR_5S = 'm' + ' 99ms m'.repeat(49);
const m = { m: mutation('bd-a1b2') };

describe('max wait', () => {
  it('should export at least every 2,000 ms (counted from the first waiting mutation) during a storm that never goes quiet, plus once after it', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      const mutation$ = cold(EVERY_100MS_FOR_5S, m);
      // A mutation landing exactly on the 2,000 ms deadline still makes that export.
      const expected = '(xy) 1996ms a 2099ms b 1299ms c';
      const out$ = daemonPipeline(sources({ mutation$ }), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$.pipe(filter(isEffectEvent))).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        a: exportDone(21),
        b: exportDone(21),
        c: exportDone(8),
      });
    });
    const exportStarts = effects.runs.filter((run) => run.kind === 'export').map((run) => run.start);
    expect(exportStarts).toEqual([0, 2000, 4100, 5400]);
    // What max wait promises: no mutation waits longer than 2,000 ms for the export that serves
    // it. (The gap between two exports can reach 2,000 ms plus one trigger spacing.)
    const mutationTimes = Array.from({ length: 50 }, (_, i) => i * 100);
    const waits = mutationTimes.map((at) => (exportStarts.slice(1).find((start) => start >= at) ?? Infinity) - at);
    expect(Math.max(...waits)).toBe(2000);
    // The trailing export is the ordinary debounce: 500 ms after the last mutation at 4,900 ms.
    expect(exportStarts[exportStarts.length - 1]).toBe(4900 + SETTINGS.debounceMs);
  });

  it('should cap the import debounce the same way for a storm of file changes', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      const fileChange$ = cold<WatchEvent>(EVERY_100MS_FOR_5S, { m: { kind: 'change', path: '.beads/issues.jsonl' } });
      const expected = '(xy) 1996ms a 2099ms b 1299ms c';
      const out$ = daemonPipeline(sources({ fileChange$ }), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$.pipe(filter(isEffectEvent))).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        a: importDone(21),
        b: importDone(21),
        c: importDone(8),
      });
    });
  });

  it('should not export on the max-wait timer when nothing arrives', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      const mutation$ = cold('----------', m);
      const expected = '      (xy)';
      const out$ = daemonPipeline(sources({ mutation$ }), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$).toBe(expected, { x: exportDone(1), y: importDone(1) });
    });
    expect(effects.runs).toHaveLength(2);
  });

  it('should export what the storm has batched so far at once when the mutation source fails mid-storm', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      // Mutations every 100 ms until 3,000 ms, then the store connection breaks at 3,050 ms.
      const mutation$ = cold('m' + ' 99ms m'.repeat(30) + ' 49ms #', m, new Error('store closed'));
      const expected = '(xy) 1996ms a 1049ms (fez|)';
      const out$ = daemonPipeline(sources({ mutation$ }), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$.pipe(filter(isOutcomeOrLifecycle))).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        a: exportDone(21),
        f: { type: 'daemon/failed', code: 'ESOURCE', message: 'mutation$ failed: store closed' },
        e: exportDone(10),
        z: STOPPED,
      });
    });
  });

  it('should stop exporting and release the source when unsubscribed mid-storm', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const mutation$ = hot(EVERY_100MS_FOR_5S, m);
      const unsub = '   3000ms !';
      const subs = '    ^ 2999ms !';
      const expected = '(xy) 1996ms a';
      const out$ = daemonPipeline(sources({ mutation$ }), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$.pipe(filter(isEffectEvent)), unsub).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        a: exportDone(21),
      });
      expectSubscriptions(mutation$.subscriptions).toBe(subs);
    });
    expect(effects.runs.filter((run) => run.kind === 'export').map((run) => run.start)).toEqual([0, 2000]);
  });
});
