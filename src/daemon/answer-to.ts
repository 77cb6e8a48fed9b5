import { filter, type MonoTypeOperatorFunction, type OperatorFunction, take } from 'rxjs';
import type { DaemonEvent, EffectEvent } from '../events/daemon-event';
import { isEffectEvent } from '../events/describe-effect';

/**
 * The event of the run that served the explicit request `id` (see `SyncTrigger.id`), then
 * completion; completes empty if the events end first (the daemon stopped before it ran).
 *
 * ```
 * events:  -a-b-c-|      b = import/done {requests: [1, 2]}
 * result:  ---(b|)       answerTo(2)
 * ```
 */
export function answerTo<E extends DaemonEvent>(id: number): OperatorFunction<E, E & EffectEvent> {
  return (event$) =>
    event$.pipe(
      filter((e): e is E & EffectEvent => isEffectEvent(e) && e.requests?.includes(id) === true),
      take(1) as MonoTypeOperatorFunction<E & EffectEvent>,
    );
}
