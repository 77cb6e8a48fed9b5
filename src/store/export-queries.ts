import type { BeadsStore } from './beads-store';

/**
 * The reads the lean export needs (src/sync/lean-export.ts): the rows changed since the last
 * export and the deletions, each in id order (SQLite's BINARY collation = UTF-8 byte order, the
 * order the JSONL is written in), and every row for a full export. Lines are read as the
 * stored UTF-8 bytes (CAST … AS BLOB), never decoded.
 *
 * Every row not dirty is, by the sync rules, byte for byte a line of the JSONL last synced: an
 * import writes incoming lines as they are (or marks the row dirty when it keeps the local
 * copy), an export writes the rows as they are, and every local write sets `dirty`.
 */
export function changedRows(store: BeadsStore): IterableIterator<[string, Buffer]> {
  return store.db.prepare('SELECT id, CAST(line AS BLOB) FROM issues WHERE dirty = 1 ORDER BY id').raw().iterate() as IterableIterator<[string, Buffer]>;
}

export function allRows(store: BeadsStore): IterableIterator<[string, Buffer]> {
  return store.db.prepare('SELECT id, CAST(line AS BLOB) FROM issues ORDER BY id').raw().iterate() as IterableIterator<[string, Buffer]>;
}

/**
 * Ids deleted here since the last export and still gone, in id order. A deletion can outlive
 * its row's return: an import that brings back a newer incoming copy keeps the deletion
 * record, and the row (then the file's line) is what the export writes.
 */
export function deletedIds(store: BeadsStore): string[] {
  return store.db
    .prepare('SELECT d.id FROM deletions d WHERE NOT EXISTS (SELECT 1 FROM issues i WHERE i.id = d.id) ORDER BY d.id')
    .pluck()
    .all() as string[];
}

export function issueCount(store: BeadsStore): number {
  return store.count();
}

/**
 * Ids whose JSONL line the DB does not vouch for: rows changed locally since the last export,
 * and deletions not yet exported. The incremental import sends their lines through the merge
 * rules even when the bytes are those of the last sync.
 */
export function locallyChangedIds(store: BeadsStore): string[] {
  return store.db.prepare('SELECT id FROM issues WHERE dirty = 1 UNION SELECT id FROM deletions').pluck().all() as string[];
}
