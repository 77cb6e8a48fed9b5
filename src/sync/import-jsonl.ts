import * as fs from 'node:fs';
import * as path from 'node:path';
import { contentHash } from '../jsonl/content-hash';
import { joinOtherRecords, mergeOtherRecordsByKey, splitOtherRecords, type OtherRecordLine } from '../jsonl/other-records';
import { parseJsonl, type JsonlRecord } from '../jsonl/parse-jsonl';
import { compareTimestamps } from '../jsonl/rfc3339';
import type { BeadsStore, WriteFlags } from '../store/beads-store';
import { isLanded, META_HASH, META_STAT, readWithKey, recordSynced, unchangedByStat } from './jsonl-file-state';
import { flushInBackground } from '../os/flush-in-background';
import { spareCore } from '../os/spare-core';
import { progressMeter, type ProgressMeter } from './sync-progress';
import { changedLines, type ChangedLines } from './changed-lines';
import { discardStagedSource, freshWorkspaceJsonl, installSourceAsJsonl, SourceNotCopiedError, stageSourceAsJsonl } from './source-as-jsonl';
import { streamRecords, type IncomingRecords } from './stream-records';
import { loadIntoEmpty } from './bulk-load';
import { openArriving } from './arriving-file';
import { PREPARSE_SCRIPT, preparsedRows, readShared, type PreparsedRows } from './preparsed-rows';
import { countWarnings, futureHorizon, noWarnings, type ImportWarnings } from './import-warnings';

export type { ImportWarnings } from './import-warnings';

export interface ImportReport {
  /** Set when nothing was read into the DB, with why. */
  skipped?: 'unchanged' | 'missing';
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
  /** Incoming records older than the local copy: the local one was kept (and will export). */
  kept_local: string[];
  /** Local unexported changes replaced by a newer incoming record (reported, never silent). */
  overwritten_local: string[];
  duplicates: Array<{ id: string; lines: number[]; kept_line: number }>;
  warnings: ImportWarnings;
  /**
   * Lines of the file that are records of another kind (bd's memories, …): kept as they are and
   * written back after the issues. Absent when there are none.
   */
  other_records?: number;
  /** The DB now holds changes the JSONL lacks: an export should follow. */
  needs_export: boolean;
  /** The source was written as the workspace JSONL (`ImportOptions.writeJsonl`): no export needed. */
  jsonl_written?: true;
  hash: string;
  ms: number;
}

export interface ImportOptions {
  /** The workspace JSONL (`.beads/issues.jsonl`). */
  jsonlPath: string;
  /** Import another file instead (e.g. `import -i FILE`): merges, never deletes. */
  source?: string;
  /** Read even when the file looks unchanged since the last sync. */
  force?: boolean;
  /**
   * With `source`, for a caller that exports right after (direct mode): when the workspace is
   * fresh and the source is already what that export would write, write it as the JSONL here,
   * in the import's transaction (see source-as-jsonl.ts), and store its rows as synced.
   */
  writeJsonl?: boolean;
  /**
   * With `source`, for a caller no daemon serves (direct mode): a large import into an empty DB
   * may take it out of WAL for the load (`BeadsStore.withRollbackJournal`; it stays in WAL when
   * another connection has it open).
   */
  bulkJournal?: boolean;
  /**
   * See `keepBase`: the replaced base's blocks are freed on libuv's thread pool. The process must
   * not end with `process.exit()` before that unlink (its event loop waits for it).
   */
  releaseOldInBackground?: boolean;
  /**
   * Merge the workspace file as another file is merged (`import -i`): nothing deleted, what it
   * brings marked for export, nothing recorded as synced. For a file that appeared while an
   * export's swap had the path empty (see `TargetLandedError`): it may be a whole file or one
   * line a writer created because it found none, so its absences mean nothing.
   */
  additive?: boolean;
  /**
   * A whole file into a DB with no issues: its lines parsed ahead, on a thread of their own,
   * while the rows go in (bulk-load.ts). By default for another file (read into shared memory)
   * of BULK_MIN records or more, when the thread's compiled script is there and a core is
   * spare (`BD_RX_IMPORT_THREAD`: `0` never, `1` always); otherwise record by record. Tests force it at any size
   * with the thread script to use (`script: false`: parsed inline), or turn it off (`false`).
   */
  bulkLoad?: false | { script: string | false };
}

/** A report of an import that read nothing (or the empty start of one that will). */
export function emptyReport(skipped: ImportReport['skipped'], hash = ''): ImportReport {
  return {
    skipped,
    created: 0,
    updated: 0,
    deleted: 0,
    unchanged: 0,
    kept_local: [],
    overwritten_local: [],
    duplicates: [],
    warnings: noWarnings(),
    needs_export: false,
    hash,
    ms: 0,
  };
}

/** Same id twice: the newest `updated_at` wins (a tie goes to the later line). */
function dedupe(records: JsonlRecord[], report: ImportReport): Map<string, JsonlRecord> {
  const byId = new Map<string, JsonlRecord>();
  const seen = new Map<string, number[]>();
  for (const r of records) {
    const prev = byId.get(r.record.id);
    if (prev) {
      const lines = seen.get(r.record.id) ?? [prev.lineNo];
      lines.push(r.lineNo);
      seen.set(r.record.id, lines);
      if (compareTimestamps(r.record.updated_at, prev.record.updated_at) >= 0) byId.set(r.record.id, r);
    } else {
      byId.set(r.record.id, r);
    }
  }
  for (const [id, lines] of seen) report.duplicates.push({ id, lines, kept_line: byId.get(id)!.lineNo });
  return byId;
}

/**
 * Merges a JSONL file into the DB in one transaction (any error leaves the DB as it was).
 * Per issue, last writer wins by `updated_at`; a local change not yet exported is never
 * silently lost; an issue absent from the file is deleted only if it was in the file at the
 * last sync and has not changed locally since.
 */
export function importJsonl(store: BeadsStore, opts: ImportOptions): ImportReport {
  const started = performance.now();
  const file = opts.source ?? opts.jsonlPath;
  const isWorkspaceFile = !opts.additive && path.resolve(file) === path.resolve(opts.jsonlPath);
  if (!fs.existsSync(file)) {
    if (!isWorkspaceFile) throw new Error(`cannot import ${file}: no such file`);
    return emptyReport('missing');
  }
  // A landed file (see META_LANDED) is in the DB already, and is not a replacement of the synced one.
  if (isWorkspaceFile && !opts.force && (unchangedByStat(store, file) || isLanded(store, file))) return emptyReport('unchanged');
  if (!isWorkspaceFile || store.isInTransaction()) return importRead(store, opts, file, isWorkspaceFile, started, false);
  // The workspace file is read, compared with the sync bookkeeping and the base, and merged
  // under the write lock: read before it, the file can be one another process has since
  // replaced (and recorded as synced, its new rows `synced = 1`), and merging that stale file
  // would delete those rows as "gone from the file" (fault 7: a lost create with 10 writers).
  return store.inWriteTransaction(() => {
    if (!fs.existsSync(file)) return emptyReport('missing');
    if (!opts.force && (unchangedByStat(store, file) || isLanded(store, file))) return emptyReport('unchanged');
    return importRead(store, opts, file, isWorkspaceFile, started, true);
  });
}

/**
 * `importJsonl` once the file is known to need reading (under the write lock for the workspace
 * file). `ownTransaction`: the caller opened the transaction for this import alone, so the merge
 * needs no savepoint of its own (one costs a copy of every page it changes).
 */
function importRead(
  store: BeadsStore,
  opts: ImportOptions,
  file: string,
  isWorkspaceFile: boolean,
  started: number,
  ownTransaction: boolean,
): ImportReport {
  // Written by git a moment ago, the file may not be on disk yet: this import's commit would wait
  // for it (see flushInBackground), so that write starts now, beside the read.
  if (isWorkspaceFile) flushInBackground(file);
  // An outside change of a few lines: the file is compared with the one last synced as it is
  // read, never held whole, and only the lines that differ are parsed (changed-lines.ts).
  const scanned = isWorkspaceFile ? changedLines(store, file) : undefined;
  let whole: Buffer | undefined;
  let key = '';
  let hash: string | undefined;
  const horizon = futureHorizon();
  /**
   * A big file into an empty DB: its parse thread, started before the file is even read (it
   * parses the lines as they arrive, see arriving-file.ts) and closed if the first pass below
   * finds the bulk load does not apply (a duplicate, another shape).
   */
  let early: PreparsedRows | undefined;
  if (scanned) ({ key, hash } = scanned);
  else if (isWorkspaceFile) {
    // The workspace file's bytes come with the stat key of exactly those bytes, which is what the
    // sync records (see recordSynced).
    const read = readWithKey(file);
    if (!read) return emptyReport('missing');
    ({ data: whole, key } = read);
    hash = contentHash(whole);
  } else {
    // Another file's bytes go where a parse thread can read them too (see bulkLoad); its hash is
    // wanted only at the end: the bulk load's thread may make it (see below).
    const arriving = openArriving(file);
    if (!arriving) whole = readShared(file);
    else {
      if (opts.bulkLoad === undefined && arriving.size >= EARLY_THREAD_BYTES && store.count() === 0 && useImportThread()) {
        early = preparsedRows(arriving.data, path.basename(file), horizon, PREPARSE_SCRIPT, arriving.progress);
      }
      try {
        whole = arriving.finish();
      } catch (err) {
        early?.close();
        throw err;
      }
    }
  }
  if (isWorkspaceFile && !opts.force && hash === store.getMeta(META_HASH)) {
    store.setMeta(META_STAT, key);
    return emptyReport('unchanged', hash);
  }
  const changed = scanned?.changed;
  const size = scanned ? scanned.bytes : whole!.length;
  const report = emptyReport(undefined, hash);
  const hashOf = (): string => (hash ??= preparsed ? preparsed.hash() : contentHash(whole!));
  let incoming: IncomingRecords;
  let others: OtherRecordLine[];
  /** The source's bytes, when they may be written as the workspace JSONL (source-as-jsonl.ts). */
  let copyable: Buffer | undefined;
  /** The bulk load's parse (bulk-load.ts), started now to run beside what comes before the inserts. */
  let preparsed: PreparsedRows | undefined;
  /** Each line's id as the first pass read it, which the bulk load checks the parsed ids against. */
  let firstPassId: ((lineNo: number) => string) | undefined;
  if (changed) {
    incoming = changed.incoming;
    others = changed.others;
    report.unchanged = changed.unchanged;
  } else {
    const buf = whole!;
    // A whole file: parsed line by line as it is merged, when its shape allows (stream-records.ts).
    const streamed = streamRecords(buf, path.basename(file));
    if (streamed) {
      report.duplicates.push(...streamed.duplicates);
      incoming = streamed.records;
      firstPassId = streamed.idOfLine;
      others = streamed.others; // filled as the records are read
      // Not inside a caller's transaction: its rollback would leave the JSONL written without the rows.
      if (!isWorkspaceFile && opts.writeJsonl === true && streamed.inExportOrder && !store.isInTransaction()) copyable = buf;
      // Only a guess until the merge looks again under the write lock (an unused parse is closed).
      const bulk = opts.bulkLoad;
      if (bulk !== false && streamed.duplicates.length === 0 && (bulk || incoming.size >= BULK_MIN) && store.count() === 0) {
        preparsed = early ?? preparsedRows(buf, path.basename(file), horizon, bulk ? bulk.script : useImportThread() ? PREPARSE_SCRIPT : false);
        early = undefined;
        // Parsed inline, the bulk load is the record-by-record import's work plus the batches'
        // (measured: no faster): by default it is worth its thread only.
        if (!bulk && !preparsed.threaded) {
          preparsed.close();
          preparsed = undefined;
        }
      }
      early?.close();
    } else {
      early?.close();
      const parsed = parseJsonl(buf, path.basename(file));
      incoming = dedupe(parsed.issues, report);
      others = parsed.others;
    }
  }

  // SQLite's default page cache (2 MB) spills dirty pages to the WAL mid-transaction and writes
  // the hot index pages again and again: a 100k import wrote 114k WAL frames for a 30k-page DB.
  // A larger cache keeps them in memory until the commit (about 15 % faster). 32 MB at most:
  // with the listing indexes built after a bulk insert, a cache the file's size (85 MB at 100k)
  // bought no CPU (8.7 vs 8.3 s) and cost 30 MB of peak RSS (317 vs 288 MB, `import -i` 100k).
  const cacheKiB = Math.min(32 * 1024, Math.ceil(size / 1024));
  const restoreCache = cacheKiB > 2000 ? store.withCacheSize(cacheKiB) : () => undefined;
  const meter = progressMeter('import', file, size);
  let notCopied = false;
  try {
    const merge = () => {
      // Judged under the write lock, so no other writer can make the workspace less fresh.
      const replacing = copyable ? freshWorkspaceJsonl(store, opts.jsonlPath) : undefined;
      const copy = copyable && replacing !== undefined ? { replacing, staged: stageSourceAsJsonl(opts.jsonlPath, copyable, preparsed) } : undefined;
      let installed = false;
      try {
        const parse = {
          horizon,
          preparsed: preparsed && whole && firstPassId ? { batches: preparsed, data: whole, file: path.basename(file), firstPassId } : undefined,
        };
        // `synced` is the workspace file's (whose hash is known by now).
        const synced = { hash: hash ?? '', key, releaseOldInBackground: opts.releaseOldInBackground };
        importRecords(store, incoming, others, isWorkspaceFile, file, synced, report, meter, changed, copy !== undefined, parse);
        hashOf(); // while the bulk load's thread, which may have made it, is still there
        if (!copy) return;
        if (others.length > 0) throw new SourceNotCopiedError('it holds records that are not issues');
        installSourceAsJsonl(store, opts.jsonlPath, copy.replacing, copy.staged, hashOf());
        installed = true;
      } finally {
        if (copy && !installed) discardStagedSource(copy.staged);
      }
      report.jsonl_written = true;
    };
    if (ownTransaction) merge();
    else if (opts.bulkJournal && !isWorkspaceFile && incoming.size >= BULK_MIN && !store.isInTransaction() && store.count() === 0) {
      store.withRollbackJournal(() => store.inTransaction(merge));
    } else store.inTransaction(merge);
    if (others.length > 0) report.other_records = others.length;
  } catch (err) {
    if (!(err instanceof SourceNotCopiedError)) throw err;
    notCopied = true;
  } finally {
    preparsed?.close();
    meter.end();
    restoreCache();
  }
  // Rolled back: imported again the ordinary way, the rows dirty for the export to write.
  if (notCopied) return importRead(store, { ...opts, writeJsonl: false }, file, isWorkspaceFile, started, ownTransaction);
  report.hash = hashOf();
  report.ms = Math.round((performance.now() - started) * 10) / 10;
  return report;
}

/** `BD_RX_IMPORT_THREAD`: `0` never, `1` always, unset (or empty) when a core is spare (see spareCore). */
function useImportThread(): boolean {
  const env = process.env.BD_RX_IMPORT_THREAD;
  if (env === undefined || env === '') return spareCore();
  if (env === '0' || env === '1') return env === '1';
  throw new ImportThreadSettingError(env);
}

export class ImportThreadSettingError extends Error {
  constructor(value: string) {
    super(`BD_RX_IMPORT_THREAD is ${JSON.stringify(value)}: set it to 0 (never parse on a thread of its own), 1 (always), or unset it (when a core is spare); nothing was imported`);
    this.name = 'ImportThreadSettingError';
  }
}

/** Below this many incoming records, keeping the listing indexes row by row costs too little to matter. */
const BULK_MIN = 1000;
/**
 * A file this big (~1,000 lines of ~1 KB) starts its parse thread before it is read (~0.2 s at
 * 100k issues) and the first pass (`streamRecords`, ~0.25 s more), instead of after both.
 */
const EARLY_THREAD_BYTES = 1 << 20;

/** The merge itself, inside the caller's transaction. */
function importRecords(
  store: BeadsStore,
  incoming: IncomingRecords,
  others: OtherRecordLine[],
  isWorkspaceFile: boolean,
  file: string,
  synced: { hash: string; key: string; releaseOldInBackground?: boolean },
  report: ImportReport,
  meter: ProgressMeter,
  /** When only changed lines are in `incoming`: every id in the file, and those gone from it. */
  scope: Pick<ChangedLines, 'present' | 'gone'> | undefined,
  /** Another file's rows stored as synced: the caller writes that file as the JSONL (source-as-jsonl.ts). */
  asSynced: boolean,
  parse: { horizon: number; preparsed?: { batches: PreparsedRows; data: Buffer; file: string; firstPassId: (lineNo: number) => string } },
): void {
  const existing = store.count();
  const emptyDb = existing === 0;
  const pendingDeletes = store.pendingDeletions();
  const flags = { dirty: !isWorkspaceFile && !asSynced, synced: isWorkspaceFile || asSynced };
  const pre = parse.preparsed;
  const merge = (): void => {
    if (pre && emptyDb && pendingDeletes.size === 0) loadIntoEmpty(store, pre.batches, pre.data, pre.file, flags, parse.horizon, report, others, meter, pre.firstPassId);
    else mergeRecords(store, incoming, flags, emptyDb, pendingDeletes, report, meter, parse.horizon);
  };
  // Into an empty or nearly empty DB the listing and relation indexes are built once, after the inserts; in
  // rollback-journal mode (a bulk load) the pages written so far start for the disk meanwhile.
  if (incoming.size >= BULK_MIN && existing < incoming.size) {
    const bulk = store.journalMode() === 'delete';
    store.withIndexesDeferred(() => {
      merge();
      if (bulk) store.flushAhead();
    });
  } else merge();
  if (isWorkspaceFile) {
    const inFile = (id: string): boolean => (scope ? scope.present.has(id) : incoming.has(id));
    if (!emptyDb) {
      // A row synced is in the file last synced: with a scope, the ids gone from it are all
      // the candidates, and the other rows need not be read.
      const locals = scope ? scope.gone.flatMap((id) => store.getRow(id) ?? []) : store.syncStates();
      for (const l of locals) {
        if (inFile(l.id)) continue;
        if (l.synced === 1 && l.dirty === 0) {
          store.removeIssue(l.id);
          report.deleted++;
        }
      }
    }
    for (const id of pendingDeletes.keys()) {
      if (!inFile(id)) store.forgetDeletion(id);
    }
    recordSynced(store, file, synced.hash, 'import', synced.key, synced);
  }
  keepOtherRecords(store, others, isWorkspaceFile);
  report.needs_export = store.pendingExportCount() > 0;
}

/** Each incoming record against the local row, by the merge rules (see `importJsonl`). */
function mergeRecords(
  store: BeadsStore,
  incoming: IncomingRecords,
  flags: WriteFlags,
  emptyDb: boolean,
  pendingDeletes: Map<string, string>,
  report: ImportReport,
  meter: ProgressMeter,
  horizon: number,
): void {
  for (const [id, { record, line, bytes }] of incoming) {
    meter.tick((bytes ?? line).length + 1);
    countWarnings(record, report.warnings, horizon);
    const local = emptyDb ? undefined : store.getRow(id);
    if (!local) {
      const deletedAt = pendingDeletes.get(id);
      if (deletedAt !== undefined && compareTimestamps(record.updated_at, deletedAt) <= 0) {
        report.kept_local.push(id);
        continue;
      }
      store.writeIssue(record, bytes ?? line, flags, true);
      report.created++;
      continue;
    }
    if (local.line === line) {
      report.unchanged++;
      if (flags.synced && (local.dirty || !local.synced)) store.markSynced(id);
      continue;
    }
    const order = compareTimestamps(record.updated_at, local.updated_at);
    if (order < 0 || (order === 0 && local.dirty === 1)) {
      report.kept_local.push(id);
      if (!local.dirty) store.markDirty(id);
      continue;
    }
    if (local.dirty === 1) report.overwritten_local.push(id);
    store.writeIssue(record, bytes ?? line, flags);
    report.updated++;
  }
}

/**
 * The file's other records into the DB. The workspace file's replace the stored ones (it is the
 * file the DB is now in step with), unless some came from another file and are not exported yet:
 * those are kept over the file's, like a local edit. Another file's are merged in by key and
 * left to the next export.
 */
function keepOtherRecords(store: BeadsStore, others: OtherRecordLine[], isWorkspaceFile: boolean): void {
  const stored = store.otherRecords();
  if (isWorkspaceFile && !store.otherRecordsDirty()) {
    const tail = joinOtherRecords(others);
    if (!tail.equals(stored)) store.setOtherRecords(tail, false);
    return;
  }
  if (others.length === 0 && !isWorkspaceFile) return;
  const merged = isWorkspaceFile
    ? mergeOtherRecordsByKey(others, splitOtherRecords(stored))
    : mergeOtherRecordsByKey(splitOtherRecords(stored), others);
  const tail = joinOtherRecords(merged);
  if (isWorkspaceFile) store.setOtherRecords(tail, !tail.equals(joinOtherRecords(others)));
  else if (!tail.equals(stored)) store.setOtherRecords(tail, true);
}
