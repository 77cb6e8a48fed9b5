import type Database from 'better-sqlite3';
import type { IssueRecord } from '../jsonl/parse-jsonl';
import { MultiRowInsert } from './multi-row-insert';
import { ROW_COLUMNS, rowColumns, rowDependencies, rowLabels } from './row-values';
import { DEFERRED_INDEXES } from './schema';
import type { IssueRow, WriteFlags } from './store-types';

/** The bulk load's inserts (see `IssueRows.newRows`). */
export interface NewRows {
  /** One new issue: its id, line (the file's bytes), and `rowColumns` of its record. */
  issue(id: string, line: Buffer, columns: ArrayLike<unknown>, at?: number): void;
  label(id: string, label: string): void;
  dependency(id: string, dependsOn: string, type: string): void;
  /** Writes what is still pending; call before anything else reads or writes the tables. */
  flush(): void;
}

/**
 * Issue rows as stored: each issue's exact JSONL line plus the columns and label/dependency
 * rows derived from it. Shared by the write commands and by import/export. Every statement is
 * prepared once: import and export run them up to 100k times in a row.
 */
export class IssueRows {
  private readonly stmts;
  /** Ids whose line this connection wrote or removed since the last drain; null = not tracked. */
  private touched: Set<string> | null = null;

  constructor(private readonly db: Database.Database) {
    this.stmts = {
      get: db.prepare<[string], IssueRow>('SELECT id, line, dirty, synced, updated_at FROM issues WHERE id = ?'),
      exists: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM issues WHERE id = ?'),
      upsert: db.prepare(
        `INSERT INTO issues (id, line, title, status, priority, issue_type, assignee, created_at, updated_at, dirty, synced)
         VALUES (?, CAST(? AS TEXT), ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET line = excluded.line, title = excluded.title, status = excluded.status,
           priority = excluded.priority, issue_type = excluded.issue_type, assignee = excluded.assignee,
           created_at = excluded.created_at, updated_at = excluded.updated_at, dirty = excluded.dirty,
           synced = excluded.synced`,
      ),
      delLabels: db.prepare('DELETE FROM labels WHERE issue_id = ?'),
      delDeps: db.prepare('DELETE FROM dependencies WHERE issue_id = ?'),
      insLabel: db.prepare('INSERT OR IGNORE INTO labels (issue_id, label) VALUES (?, ?)'),
      insDep: db.prepare('INSERT OR IGNORE INTO dependencies (issue_id, depends_on_id, type) VALUES (?, ?, ?)'),
      delIssue: db.prepare('DELETE FROM issues WHERE id = ?'),
      // Prepared once: every RPC health/ping runs it.
      count: db.prepare<[], number>('SELECT count(*) FROM issues').pluck(),
      // Lines are read as the UTF-8 bytes SQLite stores (CAST … AS BLOB), never as JS strings:
      // joining 100k strings, one of them non-ASCII, builds a two-byte string that must then be
      // re-encoded, which cost more than the query itself.
      lines: db.prepare<[], [Buffer]>('SELECT CAST(line AS BLOB) FROM issues ORDER BY id').raw(),
      idsAndLines: db.prepare<[], [string, Buffer]>('SELECT id, CAST(line AS BLOB) FROM issues ORDER BY id').raw(),
      lineOf: db.prepare<[string], Buffer>('SELECT CAST(line AS BLOB) FROM issues WHERE id = ?').pluck(),
      // The lean export's changed rows: through the partial index on dirty, never a scan.
      dirtyIdsAndLines: db.prepare<[], [string, Buffer]>('SELECT id, CAST(line AS BLOB) FROM issues WHERE dirty = 1 ORDER BY id').raw(),
    };
  }

  get(id: string): IssueRow | undefined {
    return this.stmts.get.get(id);
  }

  exists(id: string): boolean {
    return this.stmts.exists.get(id) !== undefined;
  }

  count(): number {
    return this.stmts.count.get() as number;
  }

  /**
   * Writes one record (its exact line) and its derived label/dependency rows. The line may be
   * the file's own UTF-8 bytes (an import), stored as text without a round trip through JS.
   */
  write(record: IssueRecord, line: string | Buffer, flags: WriteFlags, isNew: boolean): void {
    // A row neither in the file nor changed locally would never be exported (markAllExported reads dirty rows only).
    if (!flags.dirty && !flags.synced) throw new Error(`issue ${record.id}: a row is written dirty, synced, or both`);
    this.touched?.add(record.id);
    // Positional, not named, parameters: binding by name costs ~15% of a bulk import's inserts.
    this.stmts.upsert.run(record.id, line, ...rowColumns(record), flags.dirty ? 1 : 0, flags.synced ? 1 : 0);
    if (!isNew) {
      this.stmts.delLabels.run(record.id);
      this.stmts.delDeps.run(record.id);
    }
    for (const label of rowLabels(record)) this.stmts.insLabel.run(record.id, label);
    for (const [dependsOn, type] of rowDependencies(record)) this.stmts.insDep.run(record.id, dependsOn, type);
  }

  /**
   * Inserts for a bulk load of issues none of which has a row yet (an import into an empty
   * table): rows from values derived elsewhere (`rowColumns` etc., on the import's parse thread),
   * many rows a statement. A row already there fails the insert (the caller's transaction rolls
   * back): callers check first that the ids are new and distinct.
   */
  newRows(flags: WriteFlags): NewRows {
    if (!flags.dirty && !flags.synced) throw new Error('a row is written dirty, synced, or both');
    const dirty = flags.dirty ? 1 : 0;
    const synced = flags.synced ? 1 : 0;
    const issues = new MultiRowInsert(
      this.db,
      'INSERT INTO issues (id, line, title, status, priority, issue_type, assignee, created_at, updated_at, dirty, synced)',
      '(?, CAST(? AS TEXT), ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      4 + ROW_COLUMNS,
    );
    const labels = new MultiRowInsert(this.db, 'INSERT OR IGNORE INTO labels (issue_id, label)', '(?, ?)', 2);
    const deps = new MultiRowInsert(this.db, 'INSERT OR IGNORE INTO dependencies (issue_id, depends_on_id, type)', '(?, ?, ?)', 3);
    const touched = this.touched;
    return {
      issue(id, line, c, at = 0) {
        touched?.add(id);
        issues.push(id, line, c[at], c[at + 1], c[at + 2], c[at + 3], c[at + 4], c[at + 5], c[at + 6], dirty, synced);
      },
      label: (id, label) => labels.push(id, label),
      dependency: (id, dependsOn, type) => deps.push(id, dependsOn, type),
      flush() {
        issues.flush();
        labels.flush();
        deps.flush();
      },
    };
  }

  /**
   * Runs `fn`, a bulk write inside the caller's transaction, with the listing indexes and the
   * label/dependency lookups dropped (`DEFERRED_INDEXES`), and builds them again after it:
   * SQLite builds an index from one sort of the rows (~25 ms each at 10k), while keeping two
   * wide indexes (keys in an order unrelated to the ids') up to date row by row was most of the
   * ~35 % more CPU a 10k import into an empty DB took after they came. If `fn` throws, the
   * caller's rollback brings the indexes back with the rest.
   */
  withIndexesDeferred<T>(fn: () => T): T {
    if (!this.db.inTransaction) throw new Error('withIndexesDeferred runs inside a transaction: call it from inTransaction()');
    for (const { name } of DEFERRED_INDEXES) this.db.exec(`DROP INDEX IF EXISTS ${name}`);
    const result = fn();
    for (const { create } of DEFERRED_INDEXES) this.db.exec(create);
    return result;
  }

  remove(id: string): void {
    this.touched?.add(id);
    this.stmts.delIssue.run(id);
    this.stmts.delLabels.run(id);
    this.stmts.delDeps.run(id);
  }

  /**
   * Starts (or continues) recording which issue lines this connection changes, for a consumer
   * that keeps rendered lines (the daemon's export). Returns the ids changed since the last
   * call. Writes by other connections are not seen here: compare `dataVersion()`.
   */
  drainTouched(): Set<string> {
    const touched = this.touched ?? new Set<string>();
    this.touched = new Set();
    return touched;
  }

  /** Every line as UTF-8 bytes, in id byte order (SQLite's BINARY collation). */
  lineBytes(): IterableIterator<[Buffer]> {
    return this.stmts.lines.iterate();
  }

  /** Every id with its line as UTF-8 bytes, in id byte order. */
  idsAndLineBytes(): IterableIterator<[string, Buffer]> {
    return this.stmts.idsAndLines.iterate();
  }

  /**
   * The rows changed locally since the last export, with their lines as UTF-8 bytes, in id byte
   * order. Every other row is, by the sync rules, byte for byte a line of the JSONL last synced:
   * an import stores incoming lines as they are (or marks the row dirty when it keeps the local
   * copy), an export writes the rows as they are, and every local write sets `dirty`.
   */
  dirtyIdsAndLineBytes(): IterableIterator<[string, Buffer]> {
    return this.stmts.dirtyIdsAndLines.iterate();
  }

  /** One issue's line as UTF-8 bytes, or undefined when there is no such row. */
  lineBytesOf(id: string): Buffer | undefined {
    return this.stmts.lineOf.get(id);
  }
}
