import { remoteTicks$ } from '../src/pipeline/remote-ticks';
import { testScheduler } from './support/fake-daemon';

describe('remoteTicks$', () => {
  it('should tick every interval without a period of its own, and never with interval 0', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      expectObservable(remoteTicks$(1000, scheduler), '^ 3500ms !').toBe('1000ms a 999ms b 999ms c', { a: 0, b: 1, c: 2 });
      expectObservable(remoteTicks$(0, scheduler)).toBe('|');
    });
  });

  it('should re-arm the pending tick from the previous one when the period moves (the gap is the new period, not old + new)', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      // Ticks at 4; the period becomes 3 at 6: the next is due 4 + 3 = 7, then every 3.
      const period = hot('a-----b-------', { a: 4, b: 3 });
      expectObservable(remoteTicks$(4, scheduler, period), '^ 14ms !').toBe('----0--1--2--3', { 0: 0, 1: 1, 2: 2, 3: 3 });
    });
  });

  it('should fire at once when a shorter period makes the pending tick overdue', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      // Ticks at 10; the period becomes 3 at 16, when the next (10 + 3) is already past: now.
      const period = hot('a---------------b----', { a: 10, b: 3 });
      expectObservable(remoteTicks$(10, scheduler, period), '^ 20ms !').toBe('----------0-----1--2-', { 0: 0, 1: 1, 2: 2 });
    });
  });

  it('should lengthen the gap when the period grows back (no tick early)', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      const period = hot('a----b---------', { a: 3, b: 6 });
      // 3, then at 5 the period is 6: the tick due at 6 moves to 3 + 6 = 9, then 15.
      expectObservable(remoteTicks$(6, scheduler, period), '^ 16ms !').toBe('---0-----1-----2', { 0: 0, 1: 1, 2: 2 });
    });
  });

  it('should stop ticking when unsubscribed', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      expectObservable(remoteTicks$(1000, scheduler), '^ 999ms !').toBe('');
    });
  });
});
