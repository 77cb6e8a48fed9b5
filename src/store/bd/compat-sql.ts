import type Database from 'better-sqlite3';

/**
 * Read queries over the working copy for bd's CLI and RPC surface (src/ops/*: bd's filters,
 * counts, trees, epic status, config), which need SQL the store's own queries do not cover.
 * Reads only, plus the one metadata delete `config unset` needs: issue writes still go through
 * the store's commands, so every write is validated and reported on the change feed.
 */
export class CompatSql {
  constructor(private readonly db: Database.Database) {
    // bd's --label-regex: SQLite has no REGEXP of its own.
    db.function('bd_regexp', { deterministic: true }, (pattern: unknown, value: unknown) =>
      new RegExp(String(pattern)).test(String(value)) ? 1 : 0,
    );
  }

  /** A read statement; a statement that would write is refused. */
  prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): { all(...params: P): R[]; get(...params: P): R | undefined } {
    const stmt = this.db.prepare<P, R>(sql);
    if (!stmt.reader) throw new Error(`CompatSql runs reads only, not: ${sql.slice(0, 60)}`);
    return { all: (...params: P) => stmt.all(...params), get: (...params: P) => stmt.get(...params) };
  }

  deleteMeta(key: string): void {
    this.db.prepare('DELETE FROM metadata WHERE key = ?').run(key);
  }
}
