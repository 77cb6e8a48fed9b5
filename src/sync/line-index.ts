import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { isOtherRecordLine } from '../jsonl/other-records';

/**
 * Where each line of a JSONL file is: its id, byte offset and length (without the newline),
 * in file order, plus what identifies the file it describes (its stat key and SHA-256). The
 * lean export keeps this and copies unchanged lines from the file on disk (see lean-export.ts).
 *
 * Everything is in four typed arrays, no JS object or string per line: the ids are their UTF-8
 * bytes back to back in `idBytes` (id `i` is `idBytes[idStarts[i], idStarts[i + 1])`), so at
 * 100k issues the index is ~2.8 MB outside the JS heap. As 100k strings (~32 bytes each, plus
 * an array of pointers) it was ~4 MB more on the heap, and a scan that made them, all
 * surviving, drove V8 to grow its young generation (~8 MB of the idle daemon's RSS). Byte
 * order of `idBytes` ranges is SQLite's BINARY collation, the order the export writes.
 *
 * The arrays may be longer than `count` (their storage is reused from one export to the next,
 * see {@link LineIndexBuilder}): only the first `count` entries are the file's.
 */
export interface LineIndex {
  count: number;
  idBytes: Buffer;
  /** `count + 1` entries are meaningful: `idStarts[count]` is where the last id ends. */
  idStarts: Uint32Array;
  offsets: Float64Array;
  lengths: Uint32Array;
  /** `statKey` of the file described, once it is in place. */
  stat: string;
  /** SHA-256 hex of the file's bytes (`contentHash`). */
  hash: string;
  bytes: number;
}

const ID_PREFIX = Buffer.from('{"id":"');
/** newer bd's issue lines: `"_type":"issue"` before the id (see other-records.ts). */
const TYPED_ID_PREFIX = Buffer.from('{"_type":"issue","id":"');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CLOSE = 0x7d;
const NEWLINE = 0x0a;
const CHUNK = 1 << 20;

/** An id as the latin1-keyed maps of changed-lines.ts keep it: one code unit per byte, so `<` is byte order. */
export function indexId(id: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(id) ? id : Buffer.from(id, 'utf8').toString('latin1');
}

/** An id kept as {@link indexId} keeps it, back as the JS string JSON.parse gives. */
export function utf8Id(id: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(id) ? id : Buffer.from(id, 'latin1').toString('utf8');
}

/** The id of line `i` of `index` as a string (tests and error messages; the export compares bytes). */
export function idAt(index: LineIndex, i: number): string {
  return index.idBytes.toString('utf8', index.idStarts[i], index.idStarts[i + 1]);
}

/** The first line at or after `from` whose id is not below `key` (`count` if none): a binary search. */
export function lowerBound(index: LineIndex, key: Buffer, from = 0): number {
  const { idBytes, idStarts } = index;
  let lo = from;
  let hi = index.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key.compare(idBytes, idStarts[mid], idStarts[mid + 1]) > 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** True when line `i` of `index` has the id `key`. */
export function idEquals(index: LineIndex, i: number, key: Buffer): boolean {
  return i < index.count && key.compare(index.idBytes, index.idStarts[i], index.idStarts[i + 1]) === 0;
}

/** Room for this many more lines than asked for, so a few creates do not make the arrays grow. */
const SLACK = 1024;
/** Id bytes allowed per line when nothing better is known (bd's ids are ~8-20 bytes). */
const ID_BYTES_GUESS = 24;

/**
 * Collects the index of bytes written in order, line by line or a run of an older index's lines
 * at a time, into arrays allocated once at about the size needed: `capacity` lines and
 * `idCapacity` id bytes (the previous index's), or the storage of an index nobody uses any more
 * (`recycled`), which the daemon's exporter hands over from one export to the next. Growing
 * arrays per export left ~7 MB of garbage per export at 100k (every doubling a copy): tens of
 * MB of the daemon's RSS after a run of writes.
 */
export class LineIndexBuilder {
  private idBytes: Buffer;
  private idStarts: Uint32Array;
  private offsets: Float64Array;
  private lengths: Uint32Array;
  private count = 0;
  /** Bytes of `idBytes` used. */
  private used = 0;

  constructor(capacity = 0, recycled?: LineIndex, idCapacity = capacity * ID_BYTES_GUESS) {
    const wanted = capacity + SLACK;
    const wantedBytes = idCapacity + SLACK * ID_BYTES_GUESS;
    // Storage with room for what is expected and a little more is taken as it is: asking for
    // the full slack again would refuse it as soon as the file has grown by a line since it was
    // allocated, so a file that grows by one create per export got new arrays every time
    // (~2.8 MB at 100k, freed only by a GC, and into a fragmented malloc heap).
    const room = SLACK / 8;
    if (recycled && recycled.offsets.length >= capacity + room && recycled.idBytes.length >= idCapacity + room * ID_BYTES_GUESS) {
      ({ idBytes: this.idBytes, idStarts: this.idStarts, offsets: this.offsets, lengths: this.lengths } = recycled);
    } else {
      this.idBytes = Buffer.allocUnsafeSlow(wantedBytes);
      this.idStarts = new Uint32Array(wanted + 1);
      this.offsets = new Float64Array(wanted);
      this.lengths = new Uint32Array(wanted);
    }
    this.idStarts[0] = 0;
  }

  /** Lines added so far. */
  get size(): number {
    return this.count;
  }

  /** A line whose id is the bytes `src[start, end)`. */
  add(src: Buffer, start: number, end: number, offset: number, length: number): void {
    this.room(1, end - start);
    src.copy(this.idBytes, this.used, start, end);
    this.push(end - start, offset, length);
  }

  /** A line whose id is the string `id` (a row of the DB). */
  addId(id: string, offset: number, length: number): void {
    this.room(1, id.length * 3);
    this.push(this.idBytes.write(id, this.used, 'utf8'), offset, length);
  }

  /** Lines `[from, to)` of `src`, each `shift` bytes further into the new file than in the old. */
  addRun(src: LineIndex, from: number, to: number, shift: number): void {
    const n = to - from;
    const idFrom = src.idStarts[from];
    const idLen = src.idStarts[to] - idFrom;
    this.room(n, idLen);
    src.idBytes.copy(this.idBytes, this.used, idFrom, idFrom + idLen);
    const delta = this.used - idFrom;
    const { idStarts, offsets } = this;
    const k = this.count;
    for (let j = 0; j < n; j++) {
      idStarts[k + j + 1] = src.idStarts[from + j + 1] + delta;
      offsets[k + j] = src.offsets[from + j] + shift;
    }
    this.lengths.set(src.lengths.subarray(from, to), k);
    this.count += n;
    this.used += idLen;
  }

  /** Compares the bytes `src[start, end)` with the last id added: > 0 when they sort after it (or nothing was added). */
  compareWithLast(src: Buffer, start: number, end: number): number {
    if (this.count === 0) return 1;
    return src.compare(this.idBytes, this.idStarts[this.count - 1], this.used, start, end);
  }

  build(stat: string, hash: string, bytes: number): LineIndex {
    const { idBytes, idStarts, offsets, lengths, count } = this;
    return { count, idBytes, idStarts, offsets, lengths, stat, hash, bytes };
  }

  private push(idLength: number, offset: number, length: number): void {
    this.offsets[this.count] = offset;
    this.lengths[this.count] = length;
    this.used += idLength;
    this.count++;
    this.idStarts[this.count] = this.used;
  }

  private room(lines: number, idBytes: number): void {
    if (this.count + lines > this.offsets.length) {
      const n = Math.max(this.offsets.length * 2, this.count + lines + SLACK);
      const idStarts = new Uint32Array(n + 1);
      idStarts.set(this.idStarts.subarray(0, this.count + 1));
      const offsets = new Float64Array(n);
      offsets.set(this.offsets.subarray(0, this.count));
      const lengths = new Uint32Array(n);
      lengths.set(this.lengths.subarray(0, this.count));
      this.idStarts = idStarts;
      this.offsets = offsets;
      this.lengths = lengths;
    }
    if (this.used + idBytes > this.idBytes.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(this.idBytes.length * 2, this.used + idBytes + SLACK * ID_BYTES_GUESS));
      this.idBytes.copy(bigger, 0, 0, this.used);
      this.idBytes = bigger;
    }
  }
}

/**
 * The id of a line as the export writes it: `{"id":"…"` (or `{"_type":"issue","id":"…"`) first,
 * no escapes in the id, ending in `}`. Anything else (another key first, `\r`, blank, spaces)
 * returns undefined: such a file is not one the lean export can reproduce by copying, so it
 * renders in full.
 */
export function idOfLine(buf: Buffer, start: number, end: number): string | undefined {
  const quote = idRangeOfLine(buf, start, end);
  return quote < 0 ? undefined : buf.toString('latin1', idStartOf(buf, start, end), quote);
}

/**
 * Where the id of a line in the export's shape ends (the index of its closing quote; it starts
 * at {@link idStartOf}), or -1 for a line not in that shape (see {@link idOfLine}).
 */
export function idRangeOfLine(buf: Buffer, start: number, end: number): number {
  if (end - start < ID_PREFIX.length + 2 || buf[end - 1] !== CLOSE) return -1;
  const from = idStartOf(buf, start, end);
  if (from < 0) return -1;
  // Byte by byte: an id is a few bytes, and indexOf would search the rest of the buffer.
  for (let i = from; i < end; i++) {
    const b = buf[i];
    if (b === QUOTE) return i;
    if (b === BACKSLASH) return -1;
  }
  return -1;
}

/** Where the id of a line starting at `start` begins, after `{"id":"` or `{"_type":"issue","id":"`; -1 when neither. */
export function idStartOf(buf: Buffer, start: number, end = buf.length): number {
  if (hasPrefix(buf, start, end, ID_PREFIX)) return start + ID_PREFIX.length;
  if (hasPrefix(buf, start, end, TYPED_ID_PREFIX)) return start + TYPED_ID_PREFIX.length;
  return -1;
}

function hasPrefix(buf: Buffer, start: number, end: number, prefix: Buffer): boolean {
  return end - start >= prefix.length && buf.compare(prefix, 0, prefix.length, start, start + prefix.length) === 0;
}

/**
 * Reads `file` in 1 MB chunks (never whole) and indexes it, hashing it as it goes. Returns
 * undefined when the file cannot be reproduced by copying its lines in id order: a line not in
 * the export's shape, ids out of order or repeated, a blank line, or no file. Lines of other
 * records (`{"_type":"memory"…`) are left out of the index: the export writes the stored ones.
 */
export function scanJsonl(
  file: string,
  stat: string,
  /** Lines expected (the DB's issue count): the index's arrays are allocated once at that size. */
  capacity = 0,
): LineIndex | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const hash = createHash('sha256');
    const out = new LineIndexBuilder(capacity);
    let buf = Buffer.allocUnsafe(CHUNK);
    let filled = 0; // bytes of buf holding data not yet indexed (a partial line at its start)
    let base = 0; // file offset of buf[0]
    for (;;) {
      if (filled === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2); // one line longer than the buffer
        buf.copy(bigger, 0, 0, filled);
        buf = bigger;
      }
      const n = fs.readSync(fd, buf, filled, buf.length - filled, null);
      hash.update(buf.subarray(filled, filled + n));
      const end = filled + n;
      let at = 0;
      for (;;) {
        let nl = buf.indexOf(NEWLINE, at);
        if (nl < 0 || nl >= end) {
          if (n > 0) break;
          if (at >= end) break;
          nl = end; // the last line, with no newline after it
        }
        if (isOtherRecordLine(buf, at, nl)) {
          at = nl + 1;
          continue;
        }
        const quote = idRangeOfLine(buf, at, nl);
        if (quote < 0) return undefined;
        const from = idStartOf(buf, at, nl);
        // Ids strictly increasing, or the file is not one the export would write.
        if (out.compareWithLast(buf, from, quote) <= 0) return undefined;
        out.add(buf, from, quote, base + at, nl - at);
        at = nl + 1;
      }
      if (n === 0) return out.build(stat, hash.digest('hex'), base + end);
      buf.copy(buf, 0, at, end);
      base += at;
      filled = end - at;
    }
  } finally {
    fs.closeSync(fd);
  }
}
