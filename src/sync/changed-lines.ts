import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isOtherRecordLine, type OtherRecordLine } from '../jsonl/other-records';
import { isIssueLine, parseJsonlLine, type JsonlRecord } from '../jsonl/parse-jsonl';
import type { BeadsStore } from '../store/beads-store';
import { FileWindow } from './file-window';
import { META_STAT, statKey } from './jsonl-file-state';
import { idOfLine, indexId, utf8Id } from './line-index';
import { otherRecordsByPrefix } from './other-records-shape';
import { fdStatKey } from './stat-key';
import { basePathFor } from './synced-base';

export interface ChangedLines {
  /** The lines to merge: new, different from the base, or of an id changed locally. */
  incoming: Map<string, JsonlRecord>;
  /** Lines recognised as the base's, byte for byte, of ids not changed locally. */
  unchanged: number;
  /**
   * The ids of the new file's lines read one by one: all but those in runs recognised as the
   * base's own bytes (see `skipRun`), which hold no locally changed id and no id of `gone`. So
   * it answers exactly for those ids, the only ones the merge asks about.
   */
  present: Set<string>;
  /** Ids in the base and no longer in the file: the deletion candidates. */
  gone: string[];
  /** The new file's records of other kinds, all of them (they are few, and replace the stored ones whole). */
  others: OtherRecordLine[];
}

/** The workspace JSONL as the incremental import read it: the lines that changed, and what identifies the bytes read. */
export interface ScannedJsonl {
  changed: ChangedLines;
  /** SHA-256 hex of the file's bytes (`contentHash`). */
  hash: string;
  /** The stat key of exactly the bytes read (see `readWithKey`). */
  key: string;
  bytes: number;
}

export interface ScanOptions {
  /** Bytes per read (tests make it small, so lines and comparisons straddle reads). */
  chunk?: number;
}

const NEWLINE = 0x0a;
/** Bytes per read of either file: the walk holds about two of these of each. */
const CHUNK = 1 << 20;
/**
 * The most bytes compared at once when looking for a run of lines the base holds byte for byte:
 * half a read, so keeping the bytes not yet compared moves at most that much per read.
 */
const RUN = 1 << 19;
/** A run ends this close (bytes) to the first byte that differs, found by halving the comparison. */
const RUN_SLACK = 64;
/** With more locally changed or gone ids than this, each is not looked for in the file: line by line throughout. */
const MAX_SEARCHED = 64;
const ID_START = Buffer.from('{"id":"');
/** An id a line can start `{"id":"<id>"` with, byte for byte: nothing JSON or bd's encoder escapes. */
// eslint-disable-next-line no-control-regex
const PLAIN_ID = /^[^"\\<>&\u0000-\u001f\u007f\u2028\u2029]+$/;

/**
 * The lines of the JSONL at `jsonlPath` that differ from the file last synced (the base), found
 * by walking both in id order and comparing bytes: no line the DB already holds is parsed, and
 * neither file is held whole (each is read through a few MB, see {@link FileWindow}); the new
 * file is hashed on the way. Undefined when this cannot be trusted or does not apply, and the
 * import reads the file in full: no file, no base, a base whose stat is not the one recorded at
 * the last sync (the shared inode was edited in place), ids out of order or repeated in either
 * file (the full import's dedupe handles them), or a file that moved while it was read.
 */
export function changedLines(store: BeadsStore, jsonlPath: string, opts: ScanOptions = {}): ScannedJsonl | undefined {
  if (!otherRecordsByPrefix(store)) return undefined;
  const fd = openOrUndefined(jsonlPath);
  if (fd === undefined) return undefined;
  try {
    const baseFd = openOrUndefined(basePathFor(jsonlPath));
    if (baseFd === undefined) return undefined;
    try {
      // Stats of the open files: the bytes read are those of these identities.
      if (fdStatKey(baseFd) !== store.getMeta(META_STAT)) return undefined;
      const key = fdStatKey(fd);
      const hash = createHash('sha256');
      const chunk = opts.chunk ?? CHUNK;
      const data = new FileWindow(fd, chunk, (bytes) => hash.update(bytes));
      const changed = walk(store, jsonlPath, data, new FileWindow(baseFd, chunk), chunk);
      // Renamed over or written meanwhile: the whole-file read, which waits for it to settle.
      if (!changed || statKey(jsonlPath) !== key) return undefined;
      return { changed, hash: hash.digest('hex'), key, bytes: data.end };
    } finally {
      fs.closeSync(baseFd);
    }
  } finally {
    fs.closeSync(fd);
  }
}

function openOrUndefined(file: string): number | undefined {
  try {
    return fs.openSync(file, 'r');
  } catch {
    return undefined;
  }
}

function walk(store: BeadsStore, jsonlPath: string, data: FileWindow, old: FileWindow, chunk: number): ChangedLines | undefined {
  const run = Math.min(RUN, chunk >> 1);
  const slack = Math.max(1, Math.min(RUN_SLACK, run >> 2));
  const localIds = store.locallyChangedIds();
  const local = new Set(localIds.map(indexId));
  const file = path.basename(jsonlPath);
  // Where the lines of locally changed ids start in the new file: a run skipped by bytes must
  // stop before each, so each goes through the merge rules. Undefined: runs are not skipped.
  const mustRead = localIds.length <= MAX_SEARCHED ? lineStartsIn(data, localIds, chunk) : undefined;
  // (Undefined too when a local id could be written escaped: its line could not be found by bytes.)
  let nextMust = 0;
  const out: ChangedLines = { incoming: new Map(), unchanged: 0, present: new Set(), gone: [], others: [] };

  let oAt = 0;
  let oStart = 0;
  let oEnd = 0;
  let oId: string | undefined;
  let oLast: string | undefined;
  const nextOld = (): boolean => {
    for (;;) {
      if (old.fill(oAt, 1) === 0) {
        oId = undefined;
        return true;
      }
      const nl = old.newline(oAt);
      oStart = oAt;
      oEnd = nl < 0 ? old.end : nl;
      oAt = oEnd + 1;
      const s = oStart - old.base;
      const e = oEnd - old.base;
      // Blank lines and the base's other records play no part: the new file's replace them whole.
      if (e === s || isOtherRecordLine(old.buf, s, e)) continue;
      oId = idOfLine(old.buf, s, e);
      if (oId === undefined || (oLast !== undefined && !(oLast < oId))) return false;
      oLast = oId;
      return true;
    }
  };
  if (!nextOld()) return undefined;

  let at = 0;
  let lineNo = 0;
  let last: string | undefined;
  let skipped = false;
  while (data.fill(at, 1) > 0) {
    if (mustRead && oId !== undefined) {
      // A run of whole lines the base holds byte for byte, at the same place: counted, not read
      // line by line (at 100k issues this walk was most of an outside edit's import).
      while (nextMust < mustRead.length && mustRead[nextMust] < at) nextMust++;
      const r = skipRun(data, at, old, oStart, mustRead[nextMust] ?? Infinity, run, slack);
      if (r) {
        const firstId = idOfLine(data.buf, at - data.base, r.firstEnd - data.base);
        const lastId = idOfLine(data.buf, r.lastStart - data.base, r.end - 1 - data.base);
        if (firstId === undefined || lastId === undefined) return undefined;
        if (last !== undefined && !(last < firstId)) return undefined;
        out.unchanged += r.lines;
        lineNo += r.lines;
        last = lastId;
        oLast = lastId;
        oAt = oStart + (r.end - at);
        at = r.end;
        skipped = true;
        if (!nextOld()) return undefined;
        continue;
      }
    }
    const found = data.newline(at);
    const nl = found < 0 ? data.end : found;
    const s = at - data.base;
    const e = nl - data.base;
    at = nl + 1;
    lineNo++;
    let id = idOfLine(data.buf, s, e);
    let parsed: JsonlRecord | undefined;
    if (id === undefined) {
      // Not in the export's shape (another key first, CRLF, a conflict marker, another kind of
      // record): parsed, and so refused or kept, exactly as the full import would.
      const l = parseCopy(data.buf, s, e, lineNo, file);
      if (!l) continue;
      if (!isIssueLine(l)) {
        out.others.push(l);
        continue;
      }
      parsed = l;
      id = indexId(parsed.record.id);
    }
    if (last !== undefined && !(last < id)) return undefined;
    last = id;
    while (oId !== undefined && oId < id) {
      out.gone.push(utf8Id(oId));
      if (!nextOld()) return undefined;
    }
    let same = false;
    if (oId === id) {
      const os = oStart - old.base;
      same = !parsed && oEnd - oStart === e - s && data.buf.compare(old.buf, os, os + (e - s), s, e) === 0;
      if (!nextOld()) return undefined;
    }
    if (same && !local.has(id)) {
      out.unchanged++;
      out.present.add(utf8Id(id));
      continue;
    }
    if (!parsed) {
      const l = parseCopy(data.buf, s, e, lineNo, file);
      if (!l) continue;
      if (!isIssueLine(l)) {
        out.others.push(l); // `{"id":…` first and a `_type` further on: another record after all
        continue;
      }
      parsed = l;
    }
    out.incoming.set(parsed.record.id, parsed);
    out.present.add(parsed.record.id);
  }
  while (oId !== undefined) {
    out.gone.push(utf8Id(oId));
    if (!nextOld()) return undefined;
  }
  // An id gone from its place may still be on a line a run skipped (a file with an id twice, or
  // out of order there): that is the full import's to sort out, never a deletion.
  if (skipped && out.gone.length > 0) {
    if (out.gone.length > MAX_SEARCHED) return undefined;
    const elsewhere = lineStartsIn(data, out.gone, chunk);
    if (elsewhere === undefined || elsewhere.length > 0) return undefined;
  }
  return out;
}

/** A line parsed from a copy of its bytes: the window's buffer is read over, the record's bytes are stored later. */
function parseCopy(buf: Buffer, start: number, end: number, lineNo: number, file: string) {
  const bytes = Buffer.from(buf.subarray(start, end));
  return parseJsonlLine(bytes, 0, bytes.length, lineNo, file);
}

/**
 * The run of whole lines from `at` in `data` that `old` holds byte for byte from `o`, each in the
 * export's plain shape (`{"id":"…` … `}`), ending before `stop` (a line that must be read).
 * Undefined when there is not one such line. Costs a few comparisons of up to `run` bytes and
 * one newline search per line, against an id read and a comparison per line in both files.
 * Offsets are the files'; the run's lines are readable in `data.buf` when it returns.
 */
function skipRun(
  data: FileWindow,
  at: number,
  old: FileWindow,
  o: number,
  stop: number,
  run: number,
  slack: number,
): { end: number; lines: number; firstEnd: number; lastStart: number } | undefined {
  const max = Math.min(data.fill(at, run), old.fill(o, run));
  if (max <= ID_START.length) return undefined;
  const d = data.buf;
  const ds = at - data.base;
  const os = o - old.base;
  let same = max;
  if (d.compare(old.buf, os, os + max, ds, ds + max) !== 0) {
    let lo = 0;
    let hi = max;
    while (hi - lo > slack) {
      const mid = (lo + hi) >>> 1;
      if (d.compare(old.buf, os, os + mid, ds, ds + mid) === 0) lo = mid;
      else hi = mid;
    }
    same = lo;
  }
  const limit = Math.min(ds + same, stop - data.base);
  let p = ds;
  let lines = 0;
  let firstEnd = -1;
  let lastStart = -1;
  while (p < limit) {
    const nl = d.indexOf(NEWLINE, p);
    // The newline must be inside the common bytes too, so the old line ends at the same place.
    if (nl < 0 || nl >= ds + same || !plainLine(d, p, nl)) break;
    if (firstEnd < 0) firstEnd = nl;
    lastStart = p;
    lines++;
    p = nl + 1;
  }
  if (lines === 0) return undefined;
  return { end: data.base + p, lines, firstEnd: data.base + firstEnd, lastStart: data.base + lastStart };
}

/** `{"id":"` first and `}` last: an issue line as the export writes it (a `_type` line, blank, CRLF, or another shape is not). */
function plainLine(buf: Buffer, start: number, end: number): boolean {
  if (end - start < ID_START.length + 2 || buf[end - 1] !== 0x7d) return false;
  for (let i = 0; i < ID_START.length; i++) if (buf[start + i] !== ID_START[i]) return false;
  return true;
}

/**
 * Where lines starting `{"id":"<id>"` begin in the file `window` reads, for each of `ids`, in
 * offset order: a pass of its own, through a window of its own, over the same descriptor.
 * Undefined when an id could be written another way (characters JSON or bd escapes): its lines
 * cannot be found by their bytes.
 */
function lineStartsIn(window: FileWindow, ids: readonly string[], chunk: number): number[] | undefined {
  if (ids.length === 0) return [];
  if (!ids.every((id) => PLAIN_ID.test(id))) return undefined;
  const needles = ids.map((id) => Buffer.from(`{"id":"${id}"`, 'utf8'));
  const w = window.rewound(chunk);
  const starts: number[] = [];
  for (let from = 0; ; ) {
    const n = w.fill(from, chunk);
    if (n === 0) break;
    // Whole lines only, so a match at the region's start is at a line's start and none is cut.
    let to = from + n;
    if (n === chunk) {
      const nl = w.buf.lastIndexOf(NEWLINE, to - 1 - w.base);
      if (nl >= from - w.base) to = w.base + nl + 1;
      else {
        // One line longer than a read: up to its end (or the file's).
        const end = w.newline(from);
        to = end < 0 ? w.end : end + 1;
      }
    }
    const rs = from - w.base;
    const re = to - w.base;
    for (const needle of needles) {
      for (let i = w.buf.indexOf(needle, rs); i >= 0 && i + needle.length <= re; i = w.buf.indexOf(needle, i + 1)) {
        if (i === rs || w.buf[i - 1] === NEWLINE) starts.push(w.base + i);
      }
    }
    from = to;
  }
  return starts.sort((a, b) => a - b);
}
