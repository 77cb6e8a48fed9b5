import { defer, of, type Observable } from 'rxjs';
import type { BeadsStore } from '../store/beads-store';
import { exportJsonl } from '../sync/export-jsonl';
import { LineCache } from '../sync/line-cache';
import { commitStagedExport, discardStagedExport, stageExport, type StagedExport } from '../sync/staged-export';
import type { ExportOutcome } from './effect-outcome';

/** The lane's `export` and `prepare` effects (see `DAEMON_EFFECT_KINDS`). */
export interface ExportEffects {
  export: () => Observable<ExportOutcome>;
  prepare: () => Observable<void>;
}

/**
 * The daemon's export: DB → JSONL (merging an unseen outside change first), run when subscribed.
 * The lines of the last export are kept, so each export reads only the rows changed since.
 * The WAL is checkpointed here too, after the file is written (see `deferCheckpoints`), by
 * `checkpoint`: the daemon hands it to a thread of its own (`WalCheckpointer`).
 *
 * `prepare` does the export's slow part ahead of it (render, write and fsync a temp
 * file: see `stageExport`), sharing the cache; the next `export` then only renames that file
 * into place if nothing changed in between, and otherwise removes it and exports as usual. So a
 * staged file lives until the next export (or the next prepare, which replaces it), and the
 * daemon's pipeline follows every prepare with an export, at the latest when it stops.
 */
export function exportEffect(
  store: BeadsStore,
  jsonlPath: string,
  checkpoint: () => void = () => store.checkpoint(),
): ExportEffects {
  const cache = new LineCache();
  let staged: StagedExport | undefined;
  const takeStaged = (): StagedExport | undefined => {
    const taken = staged;
    staged = undefined;
    return taken;
  };
  return {
    export: () =>
      defer(() => {
        const ahead = takeStaged();
        const { skipped, ...result } =
          (ahead && commitStagedExport(store, ahead, { jsonlPath, releaseOldInBackground: true })) ??
          exportJsonl(store, { jsonlPath, cache, releaseOldInBackground: true });
        checkpoint();
        return of<ExportOutcome>(
          skipped ? { kind: 'skipped', reason: 'no local changes', ...(result.merged ? { merged: result.merged } : {}) } : { kind: 'done', ...result },
        );
      }),
    prepare: () =>
      defer(() => {
        const previous = takeStaged();
        if (previous) discardStagedExport(previous);
        staged = stageExport(store, { jsonlPath, cache });
        return of(undefined);
      }),
  };
}
