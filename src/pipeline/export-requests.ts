import { connect, EMPTY, map, merge, type Observable, of, type OperatorFunction, type SchedulerLike, switchMap, timer, withLatestFrom } from 'rxjs';
import type { DaemonDeps } from './daemon-sources';
import { debounceWithMaxWait } from './debounce-with-max-wait';
import type { DaemonEffectKind, LaneRequest } from './effect-kinds';

export type ExportTiming = Pick<DaemonDeps, 'debounceMs' | 'maxWaitMs' | 'prepareLeadMs'>;

const PREPARE: LaneRequest<DaemonEffectKind> = { kind: 'prepare', batched: 1 };

/** A debounced batch as the lane request serving it: how many triggers, and the explicit ones' ids. */
export function requestOfBatch(kind: DaemonEffectKind) {
  return (batch: ReadonlyArray<number | undefined>): LaneRequest<DaemonEffectKind> => {
    const ids = batch.filter((id): id is number => id !== undefined);
    return { kind, batched: batch.length, ...(ids.length > 0 ? { ids } : {}) };
  };
}

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
 * - `idOf` names the explicit requests among the work: their ids ride on the export serving them.
 * - `lead$` moves the lead (see `adaptiveLead`): each prepare timer is armed with the latest
 *   lead, when the work that arms it arrives. Without it, the lead is `prepareLeadMs`.
 */
export function exportRequests<T>(
  timing: ExportTiming,
  scheduler: SchedulerLike,
  idOf: (work: T) => number | undefined = () => undefined,
  lead$: Observable<number> = of(timing.prepareLeadMs),
): OperatorFunction<T, LaneRequest<DaemonEffectKind>> {
  const { debounceMs, maxWaitMs, prepareLeadMs } = timing;
  const exports = (work$: Observable<T>): Observable<LaneRequest<DaemonEffectKind>> =>
    work$.pipe(
      debounceWithMaxWait(debounceMs, maxWaitMs, scheduler),
      map((batch) => requestOfBatch('export')(batch.map(idOf))),
    );
  if (!(prepareLeadMs > 0 && prepareLeadMs < debounceMs)) return exports;

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
                withLatestFrom(lead$),
                switchMap(([waiting, lead]) => (waiting && lead > 0 && lead < debounceMs ? timer(debounceMs - lead, scheduler) : EMPTY)),
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
