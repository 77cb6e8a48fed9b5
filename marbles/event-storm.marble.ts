import { count, filter, merge } from 'rxjs';
import { daemonPipeline } from '../src/pipeline/daemon-pipeline';
import {
  exportDone,
  fakeEffects,
  importDone,
  isOutcomeOrLifecycle,
  mutation,
  SETTINGS,
  sources,
  STOPPED,
  stopping,
  testScheduler,
} from './support/fake-daemon';

/** 100 mutations: ten at each of the virtual milliseconds 0–9. */
const TEN = '(mmmmmmmmmm)';

describe('event storm', () => {
  it('should serve 100 mutations within 10 ms with exactly one export, debounceMs after the last', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      const storm = Array.from({ length: 10 }, (_, ms) => cold(`${ms}ms ${TEN}`, { m: mutation('bd-a1b2') }));
      const signal$ = cold('3s T', { T: 'SIGTERM' as const });
      const expected = '    (xy) 505ms e 2490ms (sz|)';
      const out$ = daemonPipeline(sources({ mutation$: merge(...storm), signal$ }), {
        ...SETTINGS,
        ...effects,
        scheduler,
      });
      expectObservable(out$.pipe(filter(isOutcomeOrLifecycle))).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        e: exportDone(100),
        s: stopping(),
        z: STOPPED,
      });
      expectObservable(out$.pipe(filter((event) => event.type === 'store/mutated'), count())).toBe('3s (c|)', {
        c: 100,
      });
    });
  });

  it('should run only the start-up export and import, then stop, when every source is empty', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      const empty = () => cold<never>('|');
      const expected = '(xyz|)';
      const out$ = daemonPipeline(
        { fileChange$: empty(), mutation$: empty(), signal$: empty(), trigger$: empty() },
        { ...SETTINGS, ...effects, scheduler },
      );
      expectObservable(out$).toBe(expected, { x: exportDone(1), y: importDone(1), z: STOPPED });
    });
  });

  it('should not export again while no mutation arrives', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ expectObservable }) => {
      const expected = '(xy)';
      const out$ = daemonPipeline(sources(), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$).toBe(expected, { x: exportDone(1), y: importDone(1) });
    });
    expect(effects.runs.map((run) => run.kind)).toEqual(['export', 'import']);
  });

  it('should report a failing mutation source as fatal, export the storm at once and stop', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      const storm = Array.from({ length: 10 }, (_, ms) => cold(`${ms}ms ${TEN}`, { m: mutation('bd-a1b2') }));
      const broken = cold<never>('100ms #', undefined, new Error('store closed'));
      const expected = '          (xy) 96ms (fez|)';
      const out$ = daemonPipeline(sources({ mutation$: merge(...storm, broken) }), {
        ...SETTINGS,
        ...effects,
        scheduler,
      });
      expectObservable(out$.pipe(filter(isOutcomeOrLifecycle))).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        f: { type: 'daemon/failed', code: 'ESOURCE', message: 'mutation$ failed: store closed' },
        e: exportDone(100),
        z: STOPPED,
      });
    });
  });

  it('should export nothing more and release the sources when unsubscribed during the debounce', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const storm = Array.from({ length: 10 }, (_, ms) => cold(`${ms}ms ${TEN}`, { m: mutation('bd-a1b2') }));
      const unsub = '   300ms !';
      const subs = '    ^ 299ms !';
      const expected = '(xy)';
      const out$ = daemonPipeline(sources({ mutation$: merge(...storm) }), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$.pipe(filter(isOutcomeOrLifecycle)), unsub).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
      });
      storm.forEach((ms) => expectSubscriptions(ms.subscriptions).toBe(subs));
    });
    expect(effects.runs.map((run) => run.kind)).toEqual(['export', 'import']);
  });
});
