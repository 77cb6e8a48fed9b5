/**
 * The dashboard's replay: the last `capacity` events, kept as the JSON they were sent as, so a
 * tab opened late costs one join, not a serialisation of thousands of events per tab. Memory
 * stays at `capacity` strings however long the daemon runs.
 */
export class JsonRing {
  private readonly ring: string[];
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.ring = new Array<string>(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(json: string): void {
    this.ring[this.next] = json;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** The kept events as one JSON array, oldest first. */
  toJsonArray(): string {
    const start = (this.next - this.count + this.capacity) % this.capacity;
    const inOrder = start + this.count <= this.capacity
      ? this.ring.slice(start, start + this.count)
      : [...this.ring.slice(start), ...this.ring.slice(0, this.next)];
    return `[${inOrder.join(',')}]`;
  }
}
