import { Observable, type OperatorFunction } from 'rxjs';
import {
  DAEMON_EFFECT_KINDS,
  type DaemonEffectKinds,
  type EffectEventOf,
  type EffectRunners,
  type LaneRequest,
  type LaneTable,
} from './effect-kinds';
import { runEffect } from './run-effect';

export interface LaneEffects<T extends LaneTable = DaemonEffectKinds> {
  effects: EffectRunners<T>;
  /** The table of kinds; the daemon's ({@link DAEMON_EFFECT_KINDS}) by default. */
  kinds?: T;
}

export interface SerialLaneOptions {
  /**
   * Once this emits (the daemon stops), pending requests of the kinds marked `dropOnStop` are
   * forgotten and later ones ignored: the next start imports a changed JSONL anyway, so an
   * import is not worth delaying the exit for; the pending export still runs.
   */
  stop$?: Observable<unknown>;
}

/**
 * Runs effects one at a time, as the table of kinds says, and reports each reported run as one
 * event (a prepare run reports nothing).
 *
 * ```
 * request: EIEIE-----|            E = export, I = import (batched 1 each); effects take 5 frames
 * result:  -----a----b----(c|)    a = export/done batched 1, b = export/done batched 2,
 *                                 c = import/done batched 2 (runs after both exports)
 *
 * request: IP-E-P-----|           P = prepare; effects take 3 frames
 * result:  ---i--e----|           i = import/done, e = export/done (nothing for a prepare): the
 *                                 first P was waiting when E came and is dropped; the second
 *                                 arrives while E runs, and runs from 6 to 9
 * ```
 *
 * Effects never overlap, because they all write the same pair of files: an import racing an
 * export could read a half-written JSONL or export a half-imported store. While one runs,
 * requests coalesce into at most one pending request per kind (whose `batched` counts add up
 * and whose `ids` join: the run answers all of them). With several pending, the lowest
 * `priority` goes first: export (local writes are the newer truth, and exporting them before
 * importing keeps an import from overwriting what the user just changed), then import, then
 * prepare. A kind `supersededBy` another is dropped when one of those is pending or arrives:
 * an export does the prepare's work itself (a prepare only gets ahead of an export not yet due).
 *
 * Effect failures become `<kind>/failed` events and the lane keeps going. When the requests
 * complete, the lane finishes the running and pending effects, then completes. An error in
 * the request stream itself is passed on at once (the running effect is cancelled).
 */
export function serialLane<T extends LaneTable = DaemonEffectKinds>(
  lane: LaneEffects<T>,
  options: SerialLaneOptions = {},
): OperatorFunction<LaneRequest<keyof T & string>, EffectEventOf<T>> {
  const kinds = lane.kinds ?? (DAEMON_EFFECT_KINDS as unknown as T);
  const byPriority = (Object.keys(kinds) as Array<keyof T & string>).sort((a, b) => kinds[a].priority - kinds[b].priority);
  const supersedes = (arriving: string, pendingKind: string) => kinds[pendingKind].supersededBy?.includes(arriving) === true;

  return (request$) =>
    new Observable<EffectEventOf<T>>((subscriber) => {
      const pending = new Map<keyof T & string, LaneRequest<keyof T & string>>();
      let busy = false;
      let requestsDone = false;
      let stopped = false;

      const run = (request: LaneRequest<keyof T & string>): void => {
        busy = true;
        subscriber.add(
          runEffect(request, lane.effects, kinds).subscribe({
            next: (event) => subscriber.next(event),
            complete: () => {
              busy = false;
              startNext();
            },
          }),
        );
      };

      const startNext = (): void => {
        if (busy || subscriber.closed) return;
        const kind = byPriority.find((k) => pending.has(k));
        if (kind !== undefined) {
          const request = pending.get(kind)!;
          pending.delete(kind);
          run(request);
        } else if (requestsDone) {
          subscriber.complete();
        }
      };

      const take = (request: LaneRequest<keyof T & string>): void => {
        const { kind } = request;
        if (stopped && kinds[kind].dropOnStop) return;
        if ([...pending.keys()].some((p) => supersedes(p, kind))) return;
        for (const p of [...pending.keys()]) if (supersedes(kind, p)) pending.delete(p);
        const before = pending.get(kind);
        const ids = [...(before?.ids ?? []), ...(request.ids ?? [])];
        pending.set(kind, { kind, batched: (before?.batched ?? 0) + request.batched, ...(ids.length > 0 ? { ids } : {}) });
        startNext();
      };

      subscriber.add(
        options.stop$?.subscribe(() => {
          stopped = true;
          for (const k of [...pending.keys()]) if (kinds[k].dropOnStop) pending.delete(k);
        }),
      );
      subscriber.add(
        request$.subscribe({
          next: take,
          error: (err: unknown) => subscriber.error(err),
          complete: () => {
            requestsDone = true;
            startNext();
          },
        }),
      );
    });
}
