import { filter } from 'rxjs';
import type { DaemonEvent } from '../src/events/daemon-event';
import { daemonPipeline } from '../src/pipeline/daemon-pipeline';
import type { SyncTrigger } from '../src/pipeline/daemon-sources';
import { answerTo } from '../src/daemon/answer-to';
import { exportDone, fakeEffects, importDone, isEffectEvent, SETTINGS, sources, testScheduler } from './support/fake-daemon';

const rpc = (kind: 'import' | 'export', id: number): SyncTrigger => ({ kind, reason: 'rpc', id });
const answered = (event: DaemonEvent, requests: number[]): DaemonEvent => ({ ...event, requests }) as DaemonEvent;

/**
 * An explicit request carries an id through the debounce and the lane; the event of the run
 * that served it names it in `requests`. With effects that take time, "the next import event"
 * is often someone else's run: the id is what pairs a caller with its answer.
 */
describe('request ids (in the daemon pipeline)', () => {
  it("should answer an import request by its own run, not by the import already running when it came", () => {
    const scheduler = testScheduler();
    // The start-up import runs from 0 to 800; the request comes at 100, its debounce ends at 600
    // while that import still runs, and its own run is 800–1600.
    const effects = fakeEffects(scheduler, { importMs: 800 });
    scheduler.run(({ cold, expectObservable }) => {
      const trigger$ = cold('100ms t', { t: rpc('import', 1) });
      const expected = '     x 799ms y 799ms i';
      const out$ = daemonPipeline(sources({ trigger$ }), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$.pipe(filter(isEffectEvent))).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        i: answered(importDone(1), [1]),
      });
      // What the runtime's requestSync waits for: the run that names its id.
      expectObservable(out$.pipe(answerTo(1))).toBe('1600ms (i|)', { i: answered(importDone(1), [1]) });
    });
  });

  it('should answer requests that coalesced into one run together, and a later one by a later run', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler, { exportMs: 300 });
    scheduler.run(({ cold, expectObservable }) => {
      // 1 and 2 share a debounce: one export at 700–1000. 3 comes at 800, while it runs: its
      // debounce ends at 1300, and its own export runs 1300–1600.
      const trigger$ = cold('100ms a 99ms b 599ms c', { a: rpc('export', 1), b: rpc('export', 2), c: rpc('export', 3) });
      const expected = '     300ms (xy) 696ms e 599ms f';
      const out$ = daemonPipeline(sources({ trigger$ }), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$.pipe(filter(isEffectEvent))).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        e: answered(exportDone(2), [1, 2]),
        f: answered(exportDone(1), [3]),
      });
      expectObservable(out$.pipe(answerTo(2))).toBe('1000ms (e|)', { e: answered(exportDone(2), [1, 2]) });
      expectObservable(out$.pipe(answerTo(3))).toBe('1600ms (f|)', { f: answered(exportDone(1), [3]) });
    });
  });

  it('should answer a request by the failure of its own run', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler, {
      importMs: 100,
      importOutcome: (n) => {
        throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY', n });
      },
    });
    scheduler.run(({ cold, expectObservable }) => {
      const trigger$ = cold('10ms t', { t: rpc('import', 7) });
      const failed = { type: 'import/failed', error: 'database is locked', code: 'SQLITE_BUSY', batched: 1, requests: [7] };
      expectObservable(daemonPipeline(sources({ trigger$ }), { ...SETTINGS, ...effects, scheduler }).pipe(answerTo(7))).toBe(
        '610ms (f|)',
        { f: failed },
      );
    });
  });

  it('should never answer a request whose import the stop dropped: the answer stream completes empty', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      const trigger$ = cold('100ms t', { t: rpc('import', 1) });
      const signal$ = cold(' 200ms T', { T: 'SIGTERM' as const });
      const out$ = daemonPipeline(sources({ trigger$, signal$ }), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$.pipe(answerTo(1))).toBe('200ms |');
    });
  });
});
