import * as fs from 'node:fs';
import Database from 'better-sqlite3';
import { BeadsStore } from '../../src/store/beads-store';
import { SCHEMA_VERSION } from '../../src/store/schema';
import { issueLine, useTempWorkspaces } from '../helpers/temp-workspace';

type Statement = { source: string; all: (...a: unknown[]) => unknown; get: (...a: unknown[]) => unknown; iterate: (...a: unknown[]) => unknown };

/**
 * Records the SQL of every statement run on any connection while `fn` runs: the plans are
 * checked on the queries the store really runs, whatever file builds them.
 */
function sqlRunBy(db: Database.Database, fn: () => void): string[] {
  const proto = Object.getPrototypeOf(db.prepare('SELECT 1')) as Statement;
  const seen: string[] = [];
  const originals = { all: proto.all, get: proto.get, iterate: proto.iterate };
  for (const name of ['all', 'get', 'iterate'] as const) {
    const original = originals[name];
    proto[name] = function (this: Statement, ...args: unknown[]) {
      seen.push(this.source);
      return original.apply(this, args);
    };
  }
  try {
    fn();
  } finally {
    Object.assign(proto, originals);
  }
  return seen;
}

/** EXPLAIN QUERY PLAN of `sql`, its parameters bound to NULL (the plan does not depend on them). */
function planOf(db: Database.Database, sql: string): string[] {
  const params = (sql.match(/\?/g) ?? []).map(() => null);
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail);
}

function populate(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = `bd-${i.toString(36).padStart(4, '0')}`;
    lines.push(
      issueLine({
        id,
        title: `issue ${i}`,
        status: i % 3 === 0 ? 'closed' : 'open',
        priority: i % 5,
        ...(i > 0 && i % 7 === 0 ? { dependencies: [{ issue_id: id, depends_on_id: 'bd-0001', type: 'blocks', created_at: '2025-01-01T00:00:00Z' }] } : {}),
      } as never),
    );
  }
  return lines.sort().join('\n') + '\n';
}

describe('listing indexes', () => {
  const workspace = useTempWorkspaces();

  it('should run list --limit, ready --limit and show without a full scan or a sort of all issues', () => {
    const ws = workspace();
    // Enough issues for the import into the empty DB to build the listing indexes after its inserts.
    fs.writeFileSync(ws.jsonlPath, populate(1500));
    ws.import();
    // The Statement class is shared by every connection: the spy sees the store's own statements.
    const db = ws.sql();
    const commands: Record<string, () => unknown> = {
      list: () => ws.store.list({ limit: 20 }),
      ready: () => ws.store.ready({ limit: 20 }),
      show: () => ws.store.show('bd-0001'),
    };
    const findings: Record<string, string[]> = {};
    for (const [name, run] of Object.entries(commands)) {
      const issueQueries = sqlRunBy(db, () => void run()).filter((sql) => /\bissues\b/.test(sql) && /^\s*SELECT/i.test(sql));
      expect(issueQueries.length).toBeGreaterThan(0);
      findings[name] = issueQueries.flatMap((sql) =>
        planOf(db, sql)
          .filter((d) => /^SCAN (i|issues|[a-z])$/.test(d) || (/\bLIMIT\b/i.test(sql) && d.includes('TEMP B-TREE FOR ORDER BY')))
          .map((d) => `${d}  <-  ${sql.replace(/\s+/g, ' ').slice(0, 80)}`),
      );
    }
    expect(findings).toEqual({ list: [], ready: [], show: [] });
  });

  it('should find dependents and labels through their indexes after a bulk import built them last', () => {
    const ws = workspace();
    fs.writeFileSync(ws.jsonlPath, populate(1500));
    ws.import();
    const db = ws.sql();
    expect(planOf(db, 'SELECT issue_id FROM dependencies WHERE depends_on_id = ?').join(' ')).toMatch(/USING (COVERING )?INDEX dependencies_target/);
    expect(planOf(db, 'SELECT issue_id FROM labels WHERE label = ?').join(' ')).toMatch(/USING (COVERING )?INDEX labels_label/);
    expect(db.prepare('SELECT count(*) AS n FROM dependencies WHERE depends_on_id = ?').get('bd-0001')).toEqual({ n: 214 });
  });

  it('should keep the listing and relation indexes when a bulk write that deferred them fails', () => {
    const ws = workspace();
    fs.writeFileSync(ws.jsonlPath, populate(20));
    ws.import();
    const names = () =>
      (ws.sql().prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'issues' AND sql IS NOT NULL`).all() as Array<{ name: string }>)
        .map((r) => r.name)
        .sort();
    expect(() =>
      ws.store.inTransaction(() =>
        ws.store.withIndexesDeferred(() => {
          ws.store.removeIssue('bd-0001');
          throw new Error('a bad line half way');
        }),
      ),
    ).toThrow('a bad line half way');
    expect(names()).toEqual(['issues_dirty', 'issues_order', 'issues_status_order']);
    const relationIndexes = (ws.sql().prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('labels', 'dependencies') AND sql IS NOT NULL`).all() as Array<{ name: string }>)
      .map((r) => r.name)
      .sort();
    expect(relationIndexes).toEqual(['dependencies_target', 'labels_label']);
    expect(ws.store.count()).toBe(20);
  });

  it('should build the indexes in a version-1 database on open, keeping every issue', () => {
    const ws = workspace();
    fs.writeFileSync(ws.jsonlPath, populate(50));
    ws.import();
    ws.store.dispose();
    // The version-1 schema: one index on status, none in listing order.
    const old = new Database(ws.dbPath);
    old.exec(`DROP INDEX issues_order; DROP INDEX issues_status_order; CREATE INDEX issues_status ON issues(status);
      UPDATE metadata SET value = '1' WHERE key = 'schema_version';`);
    old.close();

    ws.store = new BeadsStore(ws.dbPath);
    const indexes = (ws.sql().prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'issues' AND sql IS NOT NULL`).all() as Array<{ name: string }>)
      .map((r) => r.name)
      .sort();
    expect(indexes).toEqual(['issues_dirty', 'issues_order', 'issues_status_order']);
    expect(ws.store.getMeta('schema_version')).toBe(SCHEMA_VERSION);
    expect(ws.store.count()).toBe(50);
    expect(ws.store.list({ limit: 3 }).map((r) => r.priority)).toEqual([0, 0, 0]);
  });
});
