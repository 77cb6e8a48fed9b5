import { Observable, type OperatorFunction } from 'rxjs';
import { type EffectEvent, runEffect, type SyncEffects, type SyncRequest } from './run-effect';

export interface SerialLaneOptions {
  /**
   * Once this emits, the pending import is forgotten and later import requests are ignored.
   * Shutdown uses it: the next start imports a changed JSONL anyway, so an import is not worth
   * delaying the exit for; the pending export still runs.
   */
  dropImports$?: Observable<unknown>;
}

/**
 * Runs export and import effects one at a time and reports each run as one event.
 *
 * ```
 * request: EIEIE-----|            E = export, I = import (batched 1 each); effects take 5 frames
 * result:  -----a----b----(c|)    a = export/done batched 1, b = export/done batched 2,
 *                                 c = import/done batched 2 (runs after both exports)
 * ```
 *
 * Effects never overlap, because both write the same pair of files: an import racing an export
 * could read a half-written JSONL or export a half-imported store. While one runs, requests
 * coalesce into at most one pending export and one pending import whose `batched` counts add
 * up. With both pending the export goes first: local writes are the newer truth, and exporting
 * them before importing keeps an import from overwriting what the user just changed.
 *
 * Effect failures become `export/failed` / `import/failed` events and the lane keeps going.
 * When the requests complete, the lane finishes the running and pending effects, then completes.
 * An error in the request stream itself is passed on at once (the running effect is cancelled).
 */
export function serialLane(
  effects: SyncEffects,
  options: SerialLaneOptions = {},
): OperatorFunction<SyncRequest, EffectEvent> {
  return (request$) =>
    new Observable<EffectEvent>((subscriber) => {
      // undefined = nothing pending (a count of 0 would still be a request).
      const pending: Partial<Record<SyncRequest['kind'], number>> = {};
      let busy = false;
      let requestsDone = false;
      let importsDropped = false;

      const startNext = (): void => {
        if (busy || subscriber.closed) return;
        const kind = pending.export !== undefined ? 'export' : pending.import !== undefined ? 'import' : undefined;
        if (kind === undefined) {
          if (requestsDone) subscriber.complete();
          return;
        }
        const batched = pending[kind] ?? 0;
        delete pending[kind];
        busy = true;
        subscriber.add(
          runEffect({ kind, batched }, effects).subscribe({
            next: (event) => subscriber.next(event),
            complete: () => {
              busy = false;
              startNext();
            },
          }),
        );
      };

      subscriber.add(
        options.dropImports$?.subscribe(() => {
          importsDropped = true;
          delete pending.import;
        }),
      );
      subscriber.add(
        request$.subscribe({
          next: (request) => {
            if (request.kind === 'import' && importsDropped) return;
            pending[request.kind] = (pending[request.kind] ?? 0) + request.batched;
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
