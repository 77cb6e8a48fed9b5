import type { IssueRecord } from '../jsonl/parse-jsonl';
import { renameIds } from './rename-ids';
import { ChangeFeed } from './change-feed';
import { CompatSql } from './bd/compat-sql';
import { recordComments, type Comment } from './issue-record';
import { closeIssue, createIssue, deleteIssue, reopenIssue, updateIssue } from './issue-commands';
import { IssueQueries } from './issue-queries';
import { IssueRows, type NewRows } from './issue-rows';
import { addComment, addDependency, addLabel, removeDependency, removeLabel } from './relation-commands';
import { openDatabase, SqliteConnection, type CheckpointMode } from './sqlite-connection';
import type { StoreContext } from './store-context';
import type {
  BatchOutcome,
  BlockedIssue,
  CreateInput,
  IssueDetails,
  IssueRow,
  ListFilter,
  ReadyFilter,
  Stats,
  StoreMutation,
  SyncState,
  UpdateInput,
  WriteFlags,
} from './store-types';
import { SyncBookkeeping } from './sync-bookkeeping';
import { Transactions } from './transactions';

export type * from './store-types';

/**
 * The SQLite working copy (better-sqlite3: synchronous, one connection), and the only code that
 * holds the connection: everything else, import and export included, goes through these
 * methods. Every write emits a mutation to the listeners after it commits.
 *
 * `actor` is recorded where bd records it in the JSONL: an issue's `created_by`, a dependency's
 * `created_by`, a comment's `author`. The other writes take an `_actor` only so callers can pass
 * the request's actor through: bd keeps who closed, updated or relabelled an issue in its events
 * table, which is not part of the JSONL and which bd-rx does not keep.
 */
export class BeadsStore {
  private readonly connection: SqliteConnection;
  private readonly feed: ChangeFeed;
  private readonly tx: Transactions;
  private readonly rows: IssueRows;
  private readonly sync: SyncBookkeeping;
  private readonly queries: IssueQueries;
  /** SQL for bd's CLI/RPC surface in src/ops (reads; see compat-sql.ts). */
  readonly compatSql: CompatSql;
  private readonly ctx: StoreContext;

  constructor(
    readonly dbPath: string,
    private readonly options: { prefix?: string; clock?: () => Date } = {},
  ) {
    const db = openDatabase(dbPath);
    const now = () => (this.options.clock ? this.options.clock() : new Date());
    this.connection = new SqliteConnection(db);
    this.feed = new ChangeFeed(now);
    this.tx = new Transactions(db, this.feed);
    this.rows = new IssueRows(db);
    this.sync = new SyncBookkeeping(db);
    this.queries = new IssueQueries(db, this.rows);
    this.compatSql = new CompatSql(db);
    const { rows, queries, sync, tx, feed } = this;
    this.ctx = { rows, queries, sync, tx, feed, now, prefix: () => this.prefix };
  }

  // ---- connection -----------------------------------------------------------------------

  /** See `SqliteConnection.deferCheckpoints`: the daemon checkpoints after each export instead. */
  deferCheckpoints(): void {
    this.connection.deferCheckpoints();
  }

  /** Copies committed WAL pages into the database file (PASSIVE: without waiting on readers). */
  checkpoint(mode: CheckpointMode = 'PASSIVE'): { walPages: number; copied: number } {
    return this.connection.checkpoint(mode);
  }

  /** Lets SQLite's page cache grow to `kib` KiB until the returned function restores it. */
  withCacheSize(kib: number): () => void {
    return this.connection.withCacheSize(kib);
  }

  /** See `SqliteConnection.withRollbackJournal`: a bulk load into an empty DB, written once instead of through the WAL. */
  withRollbackJournal<T>(fn: () => T): T {
    return this.connection.withRollbackJournal(fn);
  }

  /** See `SqliteConnection.flushAhead`: a bulk load's pages on their way to disk before its commit. */
  flushAhead(): void {
    this.connection.flushAhead();
  }

  /** `PRAGMA journal_mode` of this connection. */
  journalMode(): string {
    return this.connection.journalMode();
  }

  /** `PRAGMA cache_size` of this connection (negative: KiB). */
  cacheSize(): number {
    return this.connection.cacheSize();
  }

  /** How long a write waits on another connection's lock before it fails as busy. */
  setBusyTimeout(ms: number): void {
    this.connection.setBusyTimeout(ms);
  }

  /** SQLite's `PRAGMA data_version`: moves whenever another connection commits to the file. */
  dataVersion(): number {
    return this.connection.dataVersion();
  }

  /** Rows this connection has written so far, to any table (`total_changes()`). */
  totalChanges(): number {
    return this.connection.totalChanges();
  }

  /** Closes the SQLite connection (idempotent). */
  dispose(): void {
    this.connection.dispose();
  }

  // ---- change feed and transactions -----------------------------------------------------

  onMutation(listener: (m: StoreMutation) => void): () => void {
    return this.feed.onMutation(listener);
  }

  /** Reports a change made outside the write methods (patchIssue's fields bd-rx's update does not know). */
  notifyMutation(op: string, id: string): void {
    this.feed.emit(op, id);
  }

  /** See `Transactions.batch`: group commit, one savepoint per job. */
  batch(jobs: ReadonlyArray<() => unknown>): BatchOutcome[] {
    return this.tx.batch(jobs);
  }

  /** Runs `fn` in a transaction (a savepoint inside one), rolled back if it throws. */
  inTransaction<T>(fn: () => T): T {
    return this.tx.inTransaction(fn);
  }

  /** Runs `fn` in a transaction that holds the write lock from its start (BEGIN IMMEDIATE). */
  inWriteTransaction<T>(fn: () => T): T {
    return this.tx.inWriteTransaction(fn);
  }

  /** A transaction is open on this connection: a read now would see its uncommitted rows. */
  isInTransaction(): boolean {
    return this.tx.isOpen();
  }

  // ---- sync bookkeeping and raw rows (import/export) ------------------------------------

  getMeta(key: string): string | undefined {
    return this.sync.getMeta(key);
  }

  setMeta(key: string, value: string): void {
    this.sync.setMeta(key, value);
  }

  get prefix(): string {
    return this.getMeta('issue_prefix') ?? this.options.prefix ?? 'bd';
  }

  getRow(id: string): IssueRow | undefined {
    return this.rows.get(id);
  }

  exists(id: string): boolean {
    return this.rows.exists(id);
  }

  /** See `IssueRows.write`: one record, stored as exactly `line`. */
  writeIssue(record: IssueRecord, line: string | Buffer, flags: WriteFlags, isNew = false): void {
    this.rows.write(record, line, flags, isNew);
  }

  /** See `IssueRows.newRows`: a bulk load's inserts into a table without those ids. */
  newRows(flags: WriteFlags): NewRows {
    return this.rows.newRows(flags);
  }

  /** See `IssueRows.withIndexesDeferred`: a bulk import's inserts, indexes built after. */
  withIndexesDeferred<T>(fn: () => T): T {
    return this.rows.withIndexesDeferred(fn);
  }

  removeIssue(id: string): void {
    this.rows.remove(id);
  }

  /** See `IssueRows.drainTouched`: ids whose line this connection changed since the last call. */
  drainTouched(): Set<string> {
    return this.rows.drainTouched();
  }

  /** Every issue line as UTF-8 bytes, in id byte order (SQLite's BINARY collation). */
  lineBytes(): IterableIterator<[Buffer]> {
    return this.rows.lineBytes();
  }

  /** Every id with its line as UTF-8 bytes, in id byte order. */
  idsAndLineBytes(): IterableIterator<[string, Buffer]> {
    return this.rows.idsAndLineBytes();
  }

  /** The rows changed locally since the last export (id, line bytes), in id byte order. */
  dirtyIdsAndLineBytes(): IterableIterator<[string, Buffer]> {
    return this.rows.dirtyIdsAndLineBytes();
  }

  /** Deleted ids not yet exported whose row is still gone, in id byte order. */
  goneDeletionIds(): string[] {
    return this.sync.goneDeletionIds();
  }

  /** Dirty rows' ids and deletions not yet exported: lines the DB does not vouch for. */
  locallyChangedIds(): string[] {
    return this.sync.locallyChangedIds();
  }

  /** One issue's line as UTF-8 bytes; undefined when the issue is not there. */
  lineBytesOf(id: string): Buffer | undefined {
    return this.rows.lineBytesOf(id);
  }

  count(): number {
    return this.rows.count();
  }

  /** Local changes not yet in the JSONL: dirty issues plus deletions. */
  pendingExportCount(): number {
    return this.sync.pendingExportCount();
  }

  /** Deleted ids not yet exported, with when. */
  pendingDeletions(): Map<string, string> {
    return this.sync.pendingDeletions();
  }

  forgetDeletion(id: string): void {
    this.sync.forgetDeletion(id);
  }

  /** The row is exactly what the JSONL holds. */
  markSynced(id: string): void {
    this.sync.markSynced(id);
  }

  /** The row differs from the JSONL and must be exported. */
  markDirty(id: string): void {
    this.sync.markDirty(id);
  }

  syncStates(): SyncState[] {
    return this.sync.syncStates();
  }

  /** See `SyncBookkeeping.otherRecords`: the JSONL's non-issue lines, as the bytes written after the issues. */
  otherRecords(): Buffer {
    return this.sync.otherRecords();
  }

  /** See `SyncBookkeeping.setOtherRecords`. */
  setOtherRecords(tail: Buffer, dirty: boolean): void {
    this.sync.setOtherRecords(tail, dirty);
  }

  otherRecordsDirty(): boolean {
    return this.sync.otherRecordsDirty();
  }

  /** Every local change, deletions included, is now in the JSONL. */
  markAllExported(): void {
    this.sync.markAllExported();
  }

  // ---- reads ----------------------------------------------------------------------------

  get(id: string): IssueRecord | null {
    return this.queries.get(id);
  }

  require(id: string): IssueRecord {
    return this.queries.require(id);
  }

  list(filter: ListFilter = {}): IssueRecord[] {
    return this.queries.list(filter);
  }

  ready(filter: ReadyFilter = {}): IssueRecord[] {
    return this.queries.ready(filter);
  }

  blocked(): BlockedIssue[] {
    return this.queries.blocked();
  }

  show(id: string): IssueDetails {
    return this.queries.show(id);
  }

  stats(): Stats {
    return this.queries.stats();
  }

  comments(id: string): Comment[] {
    return recordComments(this.queries.require(id));
  }

  // ---- writes ---------------------------------------------------------------------------

  create(input: CreateInput, actor: string): IssueRecord {
    return createIssue(this.ctx, input, actor);
  }

  update(id: string, input: UpdateInput, _actor?: string): IssueRecord {
    return updateIssue(this.ctx, id, input);
  }

  close(id: string, reason: string | undefined, _actor?: string): IssueRecord {
    return closeIssue(this.ctx, id, reason);
  }

  reopen(id: string, _actor?: string): IssueRecord {
    return reopenIssue(this.ctx, id);
  }

  delete(id: string, _actor?: string): { id: string; deleted: true } {
    return deleteIssue(this.ctx, id);
  }

  addDependency(issueId: string, dependsOnId: string, type: string, actor: string): IssueRecord {
    return addDependency(this.ctx, issueId, dependsOnId, type, actor);
  }

  removeDependency(issueId: string, dependsOnId: string, _actor?: string): IssueRecord {
    return removeDependency(this.ctx, issueId, dependsOnId);
  }

  addLabel(id: string, label: string, _actor?: string): IssueRecord {
    return addLabel(this.ctx, id, label);
  }

  removeLabel(id: string, label: string, _actor?: string): IssueRecord {
    return removeLabel(this.ctx, id, label);
  }

  addComment(id: string, author: string, text: string): Comment {
    return addComment(this.ctx, id, author, text);
  }

  /** Gives issues new ids (old → new), rewriting every reference; sets the prefix (rename-prefix). */
  renameIds(renames: ReadonlyMap<string, string>, prefix: string, alsoRewrite: readonly string[] = []): number {
    return renameIds(this.ctx, renames, prefix, alsoRewrite);
  }
}
