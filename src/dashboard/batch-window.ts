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
 * A source that does not pause stretches the windows: a window that opens less than `windowMs`
 * after the last one closed lasts twice as long as that one, up to `maxWindowMs`; after a quiet
 * spell of `windowMs` or more it is `windowMs` again. So the first values after a pause go out
 * within `windowMs`, and a steady stream within `maxWindowMs`, in fewer, bigger batches.
 *
 * ```
 * source:  abcdefghijklmnopqrst----u---v
 * window:  2, growing to 8 (ms)
 * output:  --A----B--------C--------D----E
 *          A = [a…c] (2 ms), B = [d…h] (4), C = [i…q] (8), D = [r…u] (8), E = [v] (2: after a pause)
 * ```
 *
 * The dashboard sends each window's events to every tab as one message: under a stream of RPC
 * writes the daemon then writes to a tab at most ~1000 / windowMs times a second (1000 /
 * maxWindowMs while the stream lasts), however many events there are, and each tab parses and
 * draws them in one go.
 */
export function batchWindow<T>(
  windowMs: number,
  scheduler: SchedulerLike = asyncScheduler,
  maxWindowMs = windowMs,
): OperatorFunction<T, T[]> {
  return (source) =>
    new Observable<T[]>((subscriber) => {
      let pending: T[] = [];
      let timer: Subscription | null = null;
      let closedAt = -Infinity;
      let lastMs = windowMs;
      const flush = () => {
        timer?.unsubscribe();
        timer = null;
        closedAt = scheduler.now();
        if (pending.length === 0) return;
        const batch = pending;
        pending = [];
        subscriber.next(batch);
      };
      const open = () => {
        lastMs = scheduler.now() - closedAt < windowMs ? Math.min(maxWindowMs, lastMs * 2) : windowMs;
        return scheduler.schedule(flush, lastMs);
      };
      const sub = source.subscribe({
        next: (value) => {
          pending.push(value);
          timer ??= open();
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
