import { catchError, defer, finalize, of, type Observable, tap } from 'rxjs';
import { fileFsync$ } from '../jsonl/file-fsync';
import type { BeadsStore } from '../store/beads-store';
import { elapsed } from '../sync/export-jsonl';
import { LeanExporter } from '../sync/lean-exporter';
import { commitStagedExport } from '../sync/staged-export';
import { DbFileGoneError } from '../store/db-file-guard';
import { rescueExport } from '../sync/rescue-export';
import type { ExportOutcome } from './effect-outcome';

/** The DB file check of the export and import effects: `check` says what happened to `path`, if anything. */
export interface DbGuard {
  path: string;
  check: () => 'db-deleted' | 'db-replaced' | undefined;
}

export const NO_DB_GUARD: DbGuard = { path: '', check: () => undefined };

/** The lane's `export` and `prepare` effects (see `DAEMON_EFFECT_KINDS`). */
export interface ExportEffects {
  export: () => Observable<ExportOutcome>;
  prepare: () => Observable<void>;
}

type Staged = NonNullable<ReturnType<LeanExporter['stage']>>;

/**
 * The daemon's export: DB → JSONL (merging an unseen outside change first), run when subscribed,
 * through the lean exporter: it keeps an index of the file, not the file, and copies the lines
 * of unchanged rows from the file on disk (see src/sync/lean-export.ts). The WAL is checkpointed
 * here too, after the file is written (see `deferCheckpoints`), by `checkpoint`: the daemon
 * hands it to a thread of its own (`WalCheckpointer`).
 *
 * `prepare` does the export's slow part ahead of it (walk, write, hash and fsync a temp file,
 * the fsync off the main thread), timing itself; the next `export` then only renames that file into place if nothing changed
 * in between (reporting the prepare's cost as `prepared_ms`, which the write-ahead lead
 * follows), and otherwise removes it and exports as usual. So a staged file lives until the
 * next export (or the next prepare, which replaces it), and the daemon's pipeline follows every
 * prepare with an export, at the latest when it stops.
 */
export function exportEffect(
  store: BeadsStore,
  jsonlPath: string,
  checkpoint: () => void = () => store.checkpoint(),
  /** Checks that the DB file is still the one opened (see `dbFileGuard`); none: not checked. */
  dbGuard: DbGuard = NO_DB_GUARD,
): ExportEffects {
  const exporter = new LeanExporter(store, jsonlPath, { releaseOldInBackground: true });
  let staged: { ahead: Staged; ms: number } | undefined;
  const takeStaged = (): typeof staged => {
    const taken = staged;
    staged = undefined;
    return taken;
  };
  const commit = (s: { ahead: Staged; ms: number }) => {
    const r = commitStagedExport(store, s.ahead, { jsonlPath, releaseOldInBackground: true });
    exporter.staged(s.ahead, r !== undefined);
    return r && { ...r, prepared_ms: s.ms };
  };
  return {
    export: () =>
      defer(() => {
        const lost = dbGuard.check();
        if (lost) {
          // Fault 3: never an export's bookkeeping into an unlinked or foreign file; the JSONL
          // still gets what the daemon acknowledged, then the failure stops the daemon.
          const ahead = takeStaged();
          if (ahead) exporter.staged(ahead.ahead, false);
          throw new DbFileGoneError(lost, dbGuard.path, rescueExport(store, jsonlPath));
        }
        const ahead = takeStaged();
        const { skipped, ...result } = (ahead && commit(ahead)) ?? exporter.export();
        checkpoint();
        return of<ExportOutcome>(
          skipped
            ? {
                kind: 'skipped',
                reason: 'no local changes',
                ...(result.merged ? { merged: result.merged } : {}),
                ...(result.indexed_ms !== undefined ? { indexed_ms: result.indexed_ms } : {}),
              }
            : { kind: 'done', ...result },
        );
      }),
    prepare: () =>
      defer(() => {
        const previous = takeStaged();
        if (previous) exporter.staged(previous.ahead, false);
        if (dbGuard.check()) return of(undefined);
        const started = performance.now();
        // Written here, synced on the thread pool: the fsync is most of a prepare at scale and
        // the slowest, most variable part of it; the daemon answers requests while it runs.
        const ahead = exporter.stage({ sync: false });
        if (!ahead) return of(undefined);
        let synced = false;
        return fileFsync$(ahead.tmp).pipe(
          tap(() => {
            synced = true;
            staged = { ahead, ms: elapsed(started) };
          }),
          // A prepare is only a head start: without it the export at the deadline writes and
          // syncs a file of its own, and reports what fails there.
          catchError(() => of(undefined)),
          finalize(() => {
            if (!synced) exporter.staged(ahead, false);
          }),
        );
      }),
  };
}
