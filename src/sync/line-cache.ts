import type { BeadsStore } from '../store/beads-store';

const NEWLINE = Buffer.from('\n');

/** A full re-read is cheaper than this many single-row lookups per cached line. */
const FULL_RENDER_FRACTION = 0.25;

export interface RenderedJsonl {
  /** The whole file, in memory the cache reuses: read it before the next render but one, never change it. */
  data: Buffer;
  issues: number;
  /** How the lines were obtained: every row read, or only the rows changed since last time. */
  mode: 'full' | 'incremental';
}

/** SQLite's BINARY collation compares UTF-8 bytes; JS `<` compares UTF-16 units. */
function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

interface Change {
  id: string;
  /** The row's line now, or undefined when the row is gone. */
  line: Buffer | undefined;
  /** Where the id is in the previous render, or where it would go. */
  index: number;
  found: boolean;
}

/**
 * The JSONL as last rendered, so that an export after a few mutations reads only the rows this
 * connection changed (`store.drainTouched()`) instead of every row, and splices them into the
 * previous bytes with a few large copies: at 10k issues a full read is ~50–75 ms, this ~1 ms.
 *
 * Anything the cache cannot account for forces a full read: the first render, a commit by
 * another connection (`PRAGMA data_version` moved: a `--no-daemon` CLI, another tool), a
 * render that failed half-way, or more changed rows than a full read costs. Memory: one copy
 * of the JSONL's bytes, plus the ids.
 */
export class LineCache {
  private ids: string[] = [];
  /** `ends[i]`: offset just past line i's newline in `data`. */
  private ends: number[] = [];
  /** The last render: the start of `memory`, an allocation of our own (never the shared pool). */
  private data: Buffer = Buffer.alloc(0);
  private memory: Buffer = Buffer.alloc(0);
  /**
   * The allocation of the render before last, written over by the next one: touching fresh
   * memory costs a page fault per 4 KiB, ~10 ms per 8.5 MB on this VM, more than the copy.
   */
  private spare: Buffer = Buffer.alloc(0);
  private dataVersion: number | null = null;

  /** Call inside the transaction the export reads in, so the rows are one snapshot. */
  render(store: BeadsStore): RenderedJsonl {
    try {
      const touched = store.drainTouched();
      const version = store.dataVersion();
      const incremental =
        this.dataVersion === version && touched.size <= Math.max(16, this.ids.length * FULL_RENDER_FRACTION);
      if (incremental) this.applyChanges(store, touched);
      else this.readAll(store);
      this.dataVersion = version;
      return { data: this.data, issues: this.ids.length, mode: incremental ? 'incremental' : 'full' };
    } catch (err) {
      this.dataVersion = null;
      throw err;
    }
  }

  private readAll(store: BeadsStore): void {
    const ids: string[] = [];
    const ends: number[] = [];
    const parts: Buffer[] = [];
    let bytes = 0;
    for (const [id, line] of store.idsAndLineBytes()) {
      ids.push(id);
      parts.push(line, NEWLINE);
      bytes += line.length + 1;
      ends.push(bytes);
    }
    const out = this.takeSpare(bytes);
    let off = 0;
    for (const part of parts) off += part.copy(out, off);
    this.ids = ids;
    this.ends = ends;
    this.data = out;
  }

  private applyChanges(store: BeadsStore, touched: Set<string>): void {
    if (touched.size === 0) return;
    const changes: Change[] = [...touched]
      .sort(compareIds)
      .map((id) => ({ id, line: store.lineBytesOf(id), ...this.search(id) }))
      .filter((c) => c.found || c.line !== undefined);
    let size = this.data.length;
    for (const c of changes) {
      if (c.found) size -= this.ends[c.index] - this.start(c.index);
      if (c.line) size += c.line.length + 1;
    }

    // Unchanged runs of lines are copied in one piece; changed lines go in between, in id order.
    const out = this.takeSpare(size);
    const ids: string[] = [];
    const ends: number[] = [];
    let next = 0; // first old line not yet copied or dropped
    let off = 0;
    const copyOldUpTo = (stop: number): void => {
      if (stop <= next) return;
      const from = this.start(next);
      const shift = off - from;
      off += this.data.copy(out, off, from, this.ends[stop - 1]);
      for (let k = next; k < stop; k++) {
        ids.push(this.ids[k]);
        ends.push(this.ends[k] + shift);
      }
      next = stop;
    };
    for (const c of changes) {
      copyOldUpTo(c.index);
      if (c.found) next = c.index + 1;
      if (c.line) {
        off += c.line.copy(out, off);
        out[off++] = 0x0a;
        ids.push(c.id);
        ends.push(off);
      }
    }
    copyOldUpTo(this.ids.length);
    this.ids = ids;
    this.ends = ends;
    this.data = out;
  }

  /**
   * `size` bytes for the next render, in the spare allocation when it is big enough; the current
   * one becomes the spare. The caller of `render` is done with the previous data by now.
   */
  private takeSpare(size: number): Buffer {
    const memory = this.spare.length >= size ? this.spare : Buffer.allocUnsafeSlow(Math.ceil(size * 1.25));
    this.spare = this.memory;
    this.memory = memory;
    return memory.subarray(0, size);
  }

  private start(index: number): number {
    return index === 0 ? 0 : this.ends[index - 1];
  }

  /** Binary search in byte order: where `id` is, or where it would go. */
  private search(id: string): { found: boolean; index: number } {
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareIds(this.ids[mid], id);
      if (c === 0) return { found: true, index: mid };
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    return { found: false, index: lo };
  }
}
