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
 * - `pushLead$` (auto-push: see `pushLeadFor`) moves the export itself ahead of its deadline,
 *   and the prepare with it: work asks for `debounceMs - pushLead` of quiet, so the push that
 *   follows the export in the lane has landed by `debounceMs`. Without it, 0.
 */
export function exportRequests<T>(
  timing: ExportTiming,
  scheduler: SchedulerLike,
  idOf: (work: T) => number | undefined = () => undefined,
  lead$: Observable<number> = of(timing.prepareLeadMs),
  pushLead$: Observable<number> = of(0),
): OperatorFunction<T, LaneRequest<DaemonEffectKind>> {
  const { debounceMs, maxWaitMs, prepareLeadMs } = timing;
  // Each piece of work carries the quiet it asks for: the debounce, less the push lead in
  // force when it arrived.
  const exports = (work$: Observable<[T, number]>): Observable<LaneRequest<DaemonEffectKind>> =>
    work$.pipe(
      debounceWithMaxWait(([, due]) => due, maxWaitMs, scheduler),
      map((batch) => requestOfBatch('export')(batch.map(([work]) => idOf(work)))),
    );
  const due$ = pushLead$.pipe(map((lead) => debounceMs - lead));
  const withDue = (work$: Observable<T>) => work$.pipe(withLatestFrom(due$));
  if (!(prepareLeadMs > 0 && prepareLeadMs < debounceMs)) return (work$) => exports(withDue(work$));

  return (work$) =>
    withDue(work$).pipe(
      // Work reaches the prepare timer before the debounce, and each export reaches the lane
      // before it cancels the timer.
      connect((shared$) =>
        exports(shared$).pipe(
          connect((export$) =>
            merge(
              export$,
              merge(shared$.pipe(map(([, due]) => due)), export$.pipe(map(() => 0))).pipe(
                withLatestFrom(lead$),
                switchMap(([due, lead]) => {
                  const within = prepareLeadWithin(lead, due, debounceMs);
                  return due > 0 && within > 0 ? timer(due - within, scheduler) : EMPTY;
                }),
                map(() => PREPARE),
              ),
            ),
          ),
        ),
      ),
    );
}

/**
 * The prepare lead within an export due `dueMs` after the work: none when the lead is 0 or not
 * less than the debounce (preparing is off); the lead itself when it fits in the due; else
 * (the push lead took its room) half the due, so the prepare still gets ahead of the export.
 */
function prepareLeadWithin(lead: number, dueMs: number, debounceMs: number): number {
  if (!(lead > 0 && lead < debounceMs)) return 0;
  return lead < dueMs ? lead : Math.floor(dueMs / 2);
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
