import * as fs from 'node:fs';
import { replaceWithTemp, TargetChangedError } from '../jsonl/atomic-write';
import type { BeadsStore } from '../store/beads-store';
import { elapsed, type ExportReport, mergeLanded, recordExported } from './export-jsonl';
import { TargetLandedError } from '../jsonl/swap-checked';
import { statKey, unchangedByStat } from './jsonl-file-state';

/**
 * A whole export written ahead of its deadline, into a synced temp file beside the JSONL, and
 * what the DB and the JSONL looked like then: the export may rename it into place only if
 * neither has changed since.
 */
export interface StagedExport {
  /** The temp file (atomic-write's naming, so `sweepStaleTemps` removes it after a crash). */
  tmp: string;
  hash: string;
  bytes: number;
  issues: number;
  /** `PRAGMA data_version` of the snapshot rendered: moves when another connection commits. */
  dataVersion: number;
  /** `total_changes()` of this connection then: moves with any write of its own, to any table. */
  totalChanges: number;
  /** The JSONL's stat key then, which was also the one recorded at the last sync. */
  jsonlStat: string;
  /** The temp's own stat key: the JSONL's once renamed into place. */
  key: string;
}

export interface CommitStagedOptions {
  jsonlPath: string;
  /** See `AtomicWriteOptions`. */
  releaseOldInBackground?: boolean;
}

/**
 * The export, when `staged` is still exactly what it would write: renames the staged file over
 * the JSONL and does the export's bookkeeping, in one write transaction (so no other connection
 * can commit between the check and the bookkeeping). Still exact means: no other connection
 * committed (`data_version`), this one wrote nothing (`total_changes()`; the daemon's own writes
 * go through this connection), the JSONL is the one seen then (stat), and the temp file is
 * there, whole. Otherwise returns undefined: the caller exports as usual.
 *
 * Either way the staged file is gone afterwards: renamed into place, or removed.
 */
export function commitStagedExport(store: BeadsStore, staged: StagedExport, opts: CommitStagedOptions): ExportReport | undefined {
  const started = performance.now();
  let renamed = false;
  try {
    const done = store.inWriteTransaction((): boolean => {
      if (!stillExact(store, staged, opts.jsonlPath)) return false;
      // The stat above and the swap are not one step: the file the swap takes off the path is checked again.
      const expectReplaced = (held: string | null): boolean => held !== null && statKey(held) === staged.jsonlStat;
      try {
        replaceWithTemp(staged.tmp, opts.jsonlPath, { releaseOldInBackground: opts.releaseOldInBackground, expectReplaced });
      } catch (err) {
        // A file that appeared in the swap's empty path is merged now (without deletions), so
        // the export that follows replaces it instead of reading it as the teammate's file.
        if (err instanceof TargetLandedError) mergeLanded(store, opts.jsonlPath);
        if (err instanceof TargetChangedError) return false;
        throw err;
      }
      renamed = true;
      recordExported(store, opts.jsonlPath, staged.hash, staged.key, opts);
      return true;
    });
    if (!done) return undefined;
    return { issues: staged.issues, bytes: staged.bytes, ms: elapsed(started), staged: true };
  } finally {
    if (!renamed) discardStagedExport(staged);
  }
}

/** Removes the staged file; one already gone is fine. */
export function discardStagedExport(staged: StagedExport): void {
  try {
    fs.rmSync(staged.tmp, { force: true });
  } catch {
    // Nothing else can be done about it here; `sweepStaleTemps` removes it at the next start.
  }
}

function stillExact(store: BeadsStore, staged: StagedExport, jsonlPath: string): boolean {
  return (
    store.dataVersion() === staged.dataVersion &&
    store.totalChanges() === staged.totalChanges &&
    statKey(jsonlPath) === staged.jsonlStat &&
    unchangedByStat(store, jsonlPath) &&
    sizeOf(staged.tmp) === staged.bytes
  );
}

function sizeOf(file: string): number | undefined {
  try {
    return fs.statSync(file).size;
  } catch {
    return undefined;
  }
}
