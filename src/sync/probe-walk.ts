import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type { BeadsStore } from '../store/beads-store';
import { SourceChangedError, type ExportWriter, type SourceTally } from './export-writer';
import { META_SYNCED_BY } from './jsonl-file-state';
import { idRangeOfLine, idStartOf } from './line-index';
import type { ProgressMeter } from './sync-progress';

/**
 * # The export of a command that exports once, without an index
 *
 * A one-shot command (`bd-rx update` in direct mode) has no line index in memory and keeps none
 * after it: scanning the file to build one (every line's id, ~0.2 s at 100k) cost as much as
 * the copy itself. When the file on disk is one this tool wrote (`jsonl_synced_by` = export,
 * stat unchanged) its lines are in id order, so the place of each changed or deleted id is found
 * by a binary search over the file's bytes (a few reads of a few KB each), and everything
 * between those places is copied as it is. Every byte of the old file passes through the copy or
 * the skip of a replaced line, hashed on the way: a file whose SHA-256 is not the one recorded at
 * the last sync throws SourceChangedError at the end, and the caller writes every row from the
 * DB instead (the temp is dropped). So nothing is trusted that the bytes do not confirm.
 *
 * {@link probeable} says when this does not apply: another writer's file (its lines may not be
 * in the export's shape), records that are not issues (the export writes them after the issues,
 * from the store), or more changes than probing is worth (each costs ~17 probes; past
 * {@link PROBE_MAX} a scan is cheaper). Anything else about the file (a last line with no
 * newline, say) is the hash's to catch: a file this tool wrote has none of it.
 */
export const PROBE_MAX = 2000;

/** Whether {@link probeWalk} may copy from the workspace file, once its stat says it is the one last synced. */
export function probeable(store: BeadsStore): boolean {
  return store.getMeta(META_SYNCED_BY) === 'export' && store.pendingExportCount() <= PROBE_MAX && store.otherRecords().length === 0;
}

/** A line the probe read cannot be placed by its id (not in the export's shape): the caller writes from the DB. */
class UnplaceableLineError extends SourceChangedError {
  constructor(file: string) {
    super(file);
    this.message = `${file} has a line whose id a binary search cannot read: the export is written from the database`;
    this.name = 'UnplaceableLineError';
  }
}

/**
 * Writes the new file into `writer`: the old file's bytes with each changed row's line put in
 * its id's place (replacing the old line of that id, if any) and each deleted id's line left
 * out. Returns the issue lines written. Throws SourceChangedError when the old file is not the
 * one whose hash is `expectedHash` (see above).
 */
export function probeWalk(store: BeadsStore, jsonlPath: string, writer: ExportWriter, meter: ProgressMeter, expectedHash: string): number {
  const deleted = store
    .goneDeletionIds()
    .map((id) => Buffer.from(id, 'utf8'))
    .sort(Buffer.compare);
  const changed = store.dirtyIdsAndLineBytes();
  const source = fs.openSync(jsonlPath, 'r');
  const tally: SourceTally = { hash: createHash('sha256'), newlines: 0 };
  let written = 0;
  try {
    const file = new FileProbe(source, fs.fstatSync(source).size, jsonlPath);
    let at = 0; // the next old byte not yet copied or skipped: a line start
    const copyTo = (to: number): void => {
      if (to <= at) return;
      const before = tally.newlines;
      writer.copyRange(source, at, to - at, jsonlPath, tally);
      written += tally.newlines - before;
      meter.advance(tally.newlines - before, to - at);
      at = to;
    };
    let next = changed.next();
    let nextId = next.done ? undefined : Buffer.from(next.value[0], 'utf8');
    let d = 0;
    while (nextId !== undefined || d < deleted.length) {
      const isChange = nextId !== undefined && (d >= deleted.length || Buffer.compare(nextId, deleted[d]) <= 0);
      const target = isChange ? nextId! : deleted[d];
      const place = file.seek(target, at);
      copyTo(place.start);
      if (place.equal) {
        // The old line of this id: read (and hashed) but not written.
        file.hashRange(place.start, place.end, tally);
        at = place.end;
      }
      if (isChange) {
        const line = (next.value as [string, Buffer])[1];
        writer.line(line);
        meter.tick(line.length + 1);
        written++;
        next = changed.next();
        nextId = next.done ? undefined : Buffer.from(next.value[0], 'utf8');
      } else d++;
    }
    copyTo(file.size);
  } finally {
    fs.closeSync(source);
    changed.return?.();
  }
  if (tally.hash.digest('hex') !== expectedHash) throw new SourceChangedError(jsonlPath);
  return written;
}

const NEWLINE = 0x0a;
/** Below this many bytes between the bounds, the search reads line by line. */
const LINEAR = 16 * 1024;
const READ = 4096;

/** Reads lines of a file in the export's order at byte offsets, for a binary search by id. */
class FileProbe {
  private buf = Buffer.allocUnsafe(READ);

  constructor(
    private readonly fd: number,
    readonly size: number,
    private readonly name: string,
  ) {}

  /**
   * The first line at or after line start `from` whose id is ≥ `target` (bytes): its start and
   * end (after its newline), and whether its id is `target`; `start = size` when there is none.
   * Every line before `from` is known to sort before `target`.
   */
  seek(target: Buffer, from: number): { start: number; end: number; equal: boolean } {
    let a = from; // a line start; every line before it sorts before target
    let b = this.size; // every line starting at or after b sorts at or after target
    while (b - a > LINEAR) {
      const m = a + Math.floor((b - a) / 2);
      const s = this.lineStartFrom(m, b);
      if (s >= b) {
        b = m;
        continue;
      }
      const end = this.readLine(s);
      if (this.compareId(end - s - 1, target) < 0) a = end;
      else b = s;
    }
    for (let p = a; p < this.size; ) {
      const end = this.readLine(p);
      const c = this.compareId(end - p - 1, target);
      if (c >= 0) return { start: p, end, equal: c === 0 };
      p = end;
    }
    return { start: this.size, end: this.size, equal: false };
  }

  /** Hashes (and counts the newlines of) bytes [from, to), which the walk skips. */
  hashRange(from: number, to: number, tally: SourceTally): void {
    const end = this.readLine(from);
    if (end !== to) throw new SourceChangedError(this.name);
    tally.hash.update(this.buf.subarray(0, to - from));
    tally.newlines++;
  }

  /** The first line start in [m, limit) (m > 0), or `limit` when none starts there. */
  private lineStartFrom(m: number, limit: number): number {
    for (let pos = m - 1; pos < limit; pos += READ) {
      const n = this.read(pos, Math.min(READ, limit - pos), 0);
      const nl = this.buf.indexOf(NEWLINE, 0);
      if (nl >= 0 && nl < n) return Math.min(pos + nl + 1, limit);
    }
    return limit;
  }

  /** Reads the line starting at `start` into `buf` (its newline included); returns where it ends. */
  private readLine(start: number): number {
    let filled = 0;
    for (;;) {
      if (filled === this.buf.length) {
        const bigger = Buffer.allocUnsafe(this.buf.length * 2);
        this.buf.copy(bigger, 0, 0, filled);
        this.buf = bigger;
      }
      const n = this.read(start + filled, this.buf.length - filled, filled);
      if (n === 0) throw new SourceChangedError(this.name); // no newline before the end: not the file it was
      const nl = this.buf.indexOf(NEWLINE, filled);
      filled += n;
      if (nl >= 0 && nl < filled) return start + nl + 1;
    }
  }

  /** The id of the line in `buf` (`length` bytes, no newline) against `target`, as bytes. */
  private compareId(length: number, target: Buffer): number {
    const quote = idRangeOfLine(this.buf, 0, length);
    if (quote < 0) throw new UnplaceableLineError(this.name);
    return this.buf.compare(target, 0, target.length, idStartOf(this.buf, 0, length), quote);
  }

  private read(position: number, length: number, into: number): number {
    return fs.readSync(this.fd, this.buf, into, Math.min(length, Math.max(0, this.size - position)), position);
  }
}
