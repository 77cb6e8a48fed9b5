import * as fs from 'node:fs';
import * as path from 'node:path';
import { replaceWithTemp, TargetChangedError, writeSyncedTemp } from '../jsonl/atomic-write';
import { TargetLandedError } from '../jsonl/swap-checked';
import { contentHash } from '../jsonl/content-hash';
import { otherRecordType } from '../jsonl/other-records';
import type { BeadsStore } from '../store/beads-store';
import { importJsonl, type ImportReport } from './import-jsonl';
import { isLanded, recordLanded, recordSynced, statKey, syncedFileExpected, unchangedByStat } from './jsonl-file-state';
import { progressMeter, type ProgressMeter } from './sync-progress';

export interface ExportReport {
  skipped?: 'clean';
  issues: number;
  bytes: number;
  ms: number;
  /** The file was written ahead (`LeanExporter.stage`) and only renamed into place here. */
  staged?: true;
  /** With `staged`: what writing it ahead cost (ms), which the write-ahead lead follows. */
  prepared_ms?: number;
  /**
   * With `skipped`: the export built the file's line index instead (read and hash the file, see
   * `LeanExporter`), in this many ms; the write-ahead lead takes it as a first estimate of what
   * a prepare costs, before any export has been measured.
   */
  indexed_ms?: number;
  /** How the lean export wrote it: copying unchanged lines from the file, or every row. */
  mode?: 'copy' | 'full';
  /** An outside change to the JSONL that was merged in first, so it is not overwritten. */
  merged?: ImportReport;
}

export interface ExportOptions {
  jsonlPath: string;
  /** Write here instead of the workspace JSONL (`-` = stdout is handled by the CLI). */
  output?: string;
  /** Write even when nothing changed; allow an empty export over a non-empty file. */
  force?: boolean;
  /** See `AtomicWriteOptions`: for a long-lived process only. */
  releaseOldInBackground?: boolean;
}

export class EmptyExportError extends Error {
  constructor(file: string, lines: number) {
    super(
      `refusing to overwrite ${file} (${lines} issue line${lines === 1 ? '' : 's'}) with an empty export: ` +
        'the database has no issues. If that is really intended, run `bd-rx export --force`; ' +
        'to restore the issues from the file instead, run `bd-rx import`.',
    );
    this.name = 'EmptyExportError';
  }
}

/** The lines of `file` an empty export would wipe: every non-blank line but other records (which the export keeps). */
export function countIssueLines(file: string): number {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return 0;
  }
  let n = 0;
  for (const l of text.split('\n')) if (l.trim() !== '' && !isOtherRecordText(l)) n++;
  return n;
}

function isOtherRecordText(line: string): boolean {
  try {
    return otherRecordType(JSON.parse(line)) !== undefined;
  } catch {
    return false; // not JSON: counted, so the refusal errs on the side of keeping the file
  }
}

const NEWLINE = Buffer.from('\n');

/**
 * All issues as JSONL bytes, sorted by id in byte order (SQLite's BINARY collation), each line
 * as the UTF-8 bytes the store holds (see `IssueRows.lineBytes` for why never as JS strings),
 * then the records that are not issues, as read (src/jsonl/other-records.ts).
 */
export function renderJsonl(store: BeadsStore, meter?: ProgressMeter): { data: Buffer; issues: number } {
  const parts: Buffer[] = [];
  let bytes = 0;
  for (const [line] of store.lineBytes()) {
    parts.push(line, NEWLINE);
    bytes += line.length + 1;
    meter?.tick(line.length + 1);
  }
  const issues = parts.length / 2;
  const others = store.otherRecords();
  parts.push(others);
  return { data: Buffer.concat(parts, bytes + others.length), issues };
}

/**
 * Writes the DB to the workspace JSONL atomically. An outside change to the file that the DB
 * has not seen is imported first (merge rules), so an export never overwrites unseen work.
 * A clean DB over an unchanged file is skipped. Never writes an empty export over issues.
 */
export function exportJsonl(store: BeadsStore, opts: ExportOptions): ExportReport {
  const started = performance.now();
  const target = opts.output ?? opts.jsonlPath;
  const isWorkspaceFile = path.resolve(target) === path.resolve(opts.jsonlPath);
  let merged: ImportReport | undefined;
  // Merge, render and rename under one write lock, as the lean export does (lean-exporter.ts).
  const report = store.inWriteTransaction(() =>
    untilTargetStill(store, opts.jsonlPath, (): ExportReport => {
      if (isWorkspaceFile && fs.existsSync(target) && !unchangedByStat(store, target) && !isLanded(store, target)) {
        const r = importJsonl(store, { jsonlPath: opts.jsonlPath });
        if (!r.skipped) merged = r;
      }
      if (isWorkspaceFile && !opts.force && fs.existsSync(target) && !isLanded(store, target) && store.pendingExportCount() === 0) {
        return { skipped: 'clean', issues: 0, bytes: 0, ms: 0 };
      }
      // The file's size now is the estimate the bar shows; the new one is known only at the end.
      const meter = progressMeter('export', target, fs.existsSync(target) ? fs.statSync(target).size : 0);
      let rendered: { data: Buffer; issues: number };
      try {
        rendered = renderJsonl(store, meter);
      } finally {
        meter.end();
      }
      const { data, issues } = rendered;
      // An empty DB whose issues were deleted here is an intended empty export; an empty DB
      // with no recorded deletions is far more likely a lost or fresh DB about to wipe the file.
      const deletedHere = isWorkspaceFile && store.pendingExportCount() > 0;
      if (issues === 0 && !opts.force && !deletedHere && fs.existsSync(target)) {
        const lines = countIssueLines(target);
        if (lines > 0) throw new EmptyExportError(target, lines);
      }
      const tmp = writeSyncedTemp(target, data);
      // The temp's identity is the file's once renamed (same inode, size, mtime).
      const key = statKey(tmp) ?? '';
      const expectReplaced = isWorkspaceFile ? syncedFileExpected(store, target) : undefined;
      replaceWithTemp(tmp, target, { releaseOldInBackground: opts.releaseOldInBackground, expectReplaced });
      if (isWorkspaceFile) recordExported(store, target, contentHash(data), key, opts);
      return { issues, bytes: data.length, ms: 0 };
    }),
  );
  return { ...report, ms: elapsed(started), ...(merged ? { merged } : {}) };
}

/** How many times one export writes again after the file it was replacing changed under it. */
// Few: every attempt holds the write lock (RPC writes wait); a file that keeps changing fails
// the export as `ETARGETCHANGED`, and the pipeline retries it with backoff (export-retry.ts).
const TARGET_CHANGED_ATTEMPTS = 3;

/**
 * Runs one export attempt (merge, write, rename) again while the file it meant to replace was
 * replaced by another process in the meantime (`TargetChangedError`): each attempt merges the
 * file now there first, so the outside change is kept and the local one still written. A file
 * that appeared while the swap had the path empty (`TargetLandedError`) is merged here without
 * deletions and recorded as landed (`META_LANDED`): no import or export reads it again as a
 * replacement of the synced file (its absences are not deletions), and the next export
 * replaces it even when nothing is pending.
 */
export function untilTargetStill<T>(store: BeadsStore, jsonlPath: string, attempt: () => T): T {
  for (let n = 1; ; n++) {
    try {
      return attempt();
    } catch (err) {
      if (!(err instanceof TargetChangedError) || n >= TARGET_CHANGED_ATTEMPTS) throw err;
      if (err instanceof TargetLandedError) mergeLanded(store, jsonlPath);
    }
  }
}

/** The file at `jsonlPath` merged as `import -i` merges, then recorded as landed if it held still. */
export function mergeLanded(store: BeadsStore, jsonlPath: string): void {
  const key = statKey(jsonlPath);
  if (key === null) return;
  importJsonl(store, { jsonlPath, additive: true });
  recordLanded(store, jsonlPath, key);
}

/**
 * The DB's side of an export to the workspace JSONL, in the export's transaction once the file
 * is in place: every local change is now in the file, deletions included, and the file written
 * (`hash`, stat `key` taken from the temp before its rename) is the one the DB is in step with.
 */
export function recordExported(
  store: BeadsStore,
  jsonlPath: string,
  hash: string,
  key: string,
  opts: { releaseOldInBackground?: boolean } = {},
): void {
  store.markAllExported();
  recordSynced(store, jsonlPath, hash, 'export', key, opts);
}

/** Milliseconds since `started` (a `performance.now()`), to 0.1 ms. */
export function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
