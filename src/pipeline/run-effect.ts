import { catchError, defer, EMPTY, ignoreElements, map, type Observable, of, take, throwIfEmpty } from 'rxjs';
import {
  DAEMON_EFFECT_KINDS,
  type DaemonEffectKinds,
  type EffectEventOf,
  type EffectRunners,
  type LaneRequest,
  type LaneTable,
} from './effect-kinds';
import { errnoCode } from '../os/errno-code';

/**
 * Runs one effect and reports how it ended as exactly one event, `<kind>/<outcome kind>` with
 * the outcome's fields, or `<kind>/failed`; never errors. A kind the table marks unreported
 * (prepare) reports nothing, not even a failure: the export that follows does all of its work
 * and reports any failure itself.
 *
 * ```
 * export effect:  ---o|          ---#           prepare effect:  ---o|    ---#
 * result:         ---(e|)        ---(f|)        result:          ---|     ---|
 *                 e = export/done|skipped, f = export/failed
 * ```
 *
 * Failures (including a synchronous throw) become events here, inside, so the stream that runs
 * effects outlives them. Only the first outcome counts: an effect that keeps its stream open
 * after reporting must not hold the lane. Unsubscribing cancels the effect.
 */
export function runEffect<T extends LaneTable = DaemonEffectKinds>(
  request: LaneRequest<NoInfer<keyof T & string>>,
  effects: Partial<EffectRunners<NoInfer<T>>>,
  kinds: T = DAEMON_EFFECT_KINDS as unknown as T,
): Observable<EffectEventOf<T>> {
  const { kind, batched } = request;
  const answered = request.ids && request.ids.length > 0 ? { requests: request.ids } : {};
  const run$ = defer(() => {
    const runner = effects[kind];
    if (!runner) throw new Error(`no effect is wired for the lane's kind "${kind}": add it to the effects the pipeline gets`);
    return runner(request) as Observable<unknown>;
  }).pipe(take(1));
  if (!kinds[kind]?.reported) return run$.pipe(ignoreElements(), catchError(() => EMPTY));
  return run$.pipe(
    throwIfEmpty(() => new Error(`${kind} effect completed without reporting an outcome`)),
    map((outcome) => {
      const { kind: outcomeKind, ...fields } = outcome as { kind: string };
      return { type: `${kind}/${outcomeKind}`, ...fields, batched, ...answered } as unknown as EffectEventOf<T>;
    }),
    catchError((err: unknown) => {
      const line = lineOf(err);
      return of({
        type: `${kind}/failed`,
        error: messageOf(err),
        code: errorCodeOf(err),
        ...(line === undefined ? {} : { line }),
        batched,
        ...answered,
      } as unknown as EffectEventOf<T>);
    }),
  );
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The error's own `code` (`ENOSPC`), else its class name (`JsonlLineError`), else `EEFFECT`. */
export function errorCodeOf(err: unknown): string {
  const code = errnoCode(err);
  if (code !== undefined) return code;
  if (err instanceof Error && err.name !== 'Error') return err.name;
  return 'EEFFECT';
}

/** JSONL errors (conflict markers, bad JSON) carry the 1-based line they stopped at. */
function lineOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null || !('line' in err)) return undefined;
  return typeof err.line === 'number' ? err.line : undefined;
}
