import type { StoreMutation } from './store-types';

/**
 * The store's change notifications. Listeners hear of a write only once it is committed: while
 * a group commit runs, mutations are held and reported after its commit (or dropped with a job
 * that rolled back).
 */
export class ChangeFeed {
  private readonly listeners = new Set<(m: StoreMutation) => void>();
  /** Mutations of a `batch` in progress, reported once it commits; null = report at once. */
  private held: StoreMutation[] | null = null;

  constructor(private readonly now: () => Date) {}

  onMutation(listener: (m: StoreMutation) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(op: string, id: string): void {
    const m = { op, id, at: this.now().getTime() };
    if (this.held) this.held.push(m);
    else this.deliver(m);
  }

  /** Starts holding mutations; the returned list fills until `release`. */
  hold(): StoreMutation[] {
    if (this.held) throw new Error('BeadsStore.batch cannot be nested');
    this.held = [];
    return this.held;
  }

  /** Stops holding, then reports what was held (what is left of it after rollbacks). */
  release(held: StoreMutation[], deliver: boolean): void {
    this.held = null;
    if (deliver) for (const m of held) this.deliver(m);
  }

  private deliver(m: StoreMutation): void {
    for (const l of this.listeners) l(m);
  }
}
