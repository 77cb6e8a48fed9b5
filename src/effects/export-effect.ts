import { defer, of, type Observable } from 'rxjs';
import type { BeadsStore } from '../store/beads-store';
import { exportJsonl } from '../sync/export-jsonl';
import type { ExportOutcome } from './effect-outcome';

/** The daemon's export: DB → JSONL (merging an unseen outside change first), run when subscribed. */
export function exportEffect(store: BeadsStore, jsonlPath: string): () => Observable<ExportOutcome> {
  return () =>
    defer(() => {
      const r = exportJsonl(store, { jsonlPath });
      return of<ExportOutcome>(
        r.skipped
          ? { kind: 'skipped', reason: 'no local changes' }
          : { kind: 'done', issues: r.issues, bytes: r.bytes, ms: r.ms },
      );
    });
}
