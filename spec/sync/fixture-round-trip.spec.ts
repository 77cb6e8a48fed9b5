import * as fs from 'node:fs';
import type { IssueRecord } from '../../src/jsonl/parse-jsonl';
import type { ImportReport } from '../../src/sync/import-jsonl';
import {
  RELAY_FIXTURE,
  byIdBytes,
  fixturePath,
  keyOrder,
  linesOf,
  readFixture,
  TempWorkspace,
  validFixtures,
} from '../helpers/temp-workspace';

/** Tombstones per file (the README's counts). */
const TOMBSTONES: Record<string, number> = {
  'steveyegge__beads__issues__20260113-ab4fba2.jsonl': 346,
  'jdillon__vscode-beads__issues.jsonl': 5,
};

const SORTED_FIXTURES = validFixtures()
  .filter((f) => f !== RELAY_FIXTURE)
  .map((f) => [f, TOMBSTONES[f] ?? 0] as const);

/** Imports a fixture into a fresh workspace, then exports it over the workspace file. */
function roundTrip(name: string) {
  const ws = new TempWorkspace();
  ws.copyFixture(name);
  const imported = ws.import();
  const cleanExport = ws.export();
  const forcedExport = ws.export({ force: true });
  return { ws, imported, cleanExport, forcedExport, exported: ws.readJsonl() };
}

/**
 * Field-by-field equality with key order, at every depth. Exact for parsed JSON values, and
 * cheap enough for 2,657 records; on a mismatch, toEqual shows the diff.
 */
function expectSameRecords(actual: unknown[], expected: unknown[]): void {
  expect(actual).toHaveLength(expected.length);
  const i = actual.findIndex((a, k) => JSON.stringify(a) !== JSON.stringify(expected[k]));
  if (i !== -1) {
    expect(actual[i]).toEqual(expected[i]);
    expect(keyOrder(actual[i])).toEqual(keyOrder(expected[i]));
  }
}

describe('import → export round trip over real beads files', () => {
  it('should cover every valid fixture', () => {
    expect(validFixtures()).toHaveLength(7);
  });

  describe.each(SORTED_FIXTURES)('%s', (name, tombstones) => {
    let rt: ReturnType<typeof roundTrip>;
    const original = readFixture(name);
    const originalRecords = linesOf(original).map((l) => JSON.parse(l) as IssueRecord);
    beforeAll(() => {
      rt = roundTrip(name);
    });
    afterAll(() => rt.ws.dispose());

    it('should import every issue and skip an export of the unchanged DB as clean', () => {
      expect(rt.imported).toMatchObject({ created: originalRecords.length, duplicates: [], deleted: 0 });
      expect(rt.ws.store.count()).toBe(originalRecords.length);
      expect(rt.cleanExport.skipped).toBe('clean');
    });

    it('should export the file byte for byte', () => {
      expect(rt.forcedExport.issues).toBe(originalRecords.length);
      expect(rt.forcedExport.bytes).toBe(fs.statSync(fixturePath(name)).size);
      const exported = linesOf(rt.exported);
      const lines = linesOf(original);
      const differing = lines.findIndex((line, i) => exported[i] !== line);
      expect(differing === -1 ? null : { line: differing + 1, original: lines[differing], exported: exported[differing] }).toBeNull();
      expect(rt.exported).toBe(original);
    });

    it('should give back every record field by field, key order included', () => {
      const exported = linesOf(rt.exported).map((l) => JSON.parse(l) as IssueRecord);
      expectSameRecords(exported, originalRecords);
      expect(exported.map((r) => Object.keys(r).join())).toEqual(originalRecords.map((r) => Object.keys(r).join()));
    });

    it('should hold each record in the DB with its timestamps as the exact strings read', () => {
      expectSameRecords(originalRecords.map((r) => rt.ws.store.get(r.id)), originalRecords);
      const columns = rt.ws
        .sql()
        .prepare('SELECT id, title, status, created_at, updated_at FROM issues')
        .all() as Array<{ id: string }>;
      const byId = new Map(columns.map((c) => [c.id, c]));
      expectSameRecords(
        originalRecords.map((r) => byId.get(r.id)),
        originalRecords.map((r) => ({
          id: r.id,
          title: r.title ?? null,
          status: r.status ?? null,
          created_at: r.created_at ?? null,
          updated_at: r.updated_at ?? null,
        })),
      );
    });

    it(`should keep its ${tombstones} tombstones unchanged and hide them from list()`, () => {
      const expected = originalRecords.filter((r) => r.status === 'tombstone').map((r) => r.id).sort(byIdBytes);
      expect(expected).toHaveLength(tombstones);
      expect(rt.ws.store.list().some((r) => r.status === 'tombstone')).toBe(false);
      expect(rt.ws.store.list()).toHaveLength(originalRecords.length - tombstones);
      expect(rt.ws.store.list({ status: 'tombstone' }).map((r) => r.id).sort(byIdBytes)).toEqual(expected);
      expect(rt.ws.store.stats()).toMatchObject({ total_issues: originalRecords.length - tombstones, tombstone_issues: tombstones });
    });

    it('should make issues findable by the labels their lines carry', () => {
      const live = originalRecords.filter((r) => r.status !== 'tombstone');
      const labels = [...new Set(live.flatMap((r) => (Array.isArray(r.labels) ? (r.labels as string[]) : [])))].slice(0, 8);
      for (const label of labels) {
        const expected = live.filter((r) => (r.labels as string[] | undefined)?.includes(label)).map((r) => r.id).sort();
        expect([label, rt.ws.store.list({ labels: [label] }).map((r) => r.id).sort()]).toEqual([label, expected]);
      }
    });
  });

  describe(`${RELAY_FIXTURE} (not written by bd)`, () => {
    let rt: ReturnType<typeof roundTrip>;
    let report: ImportReport;
    const lines = linesOf(readFixture(RELAY_FIXTURE));
    beforeAll(() => {
      rt = roundTrip(RELAY_FIXTURE);
      report = rt.imported;
    });
    afterAll(() => rt.ws.dispose());

    it('should report the duplicate id, the lines it is on, and the line kept', () => {
      expect(report.duplicates).toEqual([{ id: 'bd-git-auth-docs', lines: [48, 49], kept_line: 49 }]);
      expect(rt.ws.store.get('bd-git-auth-docs')).toEqual(JSON.parse(lines[48]));
      expect(report.created).toBe(54);
    });

    it('should import with warnings for its 40–160 priorities and missing issue types, keeping the values as they are', () => {
      expect(report.skipped).toBeUndefined();
      expect(report.warnings).toEqual({ unknown_status: 0, unknown_type: 54, unusual_priority: 54, future_timestamp: 0, bad_timestamp: 0 });
      const rec = rt.ws.store.get('bd-git-auth-docs')!;
      expect(rec.priority).toBe(60);
      expect(rec).not.toHaveProperty('issue_type');
      expect(rec.tags).toEqual(['documentation', 'git-auth', 'follow-up']);
    });

    it('should export sorted by id in byte order with exactly the original lines minus the dropped older duplicate', () => {
      const expected = lines.filter((_, i) => i !== 47);
      expected.sort((a, b) => byIdBytes(JSON.parse(a).id, JSON.parse(b).id));
      expect(rt.exported).toBe(expected.join('\n') + '\n');
      expect(rt.exported).not.toBe(readFixture(RELAY_FIXTURE));
      expect(lines[54]).toContain('", "');
      expect(linesOf(rt.exported)).toContain(lines[54]);
    });

    it('should give back every kept record field by field, key order included', () => {
      const kept = new Map(lines.filter((_, i) => i !== 47).map((l) => [JSON.parse(l).id as string, JSON.parse(l)]));
      const exported = linesOf(rt.exported).map((l) => JSON.parse(l) as IssueRecord);
      expect(exported.map((r) => r.id).sort()).toEqual([...kept.keys()].sort());
      expectSameRecords(exported, exported.map((r) => kept.get(r.id)));
    });
  });
});
