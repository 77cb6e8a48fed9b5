import { createHash, type Hash } from 'node:crypto';
import * as fs from 'node:fs';

const CAPACITY = 1 << 20;
const NEWLINE = Buffer.from('\n');

export class SourceChangedError extends Error {
  constructor(file: string) {
    super(`${file} got shorter while the export copied from it: the export is retried from the database; if this repeats, stop whatever rewrites the file in place`);
    this.name = 'SourceChangedError';
  }
}

/**
 * Writes a file through one 1 MB buffer, hashing (SHA-256) what it writes, and copies byte
 * ranges of another file into it through the same buffer: so an export holds at most 1 MB
 * of the file in memory, however large the file. (Node has no copy_file_range for ranges; a
 * read into the buffer the write uses is one copy more than the kernel would do, ~20 ms per
 * 100 MB from the page cache.)
 */
export class ExportWriter {
  private used = 0;
  private readonly hash: Hash = createHash('sha256');
  /** Bytes written so far (the offset of the next byte). */
  position = 0;

  /**
   * `buf`: the 1 MB to write through, which a long-lived exporter hands to each of its writers
   * ({@link exportBuffer}): a new one per export is 1 MB of memory outside the JS heap that
   * only a garbage collection frees, and the daemon's heap, busy with little else, collects
   * rarely (tens of them piled up over a run of exports).
   */
  constructor(
    private readonly fd: number,
    private readonly buf: Buffer = exportBuffer(),
  ) {
    if (buf.length !== CAPACITY) throw new RangeError(`an export buffer is ${CAPACITY} bytes, not ${buf.length}: make it with exportBuffer()`);
  }

  write(data: Buffer): void {
    if (data.length > CAPACITY - this.used) this.flush();
    if (data.length > CAPACITY) {
      this.hash.update(data);
      writeAll(this.fd, data);
    } else {
      data.copy(this.buf, this.used);
      this.used += data.length;
    }
    this.position += data.length;
  }

  line(data: Buffer): void {
    this.write(data);
    this.write(NEWLINE);
  }

  /** Appends bytes [start, start + length) of the file open as `source`; `tally` also hashes them and counts their newlines. */
  copyRange(source: number, start: number, length: number, sourceName: string, tally?: SourceTally): void {
    while (length > 0) {
      if (this.used === CAPACITY) this.flush();
      const n = fs.readSync(source, this.buf, this.used, Math.min(length, CAPACITY - this.used), start);
      if (n === 0) throw new SourceChangedError(sourceName);
      if (tally) {
        const chunk = this.buf.subarray(this.used, this.used + n);
        tally.hash.update(chunk);
        for (let at = chunk.indexOf(NEWLINE_BYTE); at >= 0; at = chunk.indexOf(NEWLINE_BYTE, at + 1)) tally.newlines++;
      }
      this.used += n;
      this.position += n;
      start += n;
      length -= n;
    }
  }

  /**
   * Flushes, fsyncs (unless `sync` is false: the caller then syncs the file before it is
   * renamed anywhere, see `fileFsync$`); returns the SHA-256 hex of everything written.
   */
  finish(sync = true): string {
    this.flush();
    if (sync) fs.fsyncSync(this.fd);
    return this.hash.digest('hex');
  }

  private flush(): void {
    if (this.used === 0) return;
    const chunk = this.buf.subarray(0, this.used);
    this.hash.update(chunk);
    writeAll(this.fd, chunk);
    this.used = 0;
  }
}

/** What a copy read from its source, besides writing it: the source's own hash, and its lines. */
export interface SourceTally {
  hash: Hash;
  newlines: number;
}

const NEWLINE_BYTE = 0x0a;

/** A buffer for {@link ExportWriter}; one writer at a time may use it. */
export function exportBuffer(): Buffer {
  return Buffer.allocUnsafe(CAPACITY);
}

function writeAll(fd: number, data: Buffer): void {
  let off = 0;
  while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
}
