import { defer, of, type Observable } from 'rxjs';
import type { BeadsStore } from '../store/beads-store';
import { importJsonl } from '../sync/import-jsonl';
import { META_SYNCED_BY } from '../sync/jsonl-file-state';
import { DbFileGoneError } from '../store/db-file-guard';
import type { ImportOutcome } from './effect-outcome';
import { type DbGuard, NO_DB_GUARD } from './export-effect';

/**
 * The daemon's import: JSONL → DB with the merge rules, run when subscribed. A file that is
 * byte-for-byte what our own export wrote is recognised by its stat/hash and skipped as
 * `own-write`. When the merge kept local changes the file lacks, the outcome says so
 * (`needs_export`), and the pipeline schedules the export that writes them back.
 */
export function importEffect(
  store: BeadsStore,
  jsonlPath: string,
  checkpoint: () => void = () => store.checkpoint(),
  /** As the export's: an import into a deleted or replaced DB file is refused (the daemon stops). */
  dbGuard: DbGuard = NO_DB_GUARD,
): { import: () => Observable<ImportOutcome> } {
  return {
    import: () =>
      defer(() => {
        const lost = dbGuard.check();
        if (lost) throw new DbFileGoneError(lost, dbGuard.path);
        const { skipped, ...result } = importJsonl(store, { jsonlPath, releaseOldInBackground: true });
        if (skipped) {
          const reason =
            skipped === 'missing' ? 'jsonl missing' : store.getMeta(META_SYNCED_BY) === 'export' ? 'own-write' : 'unchanged';
          return of<ImportOutcome>({ kind: 'skipped', reason });
        }
        // The daemon defers checkpoints (see `deferCheckpoints`): an import's pages are copied now.
        checkpoint();
        return of<ImportOutcome>({ kind: 'done', ...result });
      }),
  };
}
