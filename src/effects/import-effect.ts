import { defer, of, type Observable } from 'rxjs';
import type { BeadsStore } from '../store/beads-store';
import type { ImportDetails } from '../events/daemon-event';
import { importJsonl, type ImportReport } from '../sync/import-jsonl';
import { META_SYNCED_BY } from '../sync/jsonl-file-state';
import type { ImportOutcome } from './effect-outcome';

/**
 * The daemon's import: JSONL → DB with the merge rules, run when subscribed. A file that is
 * byte-for-byte what our own export wrote is recognised by its stat/hash and skipped as
 * `own-write`. When the merge kept local changes the file lacks, the store reports a mutation,
 * which schedules the export that writes them back.
 */
export function importEffect(
  store: BeadsStore,
  jsonlPath: string,
  checkpoint: () => void = () => store.checkpoint(),
): () => Observable<ImportOutcome> {
  return () =>
    defer(() => {
      const r = importJsonl(store, { jsonlPath });
      if (r.skipped) {
        const reason =
          r.skipped === 'missing'
            ? 'jsonl missing'
            : store.getMeta(META_SYNCED_BY) === 'export'
              ? 'own-write'
              : 'unchanged';
        return of<ImportOutcome>({ kind: 'skipped', reason });
      }
      // The daemon defers checkpoints (see `deferCheckpoints`): an import's pages are copied now.
      checkpoint();
      if (r.needs_export) store.notifyMutation('import-merge', r.kept_local[0] ?? '*');
      return of<ImportOutcome>({ kind: 'done', ...importSummary(r), ms: r.ms });
    });
}

/**
 * What the event log says of an import: its counts, and its findings beyond them, leaving out
 * what is empty (the log stays short).
 */
export function importSummary(r: ImportReport): { created: number; updated: number; deleted: number; unchanged: number } & ImportDetails {
  const w = r.warnings;
  return {
    created: r.created,
    updated: r.updated,
    deleted: r.deleted,
    unchanged: r.unchanged,
    ...(r.kept_local.length > 0 ? { kept_local: r.kept_local } : {}),
    ...(r.overwritten_local.length > 0 ? { overwritten_local: r.overwritten_local } : {}),
    ...(r.duplicates.length > 0 ? { duplicates: r.duplicates } : {}),
    ...(w.unknown_status + w.unknown_type + w.unusual_priority > 0 ? { warnings: w } : {}),
    ...(r.needs_export ? { needs_export: true } : {}),
    hash: r.hash,
  };
}
