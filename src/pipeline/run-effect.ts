import { catchError, defer, map, type Observable, of, take, throwIfEmpty } from 'rxjs';
import type { DaemonEvent } from '../events/daemon-event';
import type { DaemonDeps } from './daemon-sources';

/** A request for one effect run, serving `batched` triggers. */
export interface SyncRequest {
  kind: 'import' | 'export';
  batched: number;
}

/** The events an import or export run can end in: exactly one per run (a prepare has none). */
export type EffectEvent = Extract<
  DaemonEvent,
  { type: `${'export' | 'import'}/${'done' | 'skipped' | 'failed'}` }
>;

export type SyncEffects = Pick<DaemonDeps, 'runExport' | 'runImport'>;

/**
 * Runs one effect and reports how it ended as exactly one event; never errors.
 *
 * ```
 * runExport():  ---o|          ---#
 * result:       ---(e|)        ---(f|)     e = export/done|skipped, f = export/failed
 * ```
 *
 * Failures (including a synchronous throw) become `export/failed` / `import/failed` events
 * here, inside, so the stream that runs effects outlives them. Only the first outcome counts:
 * an effect that keeps its stream open after reporting must not hold the lane.
 */
export function runEffect(request: SyncRequest, effects: SyncEffects): Observable<EffectEvent> {
  const { batched } = request;
  if (request.kind === 'export') {
    return defer(() => effects.runExport()).pipe(
      take(1),
      throwIfEmpty(() => new Error('export effect completed without reporting an outcome')),
      map((outcome): EffectEvent => {
        const merged = outcome.merged ? { merged: outcome.merged } : {};
        if (outcome.kind !== 'done') return { type: 'export/skipped', reason: outcome.reason, ...merged, batched };
        const staged = outcome.staged ? { staged: true as const } : {};
        return { type: 'export/done', issues: outcome.issues, bytes: outcome.bytes, ms: outcome.ms, ...staged, ...merged, batched };
      }),
      catchError((err: unknown) => of<EffectEvent>({ type: 'export/failed', error: messageOf(err), batched })),
    );
  }
  return defer(() => effects.runImport()).pipe(
    take(1),
    throwIfEmpty(() => new Error('import effect completed without reporting an outcome')),
    map((outcome): EffectEvent => {
      if (outcome.kind !== 'done') return { type: 'import/skipped', reason: outcome.reason, batched };
      const { kind, ...fields } = outcome;
      void kind;
      return { type: 'import/done', ...fields, batched };
    }),
    catchError((err: unknown) => {
      const line = lineOf(err);
      return of<EffectEvent>(
        line === undefined
          ? { type: 'import/failed', error: messageOf(err), batched }
          : { type: 'import/failed', error: messageOf(err), line, batched },
      );
    }),
  );
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** JSONL errors (conflict markers, bad JSON) carry the 1-based line they stopped at. */
function lineOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null || !('line' in err)) return undefined;
  return typeof err.line === 'number' ? err.line : undefined;
}
