import * as fs from 'node:fs';
import { replaceWithTemp } from '../jsonl/atomic-write';
import type { BeadsStore } from '../store/beads-store';
import { countIssueLines, elapsed, EmptyExportError, type ExportReport, recordExported, untilTargetStill } from './export-jsonl';
import { importJsonl, type ImportReport } from './import-jsonl';
import { isLanded, statKey, syncedFileExpected, unchangedByStat } from './jsonl-file-state';
import { exportBuffer } from './export-writer';
import { usableIndex, writeExportTemp, type WrittenExport } from './lean-export';
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
  /** Every export of this exporter writes through this one buffer (see `ExportWriter`). */
  private readonly buffer = exportBuffer();
  /**
   * An index nobody uses any more (the one a newer file replaced, or a discarded staged file's),
   * whose arrays the next export builds its index in: two sets of arrays take turns, instead of
   * a new ~2 MB set per export (see `LineIndexBuilder`).
   */
  private spare: LineIndex | undefined;

  constructor(
    private readonly store: BeadsStore,
    private readonly jsonlPath: string,
    /**
     * `oneShot`: this exporter exports once (a command's): it keeps no index, and with none at
     * hand finds the changes' places in the file by binary search instead of indexing it.
     */
    private readonly opts: { releaseOldInBackground?: boolean; oneShot?: boolean } = {},
  ) {}

  /** The index of the file last written or scanned, if the exporter holds one (for checks). */
  get heldIndex(): LineIndex | undefined {
    return this.index;
  }

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
          const r = importJsonl(store, { jsonlPath, releaseOldInBackground: this.opts.releaseOldInBackground });
          if (!r.skipped) merged = r;
        }
        if (!opts.force && fs.existsSync(jsonlPath) && !isLanded(store, jsonlPath) && store.pendingExportCount() === 0) {
          // Nothing to write, but the next export will want the file's index: have it now (the
          // daemon's start-up export, on an idle daemon) rather than in the first write's export,
          // where scanning the file (~0.3-2 s at 100k) came on top of the debounce. One stat
          // when the index is already the file's.
          if (this.opts.oneShot) return { skipped: 'clean', issues: 0, bytes: 0, ms: 0 };
          const t0 = performance.now();
          const before = this.index;
          this.index = usableIndex(store, jsonlPath, before);
          const indexed = this.index !== undefined && this.index !== before ? { indexed_ms: elapsed(t0) } : {};
          return { skipped: 'clean', issues: 0, bytes: 0, ms: 0, ...indexed };
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
   * `sync: false` leaves the temp unsynced: it must be fsynced before it is committed.
   */
  stage(opts: { sync?: boolean } = {}): (StagedExport & { written: WrittenExport }) | undefined {
    const { store, jsonlPath } = this;
    if (store.isInTransaction()) return undefined;
    return store.inTransaction(() => {
      if (!unchangedByStat(store, jsonlPath) || store.pendingExportCount() === 0) return undefined;
      const jsonlStat = statKey(jsonlPath);
      if (jsonlStat === null || store.count() === 0) return undefined;
      const written = this.write(opts.sync ?? true);
      const { tmp, hash, bytes, issues, key } = written;
      return { tmp, hash, bytes, issues, key, jsonlStat, dataVersion: store.dataVersion(), totalChanges: store.totalChanges(), written };
    });
  }

  /**
   * After `commitStagedExport` renamed `staged` into place (`committed`): its index is the
   * file's now. Otherwise, or for a staged file given up on, the file is removed. Every staged
   * export of this exporter ends here, so its index's arrays are reused.
   */
  staged(staged: StagedExport & { written: WrittenExport }, committed: boolean): void {
    const { written } = staged;
    if (committed) {
      this.replaceIndex(written.index?.build(written.key, written.hash, written.bytes));
    } else {
      discardStagedExport(staged);
      this.spare = written.index?.build('', '', 0);
    }
  }

  private write(sync = true): WrittenExport {
    const spare = this.spare;
    this.spare = undefined;
    return writeExportTemp(this.store, this.jsonlPath, this.index, { buffer: this.buffer, spare }, sync, this.opts.oneShot);
  }

  /** Renames `written` into place unless the file changed since the export looked (then it throws `TargetChangedError`, the temp removed). */
  private install(written: WrittenExport): void {
    const expectReplaced = syncedFileExpected(this.store, this.jsonlPath);
    try {
      replaceWithTemp(written.tmp, this.jsonlPath, { releaseOldInBackground: this.opts.releaseOldInBackground, expectReplaced });
      recordExported(this.store, this.jsonlPath, written.hash, written.key, this.opts);
    } catch (err) {
      // Whatever is at the path now, the old index may not describe it.
      this.spare = this.index;
      this.index = undefined;
      throw err;
    }
    this.replaceIndex(written.index?.build(written.key, written.hash, written.bytes));
  }

  private replaceIndex(next: LineIndex | undefined): void {
    this.spare = this.index;
    this.index = next;
  }
}

function refuseEmpty(file: string): void {
  if (!fs.existsSync(file)) return;
  const lines = countIssueLines(file);
  if (lines > 0) throw new EmptyExportError(file, lines);
}
