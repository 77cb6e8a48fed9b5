import { connect, EMPTY, map, merge, type Observable, type OperatorFunction, type SchedulerLike, switchMap, timer } from 'rxjs';
import type { DaemonDeps } from './daemon-sources';
import { debounceWithMaxWait } from './debounce-with-max-wait';
import type { SyncRequest } from './run-effect';
import type { PrepareRequest } from './run-prepare';
import type { LaneRequest } from './serial-lane';

export type ExportTiming = Pick<DaemonDeps, 'debounceMs' | 'maxWaitMs' | 'prepareLeadMs'>;

const PREPARE: PrepareRequest = { kind: 'prepare' };

/**
 * Export work (mutations, explicit export triggers) → the export requests the lane serves: the
 * debounced export, and ahead of it a prepare once the work has been quiet for
 * `debounceMs - prepareLeadMs`, so the export's slow part is done before its deadline.
 *
 * ```
 * work:    -a-b--------c-c-c-c-c-c-------|     debounceMs 5, prepareLeadMs 2, maxWaitMs 9
 * result:  ------p-E------------E---p-E--|     p = prepare, E = export (batched 2, 5, 1)
 * ```
 *
 * - A prepare is only asked for while an export batch is waiting: work that keeps coming never
 *   lets it fire (the storm above), and an export let out early (max wait, completion) cancels
 *   the prepare it would have had. So every prepare is followed by an export.
 * - Work between the prepare and the deadline starts both over: one more prepare, one export.
 * - Completion (the daemon stops) lets the waiting export out at once, with no prepare.
 * - `prepareLeadMs` 0, or not less than `debounceMs`: exports only, as without this operator.
 */
export function exportRequests(timing: ExportTiming, scheduler: SchedulerLike): OperatorFunction<unknown, LaneRequest> {
  const { debounceMs, maxWaitMs, prepareLeadMs } = timing;
  const exports = (work$: Observable<unknown>): Observable<SyncRequest> =>
    work$.pipe(
      debounceWithMaxWait(debounceMs, maxWaitMs, scheduler),
      map((batch): SyncRequest => ({ kind: 'export', batched: batch.length })),
    );
  if (!(prepareLeadMs > 0 && prepareLeadMs < debounceMs)) return exports;

  const prepareAfterMs = debounceMs - prepareLeadMs;
  return (work$) =>
    work$.pipe(
      // Work reaches the prepare timer before the debounce, and each export reaches the lane
      // before it cancels the timer.
      connect((shared$) =>
        exports(shared$).pipe(
          connect((export$) =>
            merge(
              export$,
              merge(shared$.pipe(map(() => true)), export$.pipe(map(() => false))).pipe(
                switchMap((waiting) => (waiting ? timer(prepareAfterMs, scheduler) : EMPTY)),
                map(() => PREPARE),
              ),
            ),
          ),
        ),
      ),
    );
}

/**
 * The prepare lead for a debounce: a fifth of it, at most 100 ms. Long enough for the prepare
 * (an fsync of the whole file: ~20 ms at 10k issues) to be over by the deadline, short enough
 * that few writes land between the prepare and the deadline (each one makes the prepare wasted
 * work: the debounce starts over, and so does the prepare).
 */
export function prepareLeadFor(debounceMs: number): number {
  return Math.min(100, Math.floor(debounceMs / 5));
}
