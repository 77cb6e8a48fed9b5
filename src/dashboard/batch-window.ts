import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';

/**
 * Gathers values into one array per window: the first value after a quiet spell opens a window
 * of `windowMs`, and when it ends everything that came in it goes out as one batch. The cost
 * per value is one push; a timer is armed once per window, not per value. A quiet source arms
 * nothing. On completion (or error) the open window goes out at once, then the completion.
 *
 * ```
 * source:  a-b---c---------d|
 * window:  4 (ms)
 * output:  ----x-----y------(z|)    x = [a, b], y = [c], z = [d]
 * ```
 *
 * The dashboard sends each window's events to every tab as one message: under a stream of RPC
 * writes the daemon then writes to a tab ~1000 / windowMs times a second, however many events
 * there are, and each tab parses and draws them in one go.
 */
export function batchWindow<T>(windowMs: number, scheduler: SchedulerLike = asyncScheduler): OperatorFunction<T, T[]> {
  return (source) =>
    new Observable<T[]>((subscriber) => {
      let pending: T[] = [];
      let timer: Subscription | null = null;
      const flush = () => {
        timer?.unsubscribe();
        timer = null;
        if (pending.length === 0) return;
        const batch = pending;
        pending = [];
        subscriber.next(batch);
      };
      const sub = source.subscribe({
        next: (value) => {
          pending.push(value);
          timer ??= scheduler.schedule(flush, windowMs);
        },
        error: (err: unknown) => {
          flush();
          subscriber.error(err);
        },
        complete: () => {
          flush();
          subscriber.complete();
        },
      });
      return () => {
        sub.unsubscribe();
        timer?.unsubscribe();
      };
    });
}
