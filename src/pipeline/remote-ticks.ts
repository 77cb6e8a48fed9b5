import { EMPTY, Observable, of, type SchedulerLike, type Subscription } from 'rxjs';

/**
 * `remote$`: the ticks that ask for a fetch, one period after the other, where the period is
 * the latest `period$` value (see `fetchPeriodFor`: the interval less what a pull costs, so
 * that the interval bounds how stale the clone can be). None with interval 0.
 *
 * Each tick is due one period after the previous one (the first, one period after the
 * subscription); a new period re-arms the pending tick from the previous one, and a tick
 * already overdue fires at once. So the gap between two ticks is always the period in force
 * when the second fires, never the old period plus the new.
 *
 * ```
 * period$: a-----b-------|     a = 4, b = 3 (ms)
 * ticks:   ----0--1--2--3-     0 at 4; b at 6 re-arms 1 to 4 + 3 = 7; then every 3
 * ```
 */
export function remoteTicks$(intervalMs: number, scheduler: SchedulerLike, period$: Observable<number> = of(intervalMs)): Observable<number> {
  if (intervalMs <= 0) return EMPTY;
  return new Observable<number>((subscriber) => {
    let last = scheduler.now();
    let period = intervalMs;
    let count = 0;
    let pending: Subscription | undefined;
    const arm = (): void => {
      pending?.unsubscribe();
      pending = scheduler.schedule(fire, Math.max(0, last + period - scheduler.now()));
    };
    function fire(): void {
      // This action is done: re-arming schedules a new one instead of cancelling it mid-run.
      pending = undefined;
      last = scheduler.now();
      subscriber.next(count++);
      arm();
    }
    const periods = period$.subscribe({
      next: (p) => {
        period = p;
        arm();
      },
      error: (err: unknown) => subscriber.error(err),
    });
    if (pending === undefined) arm();
    return () => {
      pending?.unsubscribe();
      periods.unsubscribe();
    };
  });
}
