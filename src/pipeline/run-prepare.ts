import { catchError, defer, EMPTY, ignoreElements, type Observable, take } from 'rxjs';
import type { DaemonDeps } from './daemon-sources';

/** A request to do the slow part of the next export ahead of its deadline (see `exportRequests`). */
export interface PrepareRequest {
  kind: 'prepare';
}

export type PrepareEffect = Pick<DaemonDeps, 'runPrepareExport'>;

/**
 * Runs one prepare and reports nothing: completes once it is done, whether it worked or not.
 *
 * ```
 * runPrepareExport():  ---o--|     ---|     ---#
 * result:              ---|        ---|     ---|
 * ```
 *
 * A prepare only saves the export some work. When it fails, the export that follows does all
 * of it and reports any failure, so the error is dropped here rather than told twice. Only its
 * first value counts, as with an effect's outcome: a prepare that stays open must not hold the lane.
 */
export function runPrepare(effects: PrepareEffect): Observable<never> {
  return defer(() => effects.runPrepareExport()).pipe(
    take(1),
    ignoreElements(),
    catchError(() => EMPTY),
  );
}
