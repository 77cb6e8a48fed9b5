import { isUtf8 } from 'node:buffer';

/** What `pushChecked` yields in place of a line that is not valid UTF-8. */
export const NOT_UTF8 = Symbol('not utf-8');

/**
 * Splits a byte stream into newline-terminated lines, holding at most `maxLineBytes` of an
 * unfinished line. A line longer than that (finished or not) trips `tooLong` for good: the
 * splitter drops what it held and ignores further input, so a peer cannot make it buffer
 * without bound. Splitting happens on bytes, before decoding, so a UTF-8 character cut across
 * two chunks is decoded whole (0x0A never occurs inside a multi-byte character).
 */
export class NdjsonLines {
  private held: Buffer[] = [];
  private heldBytes = 0;
  private overflowed = false;

  constructor(readonly maxLineBytes: number) {}

  /** True once a line exceeded `maxLineBytes`; the splitter then yields nothing more. */
  get tooLong(): boolean {
    return this.overflowed;
  }

  /** Bytes of the unfinished line currently held (never more than `maxLineBytes`). */
  get bufferedBytes(): number {
    return this.heldBytes;
  }

  /** The complete lines `chunk` finishes, without their newline, in order. */
  push(chunk: Buffer): string[] {
    return this.split(chunk).map((line) => line.toString('utf8'));
  }

  /**
   * Like `push`, but a line that is not valid UTF-8 comes out as `NOT_UTF8` instead of being
   * decoded with U+FFFD in place of its bad bytes: a request whose text would be changed on
   * the way in can be refused rather than stored altered.
   */
  pushChecked(chunk: Buffer): Array<string | typeof NOT_UTF8> {
    return this.split(chunk).map((line) => (isUtf8(line) ? line.toString('utf8') : NOT_UTF8));
  }

  private split(chunk: Buffer): Buffer[] {
    const lines: Buffer[] = [];
    let start = 0;
    while (!this.overflowed && start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.length : newline;
      if (this.heldBytes + (end - start) > this.maxLineBytes) {
        this.overflow();
        break;
      }
      const part = chunk.subarray(start, end);
      if (newline === -1) {
        // A copy, so a few held bytes do not pin the whole (possibly 64 KB) read buffer.
        this.held.push(Buffer.from(part));
        this.heldBytes += part.length;
        break;
      }
      lines.push(this.take(part));
      start = newline + 1;
    }
    return lines;
  }

  private take(last: Buffer): Buffer {
    const line = this.heldBytes === 0 ? last : Buffer.concat([...this.held, last]);
    this.held = [];
    this.heldBytes = 0;
    return line;
  }

  private overflow(): void {
    this.overflowed = true;
    this.held = [];
    this.heldBytes = 0;
  }
}
