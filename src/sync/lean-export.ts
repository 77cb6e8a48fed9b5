import * as fs from 'node:fs';
import { createTemp } from '../jsonl/atomic-write';
import type { BeadsStore } from '../store/beads-store';
import { exportBuffer, ExportWriter, SourceChangedError } from './export-writer';
import { META_HASH, META_STAT, statKey } from './jsonl-file-state';
import { idEquals, LineIndexBuilder, lowerBound, scanJsonl, type LineIndex } from './line-index';
import { progressMeter, type ProgressMeter } from './sync-progress';
import { otherRecordsByPrefix } from './other-records-shape';
import { probeable, probeWalk } from './probe-walk';

/**
 * # The memory-lean export (issue 13)
 *
 * The daemon used to keep the whole JSONL in memory (the line cache: ~90 MB of bytes at 100k
 * issues, ~385 MB of RSS once V8 had copied them around). The lean export keeps a
 * {@link LineIndex} instead (id, offset, length of each line, and the stat and SHA-256 of the
 * file it describes: ~4 MB at 100k) and writes the next file by walking it in id order:
 *
 * - a line whose row is unchanged since the last export is copied from the file on disk, as
 *   one byte range for each run of consecutive unchanged lines (through a 1 MB buffer);
 * - a changed row (`dirty = 1`) is written from the DB, in its place by id; a deleted id
 *   (`deletions`) is left out; a new id goes where it sorts;
 * - the new file's index is built as it is written, and its SHA-256 hashed on the way;
 * - the records that are not issues (bd's memories, src/jsonl/other-records.ts) come last, from
 *   the store; the index leaves their lines out.
 *
 * Why the copy is exact: a row that is not dirty is byte for byte the line of the file the DB
 * last synced with (see `IssueRows.dirtyIdsAndLineBytes`). So the copy is only made from *that* file:
 * the index is used only when its stat key and hash are the ones recorded at the last sync
 * (`jsonl_stat`, `jsonl_hash`) and the file's stat still matches; else the file is scanned
 * again (read in 1 MB chunks, hashed, indexed) and used only if its hash is the recorded one;
 * else (an outside edit the export has merged, an unreadable shape) every row is rendered from
 * the DB, still streamed, never held whole. An index is never trusted blindly.
 *
 * Crash safety is the temp + fsync + rename of `atomicWriteFile`: the new file is written
 * beside the old one (which it copies from) and renamed over it, so kill -9 at any point
 * leaves the old or the new complete JSONL, and a stale temp is swept at the next start.
 *
 * # The incremental import (designed here, built with the store's new methods)
 *
 * An outside change of k lines is recognised by bytes: the file last synced is kept as a
 * hard link (`.beads/.issues.jsonl.base`, made at each sync, checked against `jsonl_stat` so
 * an in-place edit of the shared inode is caught); the new file is read in chunks, each line
 * compared by id with the base's line (same length and `Buffer.compare`, no JSON.parse); only
 * lines that differ, are new, or whose row is dirty go through the merge rules; ids gone from
 * the file are the deletion candidates. Cost: reading both files + the SHA-256 the import
 * already does, plus k parses. Anything it cannot account for (no valid base, ids out of
 * order, duplicates) falls back to the full import.
 *
 * # The adaptive write-ahead lead
 *
 * The export's slow part (this walk, the hash, the fsync) runs ahead of the deadline and the
 * export at the deadline is a rename (staged-export.ts). The lead follows the measured cost
 * of the last prepares (`export/prepared` reports `ms`), as a pure function in the pipeline
 * (`adaptiveLead` in src/pipeline/adaptive-lead.ts, marble-tested): feedback through the
 * pipeline, not around it.
 */

export interface WrittenExport {
  /** The temp file beside the JSONL, to be renamed over it: synced, unless written with `sync: false`. */
  tmp: string;
  hash: string;
  bytes: number;
  issues: number;
  /** How it was written: copying unchanged lines from the file, or every row from the DB. */
  mode: 'copy' | 'full';
  /** The temp's stat key, which is the file's once renamed into place (same inode, size, mtime). */
  key: string;
  /** The new file's index; `stat` is filled in once the temp is renamed into place. None from a one-shot export (see probe-walk.ts). */
  index?: LineIndexBuilder;
}

/** The index of `jsonlPath` as last synced, if one can be had without trusting anything stale. */
export function usableIndex(store: BeadsStore, jsonlPath: string, previous: LineIndex | undefined): LineIndex | undefined {
  const synced = syncedFile(store, jsonlPath);
  if (!synced) return undefined;
  const { stat, hash } = synced;
  if (previous && previous.stat === stat && previous.hash === hash) return previous;
  const scanned = scanJsonl(jsonlPath, stat, store.count());
  return scanned && scanned.hash === hash ? scanned : undefined;
}

/** The file's stat key and the hash it must have when it is, by its stat, the one last synced. */
function syncedFile(store: BeadsStore, jsonlPath: string): { stat: string; hash: string } | undefined {
  const stat = statKey(jsonlPath);
  const syncedHash = store.getMeta(META_HASH);
  if (stat === null || stat !== store.getMeta(META_STAT) || !syncedHash) return undefined;
  if (!otherRecordsByPrefix(store)) return undefined;
  return { stat, hash: syncedHash };
}

/**
 * Writes the JSONL the DB would export to a synced temp file beside `jsonlPath`, holding no
 * copy of the file. Call inside a transaction (one snapshot of the rows). On failure no temp
 * is left.
 */
export function writeExportTemp(
  store: BeadsStore,
  jsonlPath: string,
  previous: LineIndex | undefined,
  /** What a long-lived exporter reuses from one export to the next (see `LeanExporter`). */
  reuse: ExportStorage = {},
  /** false: the temp is not fsynced here; whoever renames it must sync it first (the write-ahead does, off the main thread). */
  sync = true,
  /** The caller exports once and keeps no index: with none at hand, the changes' places are searched for (probe-walk.ts). */
  oneShot = false,
): WrittenExport {
  const synced = oneShot && !previous ? syncedFile(store, jsonlPath) : undefined;
  const probe = synced && probeable(store) ? synced.hash : undefined;
  const index = probe ? undefined : usableIndex(store, jsonlPath, previous);
  const sized = previous ?? index;
  const storage = {
    buffer: reuse.buffer ?? exportBuffer(),
    spare: reuse.spare,
    capacity: sized?.count ?? 0,
    idCapacity: sized ? sized.idStarts[sized.count] : 0,
  };
  try {
    return writeTemp(store, jsonlPath, probe ? { probe } : index, storage, sync);
  } catch (err) {
    if (!(err instanceof SourceChangedError)) throw err;
    return writeTemp(store, jsonlPath, undefined, storage, sync);
  }
}

/**
 * Memory an export may write into instead of allocating its own: the writer's 1 MB buffer
 * (see `ExportWriter`), and an index no longer in use (`spare`) whose arrays the new file's
 * index is built in. Both must be free: used by no other index, staged file or writer.
 */
export interface ExportStorage {
  buffer?: Buffer;
  spare?: LineIndex;
}

/**
 * `from`: the old file's index (copy its unchanged lines), `{ probe: hash }` (copy them without
 * an index, from a file that must have that hash: probe-walk.ts), or undefined (every row from the DB).
 */
function writeTemp(
  store: BeadsStore,
  jsonlPath: string,
  from: LineIndex | { probe: string } | undefined,
  storage: { buffer: Buffer; spare: LineIndex | undefined; capacity: number; idCapacity: number },
  sync: boolean,
): WrittenExport {
  // O_EXCL, never through a file or symlink already at the name (see createTemp).
  const { tmp, fd } = createTemp(jsonlPath);
  const probe = from && 'probe' in from ? from.probe : undefined;
  const index = probe === undefined ? (from as LineIndex | undefined) : undefined;
  // The new file's size is known only at the end: the old one's is the estimate the bar shows.
  const meter = progressMeter('export', jsonlPath, index?.bytes ?? sizeOf(jsonlPath));
  try {
    const writer = new ExportWriter(fd, storage.buffer);
    let built: LineIndexBuilder | undefined;
    let issues: number;
    if (probe !== undefined) issues = probeWalk(store, jsonlPath, writer, meter, probe);
    else {
      built = new LineIndexBuilder(storage.capacity, storage.spare, storage.idCapacity);
      issues = index ? copyWalk(store, jsonlPath, index, writer, built, meter) : fullWalk(store, writer, built, meter);
    }
    // After the issues, as newer bd writes them; never in the index, which holds issue lines only.
    writer.write(store.otherRecords());
    const hash = writer.finish(sync);
    fs.closeSync(fd);
    meter.end();
    return { tmp, hash, bytes: writer.position, issues, mode: from ? 'copy' : 'full', key: statKey(tmp) ?? '', index: built };
  } catch (err) {
    meter.end();
    try {
      fs.closeSync(fd);
    } catch {
      // already closed
    }
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function fullWalk(store: BeadsStore, writer: ExportWriter, built: LineIndexBuilder, meter: ProgressMeter): number {
  let n = 0;
  for (const [id, line] of store.idsAndLineBytes()) {
    built.addId(id, writer.position, line.length);
    writer.line(line);
    meter.tick(line.length + 1);
    n++;
  }
  return n;
}

/**
 * The old file's lines in id order, with the changed rows and the deletions merged in. Between
 * two changes the old lines are copied without looking at each one's id: the next changed or
 * deleted id's place is found by a binary search of the index, and the lines up to it go as
 * byte ranges (one per run of lines adjacent in the old file) and into the new index as runs.
 */
function copyWalk(
  store: BeadsStore,
  jsonlPath: string,
  index: LineIndex,
  writer: ExportWriter,
  built: LineIndexBuilder,
  meter: ProgressMeter,
): number {
  // Ids as UTF-8 bytes: their byte order is the index's and SQLite's (BINARY).
  const deleted = store
    .goneDeletionIds()
    .map((id) => Buffer.from(id, 'utf8'))
    .sort(Buffer.compare);
  const changed = store.dirtyIdsAndLineBytes();
  let next = changed.next();
  let nextId = next.done ? undefined : Buffer.from(next.value[0], 'utf8');
  const source = fs.openSync(jsonlPath, 'r');
  const { offsets, lengths, count } = index;
  let n = 0;
  /** Copies old lines [from, to), none of them changed or deleted. */
  const copyLines = (from: number, to: number): void => {
    let a = from;
    while (a < to) {
      let b = a + 1;
      while (b < to && offsets[b] === offsets[b - 1] + lengths[b - 1] + 1) b++;
      const start = offsets[a];
      const length = offsets[b - 1] + lengths[b - 1] - start;
      built.addRun(index, a, b, writer.position - start);
      writer.copyRange(source, start, length, jsonlPath);
      writer.write(NEWLINE);
      meter.advance(b - a, length + 1);
      n += b - a;
      a = b;
    }
  };
  const writeChanged = (): void => {
    const [, line] = next.value as [string, Buffer];
    built.add(nextId!, 0, nextId!.length, writer.position, line.length);
    writer.line(line);
    meter.tick(line.length + 1);
    n++;
    next = changed.next();
    nextId = next.done ? undefined : Buffer.from(next.value[0], 'utf8');
  };
  try {
    let i = 0; // the next old line not yet copied or skipped
    let d = 0; // the next deletion not yet looked for
    for (;;) {
      const atChanged = nextId ? lowerBound(index, nextId, i) : count;
      // The next deletion that is a line of the old file (one that is not is nothing to skip).
      let atDeleted = count;
      while (d < deleted.length) {
        const at = lowerBound(index, deleted[d], i);
        if (idEquals(index, at, deleted[d])) {
          atDeleted = at;
          break;
        }
        d++;
      }
      const stop = Math.min(atChanged, atDeleted);
      copyLines(i, stop);
      i = stop;
      if (nextId && atChanged === stop) {
        // A changed row replaces the old line of its id, if there is one; a new id goes here.
        if (idEquals(index, i, nextId)) i++;
        writeChanged();
      } else if (atDeleted === stop && stop < count) {
        i++;
        d++;
      } else break;
    }
    while (nextId !== undefined) writeChanged();
  } finally {
    fs.closeSync(source);
    // The rows are walked by hand (next()), not by for…of: a throw part-way (the old file
    // shorter than its index, SourceChangedError, retried by the caller) would otherwise leave
    // the statement open, and then every later query on the connection fails with "This
    // database connection is busy executing a query" — the daemon's for good.
    changed.return?.();
  }
  return n;
}

const NEWLINE = Buffer.from('\n');
