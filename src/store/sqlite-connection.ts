import * as fs from 'node:fs';
import Database from 'better-sqlite3';
import { createPrivateFile } from '../workspace/private-file';
import { applySchema } from './schema';

export type CheckpointMode = 'PASSIVE' | 'TRUNCATE';

/**
 * Opens the working copy, waiting up to 30 s (bd's default lock timeout) on another process's
 * write lock, schema applied. 10 s was too short for 10 direct-mode writers on 10k issues on a
 * loaded machine: each holds the lock for its export, and SQLite's busy wait is not a queue.
 */
export function openDatabase(dbPath: string): Database.Database {
  createPrivateFile(dbPath);
  const db = new Database(dbPath, { timeout: 30_000 });
  db.pragma('busy_timeout = 30000');
  applySchema(db);
  return db;
}

/** The connection's own settings and counters: pragmas, checkpoints, change counts. */
export class SqliteConnection {
  private readonly totalChangesStmt;
  /** A descriptor of the DB file for `flushAhead`, open until `dispose` (see there why not sooner). */
  private flushFd: number | undefined;

  constructor(private readonly db: Database.Database) {
    this.totalChangesStmt = db.prepare<[], number>('SELECT total_changes()').pluck();
  }

  /**
   * Stops this connection's commits from copying the WAL back into the database file every
   * ~1,000 pages (SQLite's default): that copy and its fsync then land on whichever write
   * happens to cross the threshold (about one create in 200, taking 5–20 ms). The daemon calls
   * this and runs `checkpoint()` after each export instead, off the request path.
   */
  deferCheckpoints(): void {
    this.db.pragma('wal_autocheckpoint = 0');
  }

  /** Copies committed WAL pages into the database file; PASSIVE waits on no reader. */
  checkpoint(mode: CheckpointMode = 'PASSIVE'): { walPages: number; copied: number } {
    const [row] = this.db.pragma(`wal_checkpoint(${mode})`) as Array<{ busy: number; log: number; checkpointed: number }>;
    return { walPages: row?.log ?? 0, copied: row?.checkpointed ?? 0 };
  }

  /** Lets SQLite's page cache grow to `kib` KiB until the returned function restores it. */
  withCacheSize(kib: number): () => void {
    const before = this.cacheSize();
    this.db.pragma(`cache_size = ${-Math.round(kib)}`);
    return () => {
      if (this.db.open) this.db.pragma(`cache_size = ${before}`);
    };
  }

  /**
   * Runs `fn` (a bulk load into an empty DB, outside any transaction) with the DB in SQLite's
   * rollback-journal mode, and puts WAL back after it. In WAL mode every page of a bulk load is
   * written twice, to the WAL and again by the checkpoint (at 100k issues 135 MB each, ~100k
   * pwrite calls and ~78k preads); with a rollback journal, pages past the old end of the file
   * need no journal, so they are written once (a 100k import: ~15 % less CPU, no checkpoint at
   * close). Crash safety is SQLite's either way (a hot journal is rolled back at the next open).
   * Leaving WAL needs the DB to itself: when another connection has it open, `fn` runs in WAL as
   * usual. Meanwhile a connection that opens the DB finds it out of WAL (see applySchema) and
   * waits on the load's locks like any writer.
   */
  withRollbackJournal<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    const timeout = this.db.pragma('busy_timeout', { simple: true }) as number;
    let left = false;
    try {
      // No waiting: a connection open elsewhere keeps the DB in WAL, and the load runs there.
      this.db.pragma('busy_timeout = 0');
      left = this.db.pragma('journal_mode = DELETE', { simple: true }) === 'delete';
    } catch {
      left = false;
    } finally {
      this.db.pragma(`busy_timeout = ${timeout}`);
    }
    try {
      return fn();
    } finally {
      if (left) {
        try {
          this.db.pragma('journal_mode = WAL');
        } catch {
          // Busy: the next open (applySchema) puts WAL back.
        }
      }
    }
  }

  /**
   * Starts writing the DB file's dirty pages to disk on libuv's thread pool, for a bulk load in
   * rollback-journal mode (`withRollbackJournal`) whose commit must fsync them: the pages the
   * page cache spilled during the inserts then go to disk while the listing indexes are built,
   * instead of inside the commit's fsync (135 MB at 100k issues, ~0.3-0.6 s here). A head start
   * only: the commit still syncs. The descriptor stays open until `dispose`: closing any
   * descriptor of a file drops every POSIX lock the process holds on it, SQLite's included.
   */
  flushAhead(): void {
    if (!this.db.open || this.db.memory) return;
    try {
      this.flushFd ??= fs.openSync(this.db.name, 'r');
    } catch {
      return;
    }
    fs.fdatasync(this.flushFd, () => undefined);
  }

  /** `PRAGMA journal_mode` of this connection (`wal`, `delete`, …). */
  journalMode(): string {
    return this.db.pragma('journal_mode', { simple: true }) as string;
  }

  /** `PRAGMA cache_size`: pages when positive, KiB when negative. */
  cacheSize(): number {
    return this.db.pragma('cache_size', { simple: true }) as number;
  }

  /** How long a write waits for another connection's lock before failing with SQLITE_BUSY. */
  setBusyTimeout(ms: number): void {
    this.db.pragma(`busy_timeout = ${Math.max(0, Math.round(ms))}`);
  }

  /** SQLite's `PRAGMA data_version`: moves whenever another connection commits to the file. */
  dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  /** `total_changes()`: moves with every row this connection writes, to any table. */
  totalChanges(): number {
    return this.totalChangesStmt.get() as number;
  }

  /** Closes the connection (idempotent). */
  dispose(): void {
    if (this.db.open) this.db.close();
    // After SQLite's own close: its locks are gone with it (see flushAhead).
    if (this.flushFd !== undefined) {
      const fd = this.flushFd;
      this.flushFd = undefined;
      try {
        fs.closeSync(fd);
      } catch {
        // closed already
      }
    }
  }
}
