import { EMPTY, filter, map, type Observable, scan, type SchedulerLike, switchMap, timer } from 'rxjs';
import type { DaemonEvent } from '../events/daemon-event';
import { backoffDelayMs } from './backoff-delay';
import type { DaemonInput } from './daemon-input';

/**
 * Failed exports asked for again, with backoff: the feedback of `export/failed` into export
 * work (pure stream composition on the injected scheduler). A disk that was full, a file
 * briefly locked: the acknowledged writes reach the JSONL once the fault clears, without
 * waiting for another write to trigger an export. Each failure in a row waits twice as long
 * ({@link backoffDelayMs}: 1 s, 2 s, 4 s … 60 s); an export that wrote the file or found
 * nothing to write resets the count and cancels a retry still pending.
 *
 * ```
 * event$ : F-----F---------D-F---   (F export/failed, D export/done)   delays 1, 2, 1 (units of 1 s)
 * retry$ : -a-------b---------a--   a: attempt 1, b: attempt 2
 * ```
 */
export function exportRetry$(event$: Observable<DaemonEvent>, scheduler: SchedulerLike): Observable<DaemonInput> {
  return event$.pipe(
    filter((e) => e.type === 'export/failed' || e.type === 'export/done' || e.type === 'export/skipped'),
    scan((state, e) => (e.type === 'export/failed' ? { attempt: state.attempt + 1, code: e.code } : { attempt: 0, code: '' }), {
      attempt: 0,
      code: '',
    }),
    switchMap(({ attempt, code }) => {
      if (attempt === 0) return EMPTY;
      const delayMs = backoffDelayMs(attempt);
      return timer(delayMs, scheduler).pipe(
        map((): DaemonInput => ({ source: 'found', kind: 'export', reason: `export retry ${attempt} after ${delayMs} ms (${code})` })),
      );
    }),
  );
}
