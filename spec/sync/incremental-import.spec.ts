import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { BeadsStore } from '../../src/store/beads-store';
import type { ImportReport } from '../../src/sync/import-jsonl';
import { importJsonl } from '../../src/sync/import-jsonl';
import { basePathFor } from '../../src/sync/synced-base';
import { serializeRecord } from '../../src/jsonl/serialize-record';
import { TempWorkspace, issueLine, type DbSnapshot } from '../helpers/temp-workspace';

const NEWER = '2030-01-01T00:00:00Z';

function ids(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `bd-${String(i).padStart(3, '0')}`);
}

/** Counts JSON.parse calls while `fn` runs (a pass-through spy: every call still parses). */
function parsesDuring<T>(fn: () => T): { result: T; parses: number } {
  const spy = jest.spyOn(JSON, 'parse');
  try {
    const result = fn();
    return { result, parses: spy.mock.calls.length };
  } finally {
    spy.mockRestore();
  }
}

/** What the same import does from the same DB read in full: a copy of the DB without the base. */
function fullImportOf(ws: TempWorkspace): { report: ImportReport; snapshot: DbSnapshot } {
  const dir = fs.mkdtempSync(path.join(path.dirname(ws.root), 'full-'));
  try {
    fs.mkdirSync(path.join(dir, '.beads'));
    const dbPath = path.join(dir, '.beads', 'beads.db');
    ws.sql().exec(`VACUUM INTO '${dbPath.replace(/'/g, "''")}'`);
    const jsonlPath = path.join(dir, '.beads', 'issues.jsonl');
    fs.copyFileSync(ws.jsonlPath, jsonlPath);
    const store = new BeadsStore(dbPath);
    const db = new Database(dbPath);
    try {
      // The copy has a new stat and no base: the import reads it in full.
      const report = importJsonl(store, { jsonlPath });
      const snapshot = snapshotOf(db);
      return { report, snapshot };
    } finally {
      db.close();
      store.dispose();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The issue tables (not the metadata, which records when and which file) as sorted rows. */
function snapshotOf(db: Database.Database): DbSnapshot {
  const out: DbSnapshot = {};
  for (const table of ['issues', 'labels', 'dependencies', 'deletions']) {
    out[table] = db.prepare(`SELECT * FROM ${table}`).all().map((r) => JSON.stringify(r)).sort();
  }
  // Newer bd's memories (and other records that are not issues), as the export will write them.
  out.other_records = db
    .prepare<[], { key: string; value: Buffer }>("SELECT key, CAST(value AS BLOB) AS value FROM metadata WHERE key LIKE 'jsonl_other_records%'")
    .all()
    .map((r) => `${r.key}=${r.value.toString('hex')}`)
    .sort();
  return out;
}

const outcome = (r: ImportReport) => ({
  created: r.created,
  updated: r.updated,
  deleted: r.deleted,
  kept_local: [...r.kept_local].sort(),
  overwritten_local: [...r.overwritten_local].sort(),
  needs_export: r.needs_export,
  hash: r.hash,
});

describe('incremental import', () => {
  let ws: TempWorkspace;
  beforeEach(() => {
    ws = new TempWorkspace();
  });
  afterEach(() => ws.dispose());

  it('should parse only the lines that changed since the last sync, and merge them as a full import would', () => {
    const all = ids(200);
    ws.writeJsonl(all.map((id) => issueLine({ id })));
    ws.import();
    expect(fs.statSync(basePathFor(ws.jsonlPath)).ino).toBe(fs.statSync(ws.jsonlPath).ino);

    const next = all
      .filter((id) => id !== 'bd-050')
      .map((id) => (['bd-007', 'bd-100', 'bd-150'].includes(id) ? issueLine({ id, title: `changed ${id}`, updated_at: NEWER }) : issueLine({ id })));
    next.push(issueLine({ id: 'bd-zzz', title: 'new upstream' }));
    ws.writeJsonl(next);
    const expected = fullImportOf(ws);
    const { result, parses } = parsesDuring(() => ws.import());
    expect(outcome(result)).toEqual(outcome(expected.report));
    expect({ updated: result.updated, created: result.created, deleted: result.deleted, unchanged: result.unchanged }).toEqual({
      updated: 3,
      created: 1,
      deleted: 1,
      unchanged: 196,
    });
    expect(parses).toBeLessThan(20);
    expect(snapshotOf(ws.sql())).toEqual(expected.snapshot);
  });

  it('should read the file in full when it was edited in place (the base shares its inode)', () => {
    const all = ids(50);
    ws.writeJsonl(all.map((id) => issueLine({ id })));
    ws.import();
    fs.appendFileSync(ws.jsonlPath, issueLine({ id: 'bd-zzz', title: 'appended in place' }) + '\n');
    const { result, parses } = parsesDuring(() => ws.import());
    expect(result.created).toBe(1);
    expect(result.unchanged).toBe(50);
    expect(parses).toBeGreaterThanOrEqual(51);
    expect(ws.store.get('bd-zzz')?.title).toBe('appended in place');
  });

  it('should send an unchanged line of a locally changed issue through the merge rules (the local change is kept)', () => {
    const all = ids(10);
    ws.writeJsonl(all.map((id) => issueLine({ id })));
    ws.import();
    ws.setTime('2029-01-01T00:00:00Z');
    ws.store.update('bd-003', { title: 'local edit' }, 't');
    ws.writeJsonl(all.map((id) => (id === 'bd-009' ? issueLine({ id, title: 'upstream', updated_at: NEWER }) : issueLine({ id }))));
    const expected = fullImportOf(ws);
    const r = ws.import();
    expect(outcome(r)).toEqual(outcome(expected.report));
    expect(r.kept_local).toEqual(['bd-003']);
    expect(ws.store.get('bd-003')?.title).toBe('local edit');
    expect(snapshotOf(ws.sql())).toEqual(expected.snapshot);
  });

  it('should keep an issue whose first copy went but whose second copy is in a run of unchanged lines, as a full import does', () => {
    const all = ids(300);
    // bd-010 twice: once in its place, once (older) near the end, out of order.
    const lines = all.map((id) => issueLine({ id, updated_at: id === 'bd-010' ? NEWER : '2025-01-01T00:00:00Z' }));
    lines.splice(290, 0, issueLine({ id: 'bd-010', title: 'older copy' }));
    ws.writeJsonl(lines);
    ws.import();
    ws.writeJsonl(lines.filter((_, i) => i !== 10));
    const expected = fullImportOf(ws);

    const r = ws.import();

    expect(outcome(r)).toEqual(outcome(expected.report));
    expect(r.deleted).toBe(0);
    expect(ws.store.get('bd-010')).not.toBeNull();
    expect(snapshotOf(ws.sql())).toEqual(expected.snapshot);
  });

  it('should parse a few lines of a large file with a local deletion pending in a run of unchanged lines, and keep the deletion', () => {
    const all = ids(900);
    ws.writeJsonl(all.map((id) => issueLine({ id, description: 'x'.repeat(800) })));
    ws.import();
    ws.store.delete('bd-400', 't');
    ws.writeJsonl(all.map((id) => issueLine({ id, description: 'x'.repeat(800), ...(id === 'bd-800' ? { title: 'upstream', updated_at: NEWER } : {}) })));
    const expected = fullImportOf(ws);

    const { result, parses } = parsesDuring(() => ws.import());

    expect(outcome(result)).toEqual(outcome(expected.report));
    expect(parses).toBeLessThan(10);
    expect(result).toMatchObject({ updated: 1, unchanged: 898 });
    expect(ws.store.pendingDeletions().has('bd-400')).toBe(true);
    expect(snapshotOf(ws.sql())).toEqual(expected.snapshot);
  });

  it('should refuse a conflict marker in a changed part with the line number a full import gives', () => {
    const all = ids(10);
    ws.writeJsonl(all.map((id) => issueLine({ id })));
    ws.import();
    const lines = all.map((id) => issueLine({ id }));
    lines.splice(4, 0, '<<<<<<< HEAD');
    ws.writeJsonl(lines);
    expect(() => ws.import()).toThrow(/line 5/);
    expect(ws.store.count()).toBe(10);
  });

  type Op =
    | { kind: 'local-create'; title: string }
    | { kind: 'local-update'; pick: number; title: string }
    | { kind: 'local-delete'; pick: number }
    | { kind: 'export' }
    | { kind: 'outside-change'; pick: number; title: string; newer: boolean }
    | { kind: 'outside-add'; title: string }
    | { kind: 'outside-remove'; pick: number }
    | { kind: 'outside-append-in-place'; title: string }
    | { kind: 'outside-memories'; memories: string[]; typed: number }
    | { kind: 'import' };

  const title = fc.string({ minLength: 1, maxLength: 10 }).filter((t) => t.trim() !== '');
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('local-create' as const), title }),
    fc.record({ kind: fc.constant('local-update' as const), pick: fc.nat(), title }),
    fc.record({ kind: fc.constant('local-delete' as const), pick: fc.nat() }),
    fc.constant({ kind: 'export' as const }),
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('outside-change' as const), pick: fc.nat(), title, newer: fc.boolean() }) },
    fc.record({ kind: fc.constant('outside-add' as const), title }),
    fc.record({ kind: fc.constant('outside-remove' as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant('outside-append-in-place' as const), title }),
    fc.record({
      kind: fc.constant('outside-memories' as const),
      memories: fc.array(fc.tuple(fc.constantFrom('build', 'style'), title).map(([key, value]) => serializeRecord({ _type: 'memory', key, value })), { maxLength: 3 }),
      typed: fc.nat(),
    }),
    { weight: 3, arbitrary: fc.constant({ kind: 'import' as const }) },
  );

  it('should leave the DB and report exactly as a full import would, whatever the mix of local and outside changes', () => {
    let n = 0;
    fc.assert(
      fc.property(fc.array(op, { maxLength: 25 }), (ops) => {
        const local = new TempWorkspace();
        try {
          local.writeJsonl(ids(8).map((id) => issueLine({ id })));
          local.import();
          const fileLines = (): string[] => fs.readFileSync(local.jsonlPath, 'utf8').split('\n').filter(Boolean);
          for (const o of ops) {
            const known = local.store.list().map((r) => r.id);
            const lines = fileLines();
            if (o.kind === 'local-create') local.store.create({ title: o.title }, 'p');
            else if (o.kind === 'local-update' && known.length) local.store.update(known[o.pick % known.length], { title: o.title }, 'p');
            else if (o.kind === 'local-delete' && known.length) local.store.delete(known[o.pick % known.length], 'p');
            else if (o.kind === 'export') local.export();
            else if (o.kind === 'outside-change' && lines.length) {
              const i = o.pick % lines.length;
              const rec = JSON.parse(lines[i]) as { id: string };
              lines[i] = issueLine({ ...rec, title: o.title, updated_at: o.newer ? NEWER : '2020-01-01T00:00:00Z' });
              local.writeJsonl(lines);
            } else if (o.kind === 'outside-add') {
              local.writeJsonl([...lines, issueLine({ id: `bd-x${n++}`, title: o.title })].sort());
            } else if (o.kind === 'outside-remove' && lines.length) {
              lines.splice(o.pick % lines.length, 1);
              local.writeJsonl(lines);
            } else if (o.kind === 'outside-memories') {
              // Newer bd rewrites the file: its memories after the issues, one issue line in its `_type` shape.
              const issues = lines.filter((l) => !l.startsWith('{"_type":"memory"'));
              const i = issues.length === 0 ? -1 : o.typed % issues.length;
              if (i >= 0 && issues[i].startsWith('{"id":')) issues[i] = `{"_type":"issue",${issues[i].slice(1)}`;
              local.writeJsonl([...issues, ...o.memories]);
            } else if (o.kind === 'outside-append-in-place') {
              fs.appendFileSync(local.jsonlPath, issueLine({ id: `bd-y${n++}`, title: o.title }) + '\n');
            } else if (o.kind === 'import') {
              const expected = fullImportOf(local);
              const r = local.import();
              if (!r.skipped) expect(outcome(r)).toEqual(outcome(expected.report));
              expect(snapshotOf(local.sql())).toEqual(expected.snapshot);
            }
          }
        } finally {
          local.dispose();
        }
      }),
      { numRuns: 50 },
    );
  });
});
