/**
 * Gathers the event log's lines and writes those of one turn of the event loop as one chunk.
 * Under a stream of RPC writes the daemon logs a `store/mutated` line per write: one write(2)
 * each, to a file in `.beads/` whose every change also wakes the watcher thread. Batched, a
 * turn that served 16 clients costs one. Lines keep their order and are never split; `flush`
 * writes what is pending at once (the daemon calls it before it exits).
 */
export class LineBatcher {
  private pending: string[] = [];
  private scheduled = false;

  constructor(
    private readonly writeChunk: (chunk: string) => void,
    private readonly defer: (flush: () => void) => void = (flush) => setImmediate(flush),
  ) {}

  /** Queues one line (without its newline). */
  write(line: string): void {
    this.pending.push(line);
    if (this.scheduled) return;
    this.scheduled = true;
    this.defer(() => this.flush());
  }

  /** Writes every queued line now, as one chunk. */
  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const lines = this.pending;
    this.pending = [];
    this.writeChunk(lines.join('\n') + '\n');
  }
}
