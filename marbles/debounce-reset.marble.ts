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

const m = { m: mutation('bd-a1b2') };
const c: Record<string, WatchEvent> = { c: { kind: 'change', path: '.beads/issues.jsonl' } };

describe('debounce reset', () => {
  it('should export once, at 1,100 ms, for mutations at 0, 300 and 600 ms (debounce 500)', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      const mutation$ = cold('m 299ms m 299ms m', m);
      const expected = '      (xy) 1096ms e';
      const out$ = daemonPipeline(sources({ mutation$ }), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$.pipe(filter(isEffectEvent))).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        e: exportDone(3),
      });
    });
    expect(effects.runs.filter((run) => run.kind === 'export').map((run) => run.start)).toEqual([0, 1100]);
  });

  it('should debounce exports and imports separately: a file change does not push back the export', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      const mutation$ = cold('  m 299ms m 299ms m', m);
      const fileChange$ = cold('200ms c 299ms c', c);
      const expected = '        (xy) 996ms i 99ms e';
      const out$ = daemonPipeline(sources({ mutation$, fileChange$ }), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$.pipe(filter(isEffectEvent))).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        i: importDone(2),
        e: exportDone(3),
      });
    });
  });

  it('should not export again when the mutation source completes without a value', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      const mutation$ = cold('|', m);
      const expected = '      (xy)';
      const out$ = daemonPipeline(sources({ mutation$ }), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$).toBe(expected, { x: exportDone(1), y: importDone(1) });
    });
    expect(effects.runs).toHaveLength(2);
  });

  it('should export the debounced mutations at once, not at 1,100 ms, when the mutation source fails at 800 ms', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      const mutation$ = cold('m 299ms m 299ms m 199ms #', m, new Error('store closed'));
      const expected = '      (xy) 796ms (fez|)';
      const out$ = daemonPipeline(sources({ mutation$ }), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$.pipe(filter(isOutcomeOrLifecycle))).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        f: { type: 'daemon/failed', code: 'ESOURCE', message: 'mutation$ failed: store closed' },
        e: exportDone(3),
        z: STOPPED,
      });
    });
  });

  it('should not export when unsubscribed at 1,000 ms, before the debounce ran out', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const mutation$ = hot('m 299ms m 299ms m', m);
      const unsub = '        1000ms !';
      const subs = '         ^ 999ms !';
      const expected = '     (xy)';
      const out$ = daemonPipeline(sources({ mutation$ }), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$.pipe(filter(isEffectEvent)), unsub).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
      });
      expectSubscriptions(mutation$.subscriptions).toBe(subs);
    });
    expect(effects.runs.map((run) => run.start)).toEqual([0, 0]);
  });
});
