import { batchWindow } from '../src/dashboard/batch-window';
import { testScheduler } from './support/fake-daemon';

const v = { a: 'a', b: 'b', c: 'c', d: 'd' };

describe('batchWindow', () => {
  it('should behave as the diagram in its doc comment says: one batch per window, the open one flushed at completion', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const source$ = cold('a-b---c---------d|', v);
      const expected = '    ----x-----y------(z|)';
      expectObservable(source$.pipe(batchWindow(4, scheduler))).toBe(expected, { x: ['a', 'b'], y: ['c'], z: ['d'] });
    });
  });

  it('should stretch the windows while the source does not pause, up to the longest, and start short again after a pause', () => {
    const scheduler = testScheduler();
    const letters = 'abcdefghijklmnopqrstuv';
    const vs = Object.fromEntries([...letters].map((c) => [c, c]));
    const span = (from: string, to: string) => letters.slice(letters.indexOf(from), letters.indexOf(to) + 1).split('');
    scheduler.run(({ cold, expectObservable }) => {
      // A value in the frame a window ends still joins it (it was scheduled first).
      const source$ = cold('abcdefghijklmnopqrst----u---v', vs);
      const expected = '    --A----B--------C--------D----E';
      expectObservable(source$.pipe(batchWindow(2, scheduler, 8))).toBe(expected, {
        A: span('a', 'c'),
        B: span('d', 'h'),
        C: span('i', 'q'),
        D: span('r', 'u'),
        E: ['v'],
      });
    });
  });

  it('should complete at once and emit nothing when the source is empty', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('|').pipe(batchWindow(4, scheduler))).toBe('|');
    });
  });

  it('should send a single value one window after it came', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('-a----', v).pipe(batchWindow(3, scheduler))).toBe('----x-', { x: ['a'] });
    });
  });

  it('should send a burst of a thousand values in one window as one batch', () => {
    const scheduler = testScheduler();
    const burst = Array.from({ length: 1000 }, (_, i) => i);
    scheduler.run(({ cold, expectObservable }) => {
      // A sync group of 1000 distinct one-character marbles, all at frame 0.
      const values: Record<string, number> = {};
      burst.forEach((n) => (values[String.fromCharCode(0x4e00 + n)] = n));
      const marbles = '(' + burst.map((n) => String.fromCharCode(0x4e00 + n)).join('') + ')';
      expectObservable(cold(marbles, values).pipe(batchWindow(5, scheduler))).toBe('-----x', { x: burst });
    });
  });

  it('should flush the open window, then pass the error on', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('ab-#', v).pipe(batchWindow(10, scheduler))).toBe('---(x#)', { x: ['a', 'b'] });
    });
  });

  it('should keep batching a never-ending source, arming no timer while it is quiet', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      const source$ = hot('a--------bc', v);
      expectObservable(source$.pipe(batchWindow(2, scheduler))).toBe('--x--------y', { x: ['a'], y: ['b', 'c'] });
    });
  });

  it('should stop on early unsubscribe, dropping the open window', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source$ = hot('a-b--c--d', v);
      const unsub = '      ^------!  ';
      expectObservable(source$.pipe(batchWindow(4, scheduler)), unsub).toBe('----x---', { x: ['a', 'b'] });
      expectSubscriptions(source$.subscriptions).toBe('^------!');
    });
  });
});
