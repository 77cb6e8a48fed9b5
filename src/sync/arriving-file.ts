import * as fs from 'node:fs';

/**
 * # A file read into shared memory while a thread already reads what has arrived
 *
 * Reading a 100k-issue JSONL (85 MB) into fresh memory takes ~0.15–0.2 s (most of it the
 * kernel's first touch of each page). The bulk load's parse thread (preparsed-rows.ts) need
 * not wait for all of it: the reader publishes how many bytes are in (`progress[BYTES]`, then
 * `progress[DONE] = 1`, both with Atomics), and the thread parses the lines that are complete
 * so far, waiting on the counter for more.
 */
export const BYTES = 0;
export const DONE = 1;

/** Reads go in pieces this big, each published as it lands. */
const PIECE = 4 << 20;

export interface ArrivingFile {
  /** The file's bytes as they arrive: `size` long, in a SharedArrayBuffer. */
  readonly data: Buffer;
  readonly size: number;
  /** Int32 [BYTES, DONE] over shared memory: what a thread may read of `data` so far. */
  readonly progress: Int32Array;
  /** Reads the rest; returns the bytes read (shorter than `size` when the file was cut short meanwhile). */
  finish(): Buffer;
}

/** Opens `file` for an arriving read; undefined for what has no size to allocate for (a pipe, a device) or is too big to count in an Int32. */
export function openArriving(file: string): ArrivingFile | undefined {
  const fd = fs.openSync(file, 'r');
  let owned = true;
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile() || stat.size > 0x7fffffff) return undefined;
    const size = stat.size;
    const data = Buffer.from(new SharedArrayBuffer(size));
    const progress = new Int32Array(new SharedArrayBuffer(8));
    owned = false;
    return {
      data,
      size,
      progress,
      finish() {
        let off = 0;
        try {
          while (off < size) {
            const n = fs.readSync(fd, data, off, Math.min(PIECE, size - off), off);
            if (n === 0) break;
            off += n;
            Atomics.store(progress, BYTES, off);
            Atomics.notify(progress, BYTES);
          }
        } finally {
          fs.closeSync(fd);
          // Whatever happened, a thread waiting for bytes learns there are no more.
          Atomics.store(progress, BYTES, off);
          Atomics.store(progress, DONE, 1);
          Atomics.notify(progress, BYTES);
        }
        return off === size ? data : data.subarray(0, off);
      },
    };
  } finally {
    if (owned) fs.closeSync(fd);
  }
}

/**
 * How many bytes of an arriving file may be read now, waiting (up to `waitMs`) when no more
 * than `have` are in and the read is not done; and whether it is done. Without `progress`, the
 * whole `length` is there.
 */
export function arrived(progress: Int32Array | undefined, length: number, have: number, waitMs = 1000): { bytes: number; done: boolean } {
  if (!progress) return { bytes: length, done: true };
  // DONE before BYTES: the reader stores the last count before it sets DONE.
  let done = Atomics.load(progress, DONE) === 1;
  let bytes = Atomics.load(progress, BYTES);
  if (!done && bytes <= have) {
    Atomics.wait(progress, BYTES, bytes, waitMs);
    done = Atomics.load(progress, DONE) === 1;
    bytes = Atomics.load(progress, BYTES);
  }
  return { bytes, done };
}
