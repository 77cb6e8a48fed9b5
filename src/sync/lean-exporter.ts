import * as fs from 'node:fs';
import { replaceWithTemp } from '../jsonl/atomic-write';
import type { BeadsStore } from '../store/beads-store';
import { countIssueLines, elapsed, EmptyExportError, type ExportReport, recordExported, untilTargetStill } from './export-jsonl';
import { importJsonl, type ImportReport } from './import-jsonl';
import { isLanded, statKey, syncedFileExpected, unchangedByStat } from './jsonl-file-state';
import { writeExportTemp, type WrittenExport } from './lean-export';
import type { LineIndex } from './line-index';
import { discardStagedExport, type StagedExport } from './staged-export';

export type LeanExportReport = ExportReport;

/**
 * The daemon's exports of the workspace JSONL without a copy of the file in memory (see
 * lean-export.ts): it keeps the index of the file last written, hands it to the next export,
 * and drops it whenever it cannot vouch for it (the export failed, another file is in place).
 * Same rules as `exportJsonl`: an unseen outside change is merged first, a clean DB over an
 * unchanged file is skipped, an empty export never silently replaces issues.
 */
export class LeanExporter {
  private index: LineIndex | undefined;

  constructor(
    private readonly store: BeadsStore,
    private readonly jsonlPath: string,
    private readonly opts: { releaseOldInBackground?: boolean } = {},
  ) {}

  export(opts: { force?: boolean } = {}): LeanExportReport {
    const { store, jsonlPath } = this;
    const started = performance.now();
    let merged: ImportReport | undefined;
    // The merge of an unseen change, the read of the rows and of the file on disk, the rename
    // and the bookkeeping all happen under one write lock: another process's export between
    // them would be overwritten by a file written from a stale snapshot (fault 7).
    const report = store.inWriteTransaction(() =>
      // An outside rename landing while the temp is written is merged and written again.
      untilTargetStill(store, jsonlPath, (): LeanExportReport => {
        if (fs.existsSync(jsonlPath) && !unchangedByStat(store, jsonlPath) && !isLanded(store, jsonlPath)) {
          const r = importJsonl(store, { jsonlPath });
          if (!r.skipped) merged = r;
        }
        if (!opts.force && fs.existsSync(jsonlPath) && !isLanded(store, jsonlPath) && store.pendingExportCount() === 0) {
          return { skipped: 'clean', issues: 0, bytes: 0, ms: 0 };
        }
        const deletedHere = store.pendingExportCount() > 0;
        const written = this.write();
        try {
          if (written.issues === 0 && !opts.force && !deletedHere) refuseEmpty(jsonlPath);
        } catch (err) {
          fs.rmSync(written.tmp, { force: true });
          throw err;
        }
        this.install(written);
        return { issues: written.issues, bytes: written.bytes, ms: 0, mode: written.mode };
      }),
    );
    const withMerged = merged ? { merged } : {};
    return { ...report, ms: elapsed(started), ...withMerged };
  }

  /**
   * The export written ahead (see `commitStagedExport`): undefined when the
   * JSONL changed since the last sync or is missing, nothing changed locally, or no issues.
   */
  stage(): (StagedExport & { written: WrittenExport }) | undefined {
    const { store, jsonlPath } = this;
    if (store.isInTransaction()) return undefined;
    return store.inTransaction(() => {
      if (!unchangedByStat(store, jsonlPath) || store.pendingExportCount() === 0) return undefined;
      const jsonlStat = statKey(jsonlPath);
      if (jsonlStat === null || store.count() === 0) return undefined;
      const written = this.write();
      const { tmp, hash, bytes, issues, key } = written;
      return { tmp, hash, bytes, issues, key, jsonlStat, dataVersion: store.dataVersion(), totalChanges: store.totalChanges(), written };
    });
  }

  /** After `commitStagedExport` renamed `staged` into place: its index is the file's now. */
  staged(staged: StagedExport & { written: WrittenExport }, committed: boolean): void {
    if (committed) this.index = staged.written.index.build(staged.written.key, staged.written.hash, staged.written.bytes);
    else discardStagedExport(staged);
  }

  private write(): WrittenExport {
    return writeExportTemp(this.store, this.jsonlPath, this.index);
  }

  /** Renames `written` into place unless the file changed since the export looked (then it throws `TargetChangedError`, the temp removed). */
  private install(written: WrittenExport): void {
    this.index = undefined;
    const expectReplaced = syncedFileExpected(this.store, this.jsonlPath);
    replaceWithTemp(written.tmp, this.jsonlPath, { releaseOldInBackground: this.opts.releaseOldInBackground, expectReplaced });
    recordExported(this.store, this.jsonlPath, written.hash, written.key);
    this.index = written.index.build(written.key, written.hash, written.bytes);
  }
}

function refuseEmpty(file: string): void {
  if (!fs.existsSync(file)) return;
  const lines = countIssueLines(file);
  if (lines > 0) throw new EmptyExportError(file, lines);
}
