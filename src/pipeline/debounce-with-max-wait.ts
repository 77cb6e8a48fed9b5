import { Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';

/**
 * Debounce that batches: emits every value collected since the last emission, as one array,
 * after `dueMs` without a new value — or, at the latest, `maxWaitMs` after the first value of
 * the batch, so a storm that never goes quiet still gets served.
 *
 * ```
 * source:  -a-b------c-c-c-c-c-c-c-|      dueMs 3, maxWaitMs 7
 * result:  ------x----------y------(z|)   x = [a,b]  y = [c,c,c,c]  z = [c,c,c]
 * ```
 *
 * The array (not just a count) keeps the operator general; callers that only need "how many
 * triggers did this serve" read `batch.length`. A pending batch is flushed at once when the
 * source completes (so shutting the source is how you say "do it now"), and dropped when the
 * source errors or the subscriber unsubscribes.
 *
 * `dueMs` may be a function of each value: the quiet the batch needs after that value (the
 * export's, shortened by the push lead while auto-push is on: see `exportRequests`).
 *
 * `debounceTime` is the contract: with the max wait out of reach, this emits exactly what
 * `debounceTime(dueMs, scheduler)` emits (the batch's last value, at the same virtual time), and
 * with it, the same except for the max-wait cuts (a fast-check property proves both:
 * marbles/debounce-contract.property.marble.ts). It keeps timers of its own because it batches
 * and its deadline belongs to the batch, neither of which debounceTime can express.
 */
export function debounceWithMaxWait<T>(
  dueMs: number | ((value: T) => number),
  maxWaitMs: number,
  scheduler: SchedulerLike,
): OperatorFunction<T, T[]> {
  const dueOf = typeof dueMs === 'number' ? () => dueMs : dueMs;
  return (source) =>
    new Observable<T[]>((subscriber) => {
      let batch: T[] = [];
      let quiet: Subscription | undefined;
      let deadline: Subscription | undefined;

      const cancelTimers = () => {
        quiet?.unsubscribe();
        deadline?.unsubscribe();
        quiet = deadline = undefined;
      };
      const flush = () => {
        cancelTimers();
        if (batch.length === 0) return;
        // Reset before emitting: a synchronous re-entrant value starts a fresh batch.
        const ready = batch;
        batch = [];
        subscriber.next(ready);
      };

      const upstream = source.subscribe({
        next: (value) => {
          batch.push(value);
          quiet?.unsubscribe();
          quiet = scheduler.schedule(flush, dueOf(value));
          // The deadline belongs to the batch, not to the latest value: it is never pushed back.
          deadline ??= scheduler.schedule(flush, maxWaitMs);
        },
        error: (err: unknown) => {
          cancelTimers();
          batch = [];
          subscriber.error(err);
        },
        complete: () => {
          flush();
          subscriber.complete();
        },
      });

      return () => {
        cancelTimers();
        upstream.unsubscribe();
      };
    });
}
