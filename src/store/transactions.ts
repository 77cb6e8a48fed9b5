import type Database from 'better-sqlite3';
import type { ChangeFeed } from './change-feed';
import { storeErrorOf } from './store-errors';
import type { BatchOutcome, StoreMutation } from './store-types';

type Runner = Database.Transaction<(fn: () => unknown) => unknown>;

/** Transactions on the one connection, and group commit on top of them. */
export class Transactions {
  /**
   * One transaction wrapper for every write: `db.transaction(fn)` builds four wrapped functions
   * each call (~12 µs), a noticeable share of an RPC create. Nested calls become savepoints.
   */
  private readonly runner: Runner;

  constructor(
    private readonly db: Database.Database,
    private readonly feed: ChangeFeed,
  ) {
    this.runner = db.transaction((fn: () => unknown) => fn());
  }

  /**
   * Runs `fn` in a transaction (a savepoint inside one), rolled back if it throws. IMMEDIATE
   * too: a deferred transaction that reads, then writes after another process committed, fails
   * at once with SQLITE_BUSY (its snapshot is stale; busy_timeout cannot help). Seen as
   * "database is locked" answers from the daemon while a direct-mode CLI wrote.
   */
  inTransaction<T>(fn: () => T): T {
    return this.runner.immediate(fn) as T;
  }

  /**
   * Like `inTransaction`, but takes the write lock at the start (BEGIN IMMEDIATE): what `fn`
   * reads cannot be changed by another connection before it writes.
   */
  inWriteTransaction<T>(fn: () => T): T {
    return this.runner.immediate(fn) as T;
  }

  /** A transaction of this connection is open (its reads would see uncommitted rows). */
  isOpen(): boolean {
    return this.db.inTransaction;
  }

  /**
   * Group commit: runs each job in its own savepoint inside one transaction, so N writes cost
   * one commit instead of N. A job that throws is rolled back alone (and its mutations are not
   * reported); the others stand. Listeners hear of the mutations only after the commit. If the
   * commit itself fails, nothing of the batch is kept and this throws.
   */
  batch(jobs: ReadonlyArray<() => unknown>): BatchOutcome[] {
    const held = this.feed.hold();
    let outcomes: BatchOutcome[] | undefined;
    try {
      // One job: its own transaction does what the savepoint would (a rollback drops it alone).
      outcomes = jobs.length === 1 ? [this.runAlone(jobs[0], held)] : this.runTogether(jobs, held);
    } catch (err) {
      throw storeErrorOf(err, this.db.name);
    } finally {
      this.feed.release(held, outcomes !== undefined);
    }
    return outcomes.map((o) => (o.ok ? o : { ok: false, error: storeErrorOf(o.error, this.db.name) }));
  }

  private runTogether(jobs: ReadonlyArray<() => unknown>, held: StoreMutation[]): BatchOutcome[] {
    return this.inTransaction(() =>
      jobs.map((job) => {
        const mark = held.length;
        try {
          return { ok: true as const, value: this.inTransaction(job) };
        } catch (error) {
          held.length = mark;
          return { ok: false as const, error };
        }
      }),
    );
  }

  private runAlone(job: () => unknown, held: StoreMutation[]): BatchOutcome {
    try {
      return { ok: true, value: this.inTransaction(job) };
    } catch (error) {
      held.length = 0;
      return { ok: false, error };
    }
  }
}
