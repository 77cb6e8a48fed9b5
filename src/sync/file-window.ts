import * as fs from 'node:fs';

const NEWLINE = 0x0a;

/**
 * A forward-only view of a file through one reused buffer: the bytes from a file offset the
 * reader has reached on, read in chunks as the reader asks for them, those behind it dropped.
 * So a reader that walks a file once (the incremental import's byte compare of the JSONL with
 * the file last synced) holds a few MB of it, not the whole file: at 100k issues the import
 * read both files whole (2 × 85 MB, ~240 MB of a direct-mode `list`'s RSS), and an 85 MB
 * allocation is ~21k pages the kernel must fault in and zero before the read can fill them.
 *
 * Offsets are the file's; `buf[i]` holds the byte at offset `base + i`, for offsets below `end`.
 * Every byte is read once, in order, and given to `onRead` (a hash of the whole file on the way).
 */
export class FileWindow {
  buf: Buffer;
  /** The file offset of `buf[0]`. */
  base = 0;
  /** The file offset just past the last byte read. */
  end = 0;
  private eof = false;

  constructor(
    private readonly fd: number,
    /** Bytes asked of each read (the buffer starts at twice this). */
    private readonly chunk: number,
    private readonly onRead?: (bytes: Buffer) => void,
  ) {
    this.buf = Buffer.allocUnsafe(2 * chunk);
  }

  /** A new window over the same descriptor, from the file's start, reading `chunk` bytes at a time and handing them to no one. */
  rewound(chunk = this.chunk): FileWindow {
    return new FileWindow(this.fd, chunk);
  }

  /** The whole file has been read (`end` is its size). */
  get atEnd(): boolean {
    return this.eof;
  }

  /**
   * Makes the bytes at [from, from + n) readable in `buf` (fewer where the file ends first),
   * dropping those before `from`, which must not be behind `base`. Returns how many are.
   */
  fill(from: number, n: number): number {
    this.assertAhead(from);
    while (this.end < from + n && !this.eof) this.readMore(from, from + n);
    return Math.max(0, Math.min(n, this.end - from));
  }

  /**
   * The file offset of the first newline at or after `from`, with the bytes from `from` to it
   * readable in `buf` (dropping those before `from`); -1 when the file ends first, all of it
   * then read.
   */
  newline(from: number): number {
    this.assertAhead(from);
    let searched = from;
    for (;;) {
      if (searched < this.end) {
        const i = this.buf.indexOf(NEWLINE, searched - this.base);
        // Bytes past `end` are left over from earlier reads: a newline there is none.
        if (i >= 0 && i < this.end - this.base) return this.base + i;
        searched = this.end;
      }
      if (this.eof) return -1;
      this.readMore(from, this.end + this.chunk);
    }
  }

  private assertAhead(from: number): void {
    if (from < this.base) throw new RangeError(`offset ${from} is behind the window (${this.base}): a FileWindow reads forward only`);
  }

  /**
   * Reads on, towards `want` (one read), keeping the bytes from `keep`. Bytes before `keep` not
   * read yet are still read (`onRead` sees every byte) but not kept: a chunk at a time.
   */
  private readMore(keep: number, want: number): void {
    const k = Math.min(keep, this.end);
    if (k > this.base) {
      this.buf.copy(this.buf, 0, k - this.base, this.end - this.base);
      this.base = k;
    }
    const used = this.end - this.base;
    const needed = used + Math.max(this.chunk, keep > this.end ? 0 : want - this.end);
    if (needed > this.buf.length) {
      // A line or a comparison longer than the buffer: it grows (rare; lines are ~1 kB).
      const bigger = Buffer.allocUnsafe(Math.max(needed, 2 * this.buf.length));
      this.buf.copy(bigger, 0, 0, used);
      this.buf = bigger;
    }
    const n = fs.readSync(this.fd, this.buf, used, this.buf.length - used, this.end);
    if (n === 0) {
      this.eof = true;
      return;
    }
    this.onRead?.(this.buf.subarray(used, used + n));
    this.end += n;
  }
}
