import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { isOtherRecordLine } from '../jsonl/other-records';

/**
 * Where each line of a JSONL file is: its id, byte offset and length (without the newline),
 * in file order, plus what identifies the file it describes (its stat key and SHA-256). At 100k
 * issues this is ~4 MB, against ~90 MB for the bytes themselves: the lean export keeps this
 * and copies unchanged lines from the file on disk (see lean-export.ts).
 *
 * Ids are kept as latin1 decodings of their UTF-8 bytes: one code unit per byte, so `<` on
 * them is byte order, SQLite's BINARY collation, the order the export writes.
 *
 * The arrays may be longer than `count` (their storage is reused from one export to the next,
 * see {@link LineIndexBuilder}): only the first `count` entries are the file's.
 */
export interface LineIndex {
  count: number;
  ids: string[];
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

/** An id as the index keeps it (see {@link LineIndex}). */
export function indexId(id: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(id) ? id : Buffer.from(id, 'utf8').toString('latin1');
}

/** An id kept as {@link indexId} keeps it, back as the JS string JSON.parse gives. */
export function utf8Id(id: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(id) ? id : Buffer.from(id, 'latin1').toString('utf8');
}

/** Room for this many more lines than asked for, so a few creates do not make the arrays grow. */
const SLACK = 1024;

/**
 * Collects the index of bytes written in order, line by line, into arrays allocated once at
 * about the size needed: `capacity` lines (the previous index's count), or the storage of an
 * index nobody uses any more (`recycled`), which the daemon's exporter hands over from one
 * export to the next. Growing plain arrays by `push` left ~7 MB of garbage per export at 100k
 * (every doubling a copy, each copy a large object that only a full GC frees): tens of MB of
 * the daemon's RSS after a run of writes.
 */
export class LineIndexBuilder {
  private ids: string[];
  private offsets: Float64Array;
  private lengths: Uint32Array;
  private count = 0;

  constructor(capacity = 0, recycled?: LineIndex) {
    const wanted = capacity + SLACK;
    if (recycled && recycled.offsets.length >= wanted) {
      ({ ids: this.ids, offsets: this.offsets, lengths: this.lengths } = recycled);
    } else {
      this.ids = new Array<string>(wanted);
      this.offsets = new Float64Array(wanted);
      this.lengths = new Uint32Array(wanted);
    }
  }

  /** Lines added so far. */
  get size(): number {
    return this.count;
  }

  add(id: string, offset: number, length: number): void {
    if (this.count === this.offsets.length) this.grow();
    this.ids[this.count] = id;
    this.offsets[this.count] = offset;
    this.lengths[this.count] = length;
    this.count++;
  }

  build(stat: string, hash: string, bytes: number): LineIndex {
    // Ids left over from the storage's previous use would keep their strings alive: dropped.
    this.ids.fill('', this.count);
    return { count: this.count, ids: this.ids, offsets: this.offsets, lengths: this.lengths, stat, hash, bytes };
  }

  private grow(): void {
    const n = this.offsets.length * 2;
    const ids = new Array<string>(n);
    for (let i = 0; i < this.count; i++) ids[i] = this.ids[i];
    const offsets = new Float64Array(n);
    offsets.set(this.offsets);
    const lengths = new Uint32Array(n);
    lengths.set(this.lengths);
    this.ids = ids;
    this.offsets = offsets;
    this.lengths = lengths;
  }
}

/**
 * The id of a line as the export writes it: `{"id":"…"` (or `{"_type":"issue","id":"…"`) first,
 * no escapes in the id, ending in `}`. Anything else (another key first, `\r`, blank, spaces)
 * returns undefined: such a file is not one the lean export can reproduce by copying, so it
 * renders in full.
 */
export function idOfLine(buf: Buffer, start: number, end: number): string | undefined {
  if (end - start < ID_PREFIX.length + 2 || buf[end - 1] !== CLOSE) return undefined;
  const prefix = hasPrefix(buf, start, end, ID_PREFIX) ? ID_PREFIX : hasPrefix(buf, start, end, TYPED_ID_PREFIX) ? TYPED_ID_PREFIX : undefined;
  if (!prefix) return undefined;
  const from = start + prefix.length;
  const quote = buf.indexOf(QUOTE, from);
  if (quote < 0 || quote >= end) return undefined;
  const slash = buf.indexOf(BACKSLASH, from);
  if (slash >= 0 && slash < quote) return undefined;
  return buf.toString('latin1', from, quote);
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
    let last: string | undefined;
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
        const id = idOfLine(buf, at, nl);
        if (id === undefined || (last !== undefined && !(last < id))) return undefined;
        out.add(id, base + at, nl - at);
        last = id;
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
