import { atomicWriteFile } from '../jsonl/atomic-write';
import type { BeadsStore } from '../store/beads-store';
import { renderJsonl } from './export-jsonl';
import { syncedFileExpected, unchangedByStat } from './jsonl-file-state';

/**
 * The last export of a daemon whose DB file was deleted or replaced under it: the rows its open
 * connection still reads (every write it acknowledged) written to the JSONL, and nothing written
 * to the DB (no bookkeeping: the file it would go to is unlinked, or another one now shares its
 * WAL). The next start opens the DB at the path and imports this file. Skipped (undefined) when
 * the JSONL holds an outside change not merged yet, which it must not overwrite, or when there
 * is nothing to write; else the number of issues written.
 */
export function rescueExport(store: BeadsStore, jsonlPath: string): number | undefined {
  if (store.pendingExportCount() === 0 || !unchangedByStat(store, jsonlPath)) return undefined;
  const { data, issues } = renderJsonl(store);
  if (issues === 0) return undefined;
  atomicWriteFile(jsonlPath, data, { expectReplaced: syncedFileExpected(store, jsonlPath) });
  return issues;
}
