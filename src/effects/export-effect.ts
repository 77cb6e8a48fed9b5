import { defer, of, type Observable } from 'rxjs';
import type { BeadsStore } from '../store/beads-store';
import { exportJsonl } from '../sync/export-jsonl';
import { LineCache } from '../sync/line-cache';
import type { ExportOutcome } from './effect-outcome';
import { importSummary } from './import-effect';

/**
 * The daemon's export: DB → JSONL (merging an unseen outside change first), run when subscribed.
 * The lines of the last export are kept, so each export reads only the rows changed since.
 * The WAL is checkpointed here too, after the file is written (see `deferCheckpoints`).
 */
export function exportEffect(store: BeadsStore, jsonlPath: string): () => Observable<ExportOutcome> {
  const cache = new LineCache();
  return () =>
    defer(() => {
      const r = exportJsonl(store, { jsonlPath, cache, releaseOldInBackground: true });
      store.checkpoint();
      const merged = r.merged ? { merged: importSummary(r.merged) } : {};
      return of<ExportOutcome>(
        r.skipped
          ? { kind: 'skipped', reason: 'no local changes', ...merged }
          : { kind: 'done', issues: r.issues, bytes: r.bytes, ms: r.ms, ...merged },
      );
    });
}
