import type { BeadsStore } from '../../store/beads-store';

interface Job {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Collects writes that arrive over RPC and commits them together with `store.batch`, once the
 * current burst of requests has been handed over (`defer` decides when: after this turn's I/O
 * while several clients are connected, after the current task for one). 16 clients writing at
 * once, or one client with 32 requests in flight, share a commit. Each write still succeeds or
 * fails on its own, and is answered only after its commit.
 *
 * Reads must not overtake writes submitted before them (a client that pipelines `create` then
 * `show` must find its issue): `settled()` resolves once the writes submitted so far have
 * committed.
 */
export class GroupCommit {
  private jobs: Job[] = [];
  private scheduled = false;
  private waiting: Array<() => void> = [];

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

  /** True while writes wait for their commit. */
  get pending(): boolean {
    return this.jobs.length > 0;
  }

  /** Resolves once every write submitted so far has committed (or failed). */
  settled(): Promise<void> {
    if (!this.pending) return Promise.resolve();
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private flush(): void {
    this.scheduled = false;
    const jobs = this.jobs;
    const waiting = this.waiting;
    this.jobs = [];
    this.waiting = [];
    if (jobs.length > 0) {
      let outcomes: ReturnType<BeadsStore['batch']> | undefined;
      try {
        outcomes = this.store.batch(jobs.map((j) => j.run));
      } catch (err) {
        for (const j of jobs) j.reject(err);
      }
      outcomes?.forEach((o, i) => (o.ok ? jobs[i].resolve(o.value) : jobs[i].reject(o.error)));
    }
    for (const w of waiting) w();
  }
}
