import type Database from 'better-sqlite3';
import type { SyncState } from './store-types';

/**
 * Metadata rows holding the JSONL's records that are not issues (bd's memories, …): kept in
 * the key/value table rather than a table of their own, as there are few and they are only ever
 * read and written whole, with the file.
 */
const OTHER_RECORDS = 'jsonl_other_records';
const OTHER_RECORDS_DIRTY = 'jsonl_other_records_dirty';

/**
 * What the DB knows about its last sync with the JSONL: metadata (the file's hash and stat),
 * which rows changed locally (`dirty`), which were in the file (`synced`), and the deletions
 * not yet exported.
 */
export class SyncBookkeeping {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      getMeta: db.prepare<[string], string>('SELECT value FROM metadata WHERE key = ?').pluck(),
      setMeta: db.prepare(
        'INSERT INTO metadata (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      ),
      dirtyCount: db.prepare<[], number>('SELECT count(*) FROM issues WHERE dirty = 1').pluck(),
      deletionCount: db.prepare<[], number>('SELECT count(*) FROM deletions').pluck(),
      deletions: db.prepare<[], { id: string; deleted_at: string }>('SELECT id, deleted_at FROM deletions'),
      recordDeletion: db.prepare('INSERT OR REPLACE INTO deletions (id, deleted_at) VALUES (?, ?)'),
      // Every create runs this one.
      forgetDeletion: db.prepare<[string]>('DELETE FROM deletions WHERE id = ?'),
      forgetAllDeletions: db.prepare('DELETE FROM deletions'),
      markSynced: db.prepare<[string]>('UPDATE issues SET dirty = 0, synced = 1 WHERE id = ?'),
      markDirty: db.prepare<[string]>('UPDATE issues SET dirty = 1 WHERE id = ?'),
      // `dirty = 1` alone, through the partial index issues_dirty: every write sets `dirty` or
      // `synced` (a row not dirty was in the file last synced, which the lean export relies on
      // too), so `OR synced = 0` added no row, only a scan of the whole table in every export
      // (~100 MB at 100k issues, inside the export's write transaction).
      markAllExported: db.prepare('UPDATE issues SET dirty = 0, synced = 1 WHERE dirty = 1'),
      syncStates: db.prepare<[], SyncState>('SELECT id, dirty, synced FROM issues'),
      goneDeletions: db
        .prepare<[], string>('SELECT d.id FROM deletions d WHERE NOT EXISTS (SELECT 1 FROM issues i WHERE i.id = d.id) ORDER BY d.id')
        .pluck(),
      locallyChanged: db.prepare<[], string>('SELECT id FROM issues WHERE dirty = 1 UNION SELECT id FROM deletions').pluck(),
      // The lines as the bytes stored (CAST … AS BLOB): kept verbatim, never re-encoded through JS.
      otherRecords: db.prepare<[], Buffer>(`SELECT CAST(value AS BLOB) FROM metadata WHERE key = '${OTHER_RECORDS}'`).pluck(),
      setOtherRecords: db.prepare<[Buffer]>(
        `INSERT INTO metadata (key, value) VALUES ('${OTHER_RECORDS}', CAST(? AS TEXT)) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
      ),
      forgetOtherRecords: db.prepare(`DELETE FROM metadata WHERE key = '${OTHER_RECORDS}'`),
      otherRecordsDirty: db.prepare<[], number>(`SELECT count(*) FROM metadata WHERE key = '${OTHER_RECORDS_DIRTY}'`).pluck(),
      markOtherRecordsDirty: db.prepare(`INSERT OR REPLACE INTO metadata (key, value) VALUES ('${OTHER_RECORDS_DIRTY}', '1')`),
      forgetOtherRecordsDirty: db.prepare(`DELETE FROM metadata WHERE key = '${OTHER_RECORDS_DIRTY}'`),
    };
  }

  /**
   * Ids deleted here since the last export and still gone, in id byte order. A deletion can
   * outlive its row's return: an import that brings back a newer incoming copy keeps the
   * deletion record, and the row (so the file's line) is what the export writes.
   */
  goneDeletionIds(): string[] {
    return this.stmts.goneDeletions.all();
  }

  /** Ids whose JSONL line the DB does not vouch for: dirty rows and deletions not yet exported. */
  locallyChangedIds(): string[] {
    return this.stmts.locallyChanged.all();
  }

  getMeta(key: string): string | undefined {
    return this.stmts.getMeta.get(key);
  }

  setMeta(key: string, value: string): void {
    this.stmts.setMeta.run(key, value);
  }

  /** Local changes not yet in the JSONL: dirty issues plus deletions (plus one for changed other records). */
  pendingExportCount(): number {
    return (
      (this.stmts.dirtyCount.get() as number) +
      (this.stmts.deletionCount.get() as number) +
      (this.stmts.otherRecordsDirty.get() as number)
    );
  }

  /**
   * The JSONL's records that are not issues (src/jsonl/other-records.ts), as the exact bytes the
   * export writes after the issues: each line followed by `\n`. Empty when there are none.
   */
  otherRecords(): Buffer {
    return this.stmts.otherRecords.get() ?? Buffer.alloc(0);
  }

  /**
   * Replaces the other records. `dirty`: they differ from the JSONL's (an import of another
   * file brought some), so an export is due; otherwise they are the file's own.
   */
  setOtherRecords(tail: Buffer, dirty: boolean): void {
    if (tail.length === 0) this.stmts.forgetOtherRecords.run();
    else this.stmts.setOtherRecords.run(tail);
    if (dirty) this.stmts.markOtherRecordsDirty.run();
    else this.stmts.forgetOtherRecordsDirty.run();
  }

  /** The other records differ from the JSONL's (see `setOtherRecords`). */
  otherRecordsDirty(): boolean {
    return (this.stmts.otherRecordsDirty.get() as number) > 0;
  }

  /** Deleted ids not yet exported, with when they were deleted. */
  pendingDeletions(): Map<string, string> {
    return new Map(this.stmts.deletions.all().map((d) => [d.id, d.deleted_at]));
  }

  recordDeletion(id: string, at: string): void {
    this.stmts.recordDeletion.run(id, at);
  }

  /** The id is back (re-created, or the deletion reached the file): no deletion to export. */
  forgetDeletion(id: string): void {
    this.stmts.forgetDeletion.run(id);
  }

  /** The row is exactly what the file holds. */
  markSynced(id: string): void {
    this.stmts.markSynced.run(id);
  }

  /** The row differs from the file and must be exported. */
  markDirty(id: string): void {
    this.stmts.markDirty.run(id);
  }

  /** Every row's sync state, in no particular order. */
  syncStates(): SyncState[] {
    return this.stmts.syncStates.all();
  }

  /** Every local change, deletions included, is now in the file. */
  markAllExported(): void {
    this.stmts.markAllExported.run();
    this.stmts.forgetAllDeletions.run();
    this.stmts.forgetOtherRecordsDirty.run();
  }
}
