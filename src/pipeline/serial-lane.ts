import { Observable, type OperatorFunction } from 'rxjs';
import { type EffectEvent, runEffect, type SyncEffects, type SyncRequest } from './run-effect';
import { type PrepareEffect, type PrepareRequest, runPrepare } from './run-prepare';

/** What the lane runs: an import or export (reported), or a prepare (not reported). */
export type LaneRequest = SyncRequest | PrepareRequest;

export type LaneEffects = SyncEffects & PrepareEffect;

export interface SerialLaneOptions {
  /**
   * Once this emits, the pending import is forgotten and later import requests are ignored.
   * Shutdown uses it: the next start imports a changed JSONL anyway, so an import is not worth
   * delaying the exit for; the pending export still runs.
   */
  dropImports$?: Observable<unknown>;
  /**
   * Once this emits, the pending prepare is forgotten and later prepare requests are ignored.
   * Shutdown uses it too: the pending export runs at once, with or without a prepare.
   */
  dropPrepares$?: Observable<unknown>;
}

/**
 * Runs export, import and prepare effects one at a time and reports each export and import run
 * as one event. A prepare run reports nothing.
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
 * requests coalesce into at most one pending export, one pending import (whose `batched`
 * counts add up) and one pending prepare. With several pending the export goes first: local
 * writes are the newer truth, and exporting them before importing keeps an import from
 * overwriting what the user just changed. A prepare goes last, and only while no export is
 * pending: an export waiting or arriving drops it, since the export does the prepare's work
 * itself (a prepare only gets ahead of an export that is not due yet).
 *
 * Effect failures become `export/failed` / `import/failed` events and the lane keeps going; a
 * failed prepare is dropped silently (see `runPrepare`). When the requests complete, the lane
 * finishes the running and pending effects, then completes. An error in the request stream
 * itself is passed on at once (the running effect is cancelled).
 */
export function serialLane(
  effects: LaneEffects,
  options: SerialLaneOptions = {},
): OperatorFunction<LaneRequest, EffectEvent> {
  return (request$) =>
    new Observable<EffectEvent>((subscriber) => {
      // undefined = nothing pending (a count of 0 would still be a request).
      const pending: Partial<Record<SyncRequest['kind'], number>> = {};
      let preparePending = false;
      let busy = false;
      let requestsDone = false;
      let importsDropped = false;
      let preparesDropped = false;

      const run = (effect$: Observable<EffectEvent>): void => {
        busy = true;
        subscriber.add(
          effect$.subscribe({
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
        const kind = pending.export !== undefined ? 'export' : pending.import !== undefined ? 'import' : undefined;
        if (kind !== undefined) {
          const batched = pending[kind] ?? 0;
          delete pending[kind];
          run(runEffect({ kind, batched }, effects));
        } else if (preparePending) {
          preparePending = false;
          run(runPrepare(effects));
        } else if (requestsDone) {
          subscriber.complete();
        }
      };

      subscriber.add(
        options.dropImports$?.subscribe(() => {
          importsDropped = true;
          delete pending.import;
        }),
      );
      subscriber.add(
        options.dropPrepares$?.subscribe(() => {
          preparesDropped = true;
          preparePending = false;
        }),
      );
      subscriber.add(
        request$.subscribe({
          next: (request) => {
            if (request.kind === 'prepare') {
              if (preparesDropped || pending.export !== undefined) return;
              preparePending = true;
            } else {
              if (request.kind === 'import' && importsDropped) return;
              if (request.kind === 'export') preparePending = false;
              pending[request.kind] = (pending[request.kind] ?? 0) + request.batched;
            }
            startNext();
          },
          error: (err: unknown) => subscriber.error(err),
          complete: () => {
            requestsDone = true;
            startNext();
          },
        }),
      );
    });
}
