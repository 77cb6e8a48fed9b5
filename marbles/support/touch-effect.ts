import { map, type Observable, type SchedulerLike, timer } from 'rxjs';
import type { LaneRequest } from '../../src/pipeline/effect-kinds';

/** What a `touch` run reports: the throwaway kind of throwaway-kind.marble.ts. */
export type TouchOutcome = { kind: 'done'; touched: number } | { kind: 'skipped'; reason: string };

/**
 * The effect file of the throwaway kind: an asynchronous effect (it takes `ms` of virtual time,
 * as a git child process would take real time) that counts how many triggers it served.
 * Unsubscribing cancels the timer, as killing the child would.
 */
export function touchEffect(scheduler: SchedulerLike, ms: number): (request: LaneRequest) => Observable<TouchOutcome> {
  return (request) =>
    timer(ms, scheduler).pipe(
      map((): TouchOutcome => (request.batched > 0 ? { kind: 'done', touched: request.batched } : { kind: 'skipped', reason: 'nothing to touch' })),
    );
}
