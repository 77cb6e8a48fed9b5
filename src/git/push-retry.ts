import { EMPTY, filter, map, type Observable, scan, type SchedulerLike, switchMap, timer } from 'rxjs';
import type { GitOutcome } from './effects/git-outcome';
import { pushRetryDelayMs } from './git-sync-settings';

/** A push the pipeline should request again, and how long after the rejection it fires. */
export interface PushRetry {
  attempt: number;
  delayMs: number;
}

/**
 * The retries of rejected pushes: pure stream composition on the injected scheduler (meant for
 * the pipeline, as the feedback of push outcomes into push requests). Each rejection in a row
 * waits twice as long (1 s, 2 s, 4 s … 60 s); a push that went through, or found nothing to
 * push (a pull that left nothing to push included), resets the count and cancels a retry
 * still pending.
 *
 * ```
 * outcome$ : R----R-------P--R---   (R rejected, P pushed)   delays 1, 2, 1 (units of 1 s)
 * retry$   : -a-----b---------a--   a: attempt 1, b: attempt 2
 * ```
 */
export function pushRetry$(outcome$: Observable<GitOutcome>, scheduler: SchedulerLike): Observable<PushRetry> {
  return outcome$.pipe(
    filter((o) => o.kind === 'rejected' || o.kind === 'pushed' || o.kind === 'pulled' || (o.kind === 'skipped' && o.step === 'push')),
    scan((attempt, o) => (o.kind === 'rejected' ? attempt + 1 : 0), 0),
    switchMap((attempt) => {
      if (attempt === 0) return EMPTY;
      const delayMs = pushRetryDelayMs(attempt);
      return timer(delayMs, scheduler).pipe(map(() => ({ attempt, delayMs })));
    }),
  );
}
