import type { BeadsStore } from '../store/beads-store';

interface Job {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Collects the writes that arrive over RPC in one turn of the event loop (every request line
 * read from every socket so far) and commits them together with `store.batch`, after the I/O
 * of that turn (`setImmediate`; `defer` decides, and may flush at once). 16 clients writing at
 * once share a commit. Each write still succeeds or fails on its own, and is answered only
 * after its commit.
 */
export class GroupCommit {
  private jobs: Job[] = [];
  private scheduled = false;

  constructor(
    private readonly store: BeadsStore,
    private readonly defer: (flush: () => void) => void = (flush) => setImmediate(flush),
  ) {}

  /** Runs `run` (a synchronous store write) in the next batch; settles after the commit. */
  submit<T>(run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.jobs.push({ run, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        this.defer(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const jobs = this.jobs;
    this.jobs = [];
    if (jobs.length === 0) return;
    let outcomes: ReturnType<BeadsStore['batch']>;
    try {
      outcomes = this.store.batch(jobs.map((j) => j.run));
    } catch (err) {
      for (const j of jobs) j.reject(err);
      return;
    }
    outcomes.forEach((o, i) => (o.ok ? jobs[i].resolve(o.value) : jobs[i].reject(o.error)));
  }
}
