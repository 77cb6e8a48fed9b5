import { debounceWithMaxWait } from '../src/pipeline/debounce-with-max-wait';
import { testScheduler } from './support/fake-daemon';

describe('debounceWithMaxWait', () => {
  it('should behave as the diagram in its doc comment says (dueMs 3, maxWaitMs 7)', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('-a-b------c-c-c-c-c-c-c-|');
      const expected = '   ------x----------y------(z|)';
      expectObservable(source.pipe(debounceWithMaxWait(3, 7, scheduler))).toBe(expected, {
        x: ['a', 'b'],
        y: ['c', 'c', 'c', 'c'],
        z: ['c', 'c', 'c'],
      });
    });
  });

  it('should complete without emitting when the source is empty', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('|');
      const expected = '   |';
      expectObservable(source.pipe(debounceWithMaxWait(3, 7, scheduler))).toBe(expected);
    });
  });

  it('should emit a single value dueMs after it', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('-a--------|');
      const expected = '   ----x-----|';
      expectObservable(source.pipe(debounceWithMaxWait(3, 7, scheduler))).toBe(expected, { x: ['a'] });
    });
  });

  it('should restart the quiet period on every value and emit a burst as one batch, in order', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('-abc-----|');
      const expected = '   ------x--|';
      expectObservable(source.pipe(debounceWithMaxWait(3, 7, scheduler))).toBe(expected, {
        x: ['a', 'b', 'c'],
      });
    });
  });

  it('should emit at least every maxWaitMs while a never-ending source never goes quiet', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b-c-d-e-f-g-h-i-j-');
      const subs = '      ^';
      const expected = '  --------w-------x-----y';
      expectObservable(source.pipe(debounceWithMaxWait(3, 7, scheduler))).toBe(expected, {
        w: ['a', 'b', 'c', 'd'],
        x: ['e', 'f', 'g', 'h'],
        y: ['i', 'j'],
      });
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('should measure maxWaitMs from the first value of each batch, not from the last emission', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('a-----------b-b-b-b-b-b-|');
      const expected = '   ---x-----------------y--(z|)';
      expectObservable(source.pipe(debounceWithMaxWait(3, 9, scheduler))).toBe(expected, {
        x: ['a'],
        y: ['b', 'b', 'b', 'b', 'b'],
        z: ['b'],
      });
    });
  });

  it('should flush the pending batch at once when the source completes', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('-ab|');
      const expected = '   ---(x|)';
      expectObservable(source.pipe(debounceWithMaxWait(3, 7, scheduler))).toBe(expected, { x: ['a', 'b'] });
    });
  });

  it('should drop the pending batch and pass the error on', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('-ab#', undefined, new Error('watcher died'));
      const expected = '   ---#';
      expectObservable(source.pipe(debounceWithMaxWait(3, 7, scheduler))).toBe(
        expected,
        undefined,
        new Error('watcher died'),
      );
    });
  });

  it('should emit nothing and unsubscribe from the source when unsubscribed early', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-ab-------c--|');
      const subs = '      ^---!';
      const unsub = '     ----!';
      const expected = '  -----';
      expectObservable(source.pipe(debounceWithMaxWait(3, 7, scheduler)), unsub).toBe(expected);
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });
});
