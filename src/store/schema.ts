import type Database from 'better-sqlite3';

/**
 * The order every listing sorts by, so `list --limit 20` reads 20 index entries instead of
 * sorting every issue (at 100k: 110 ms -> 0.1 ms); with status first for `ready` and
 * `list --status` (22 ms -> 0.2 ms). The status prefix does all the old `issues_status` did.
 * Wide keys in an order unrelated to the id's: a bulk import builds them after its inserts
 * (`IssueRows.withIndexesDeferred`), not row by row.
 */
export const LISTING_INDEXES: ReadonlyArray<{ name: string; create: string }> = [
  { name: 'issues_order', create: 'CREATE INDEX IF NOT EXISTS issues_order ON issues(priority, created_at, id)' },
  { name: 'issues_status_order', create: 'CREATE INDEX IF NOT EXISTS issues_status_order ON issues(status, priority, created_at, id)' },
];

/**
 * The lookups of labels and dependencies by value (`list --label`, what blocks an issue). A bulk
 * import builds them after its inserts too: kept up to date row by row (dependency targets in
 * no order), they cost ~9 % of a 100k `import -i`'s CPU (4.23 → 3.85 s, in-process A/B).
 */
export const RELATION_INDEXES: ReadonlyArray<{ name: string; create: string }> = [
  { name: 'labels_label', create: 'CREATE INDEX IF NOT EXISTS labels_label ON labels(label)' },
  { name: 'dependencies_target', create: 'CREATE INDEX IF NOT EXISTS dependencies_target ON dependencies(depends_on_id)' },
];

/** The indexes a bulk import drops before its inserts and builds after (`IssueRows.withIndexesDeferred`). */
export const DEFERRED_INDEXES = [...LISTING_INDEXES, ...RELATION_INDEXES];

/**
 * The working copy. `line` is the exact JSONL line the issue exports as: untouched records
 * keep the bytes they were imported with, so import → export reproduces a file byte for byte.
 * The other columns are derived from it for queries. `dirty` = changed locally since the last
 * export; `synced` = present in the JSONL at the last import/export (deletion rule).
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS issues (
  id TEXT PRIMARY KEY NOT NULL,
  line TEXT NOT NULL,
  title TEXT,
  status TEXT,
  priority INTEGER,
  issue_type TEXT,
  assignee TEXT,
  created_at TEXT,
  updated_at TEXT,
  dirty INTEGER NOT NULL DEFAULT 0,
  synced INTEGER NOT NULL DEFAULT 0
);
${LISTING_INDEXES.map((i) => `${i.create};`).join('\n')}
DROP INDEX IF EXISTS issues_status;
CREATE INDEX IF NOT EXISTS issues_dirty ON issues(dirty) WHERE dirty = 1;
CREATE TABLE IF NOT EXISTS labels (
  issue_id TEXT NOT NULL,
  label TEXT NOT NULL,
  PRIMARY KEY (issue_id, label)
) WITHOUT ROWID;
${RELATION_INDEXES[0].create};
CREATE TABLE IF NOT EXISTS dependencies (
  issue_id TEXT NOT NULL,
  depends_on_id TEXT NOT NULL,
  type TEXT NOT NULL,
  PRIMARY KEY (issue_id, depends_on_id, type)
) WITHOUT ROWID;
${RELATION_INDEXES[1].create};
CREATE TABLE IF NOT EXISTS deletions (
  id TEXT PRIMARY KEY NOT NULL,
  deleted_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS metadata (
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
) WITHOUT ROWID;
`;

/** 2: the listing indexes (built on the first open of a version-1 DB: ~1-2 s at 100k issues, once). */
export const SCHEMA_VERSION = '2';

/**
 * A new DB's page size. Each row holds its whole JSONL line (~1 KB), so SQLite's default 4 KiB
 * pages fit three or four rows: a 100k `import -i` made 45k reads and 33k writes of a page, and
 * each listing index's build scanned ~33k pages. 16 KiB pages took that load's inserts, index
 * builds and commit from ~2.0 to ~1.5 s (in-process A/B, scripts/bench-scale's data); the cost
 * is a larger WAL frame per changed page (a daemon write changes about six).
 * Set only while the file is empty: an existing DB keeps the size it was made with.
 */
export const PAGE_SIZE = 16384;

export function applySchema(db: Database.Database): void {
  if (db.pragma('page_count', { simple: true }) === 0) db.pragma(`page_size = ${PAGE_SIZE}`);
  try {
    db.pragma('journal_mode = WAL');
  } catch (err) {
    // A bulk load holds the DB in rollback-journal mode (SqliteConnection.withRollbackJournal)
    // and puts WAL back when it ends: this connection works meanwhile, waiting on its locks.
    if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
  }
  db.pragma('synchronous = NORMAL');
  // Written only when the schema is not there yet, and then in an IMMEDIATE transaction: the
  // autocommit INSERT every open used to run failed at once with SQLITE_BUSY ("database is
  // locked", no busy wait) whenever another process committed in between (10 concurrent CLIs).
  if (schemaVersion(db) === SCHEMA_VERSION) return;
  db.transaction(() => {
    db.exec(SCHEMA);
    // A version-1 DB gets the version-2 listing indexes here, on its first open.
    db.prepare(
      `INSERT INTO metadata(key, value) VALUES ('schema_version', ?)
       ON CONFLICT(key) DO UPDATE SET value = excluded.value WHERE CAST(value AS INTEGER) < CAST(excluded.value AS INTEGER)`,
    ).run(SCHEMA_VERSION);
  }).immediate();
}

function schemaVersion(db: Database.Database): string | undefined {
  try {
    return (db.prepare(`SELECT value FROM metadata WHERE key = 'schema_version'`).get() as { value: string } | undefined)?.value;
  } catch {
    return undefined; // no metadata table: a new DB
  }
}
