import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { JsonlLineError } from '../../src/jsonl/jsonl-errors';
import { CONFLICT_FIXTURE, issueLine, readFixture, useTempWorkspaces, type TempWorkspace } from '../helpers/temp-workspace';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const A1 = issueLine({ id: 'bd-a', title: 'A v1', updated_at: '2025-03-01T00:00:00Z' });
const B1 = issueLine({ id: 'bd-b', title: 'B v1', updated_at: '2025-03-01T00:00:00Z' });

function caught(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('importJsonl', () => {
  const workspace = useTempWorkspaces();

  /** A workspace in step with a file holding `lines`. */
  function synced(lines: string[]): TempWorkspace {
    const ws = workspace();
    ws.writeJsonl(lines);
    const r = ws.import();
    expect(r.created).toBe(lines.length);
    return ws;
  }

  describe('refusals', () => {
    it('should refuse the conflict-marker file naming line 224, and change neither the DB nor the file on import or export', () => {
      const ws = workspace();
      ws.copyFixture('steveyegge__beads__issues__20251012-8d3bbbc.jsonl');
      ws.import();
      ws.store.create({ title: 'Unexported local work' }, 'alice');
      const before = ws.snapshot();
      ws.copyFixture(CONFLICT_FIXTURE);

      const err = caught(() => ws.import());
      expect(err).toBeInstanceOf(JsonlLineError);
      expect((err as JsonlLineError).line).toBe(224);
      expect(err.message).toContain('line 224');
      expect(err.message).toContain('resolve the merge');
      expect(ws.snapshot()).toEqual(before);

      expect(() => ws.export()).toThrow(/line 224/);
      expect(ws.readJsonl()).toBe(readFixture(CONFLICT_FIXTURE));
      expect(ws.snapshot()).toEqual(before);
    });

    it.each([
      ['a line that is not JSON', '{"id":"bd-x","title":"cut off', 'not valid JSON'],
      ['an object without a string id', '{"title":"who am I","priority":1}', 'string "id"'],
      ['an object with a numeric id', '{"id":42}', 'string "id"'],
    ])('should refuse %s naming its line, after valid lines, and change nothing', (_what, bad, says) => {
      const ws = synced([A1, B1]);
      ws.store.update('bd-b', { title: 'B local' }, 'alice');
      const before = ws.snapshot();
      ws.writeJsonl([
        issueLine({ id: 'bd-a', title: 'A v2', updated_at: '2025-04-01T00:00:00Z' }),
        issueLine({ id: 'bd-c', title: 'C new' }),
        bad,
        issueLine({ id: 'bd-d', title: 'D new' }),
      ]);
      const err = caught(() => ws.import());
      expect(err).toBeInstanceOf(JsonlLineError);
      expect((err as JsonlLineError).line).toBe(3);
      expect(err.message).toContain('line 3');
      expect(err.message).toContain(says);
      expect(ws.snapshot()).toEqual(before);
    });

    it('should roll back every change when the DB fails part-way through the file', () => {
      const ws = synced([A1, B1]);
      ws.store.update('bd-a', { title: 'A local' }, 'alice');
      ws.sql().exec(
        `CREATE TRIGGER refuse_z BEFORE INSERT ON issues WHEN NEW.id = 'bd-z' BEGIN SELECT RAISE(ABORT, 'disk says no'); END`,
      );
      const before = ws.snapshot();
      const incoming = [
        issueLine({ id: 'bd-a', title: 'A teammate', updated_at: '2025-12-01T00:00:00Z' }),
        issueLine({ id: 'bd-c', title: 'C new' }),
        issueLine({ id: 'bd-z', title: 'Z new' }),
      ];
      ws.writeJsonl(incoming);
      expect(() => ws.import()).toThrow('disk says no');
      expect(ws.snapshot()).toEqual(before);
      expect(ws.store.get('bd-a')!.title).toBe('A local');
      expect(ws.store.get('bd-b')).not.toBeNull();

      ws.sql().exec('DROP TRIGGER refuse_z');
      const r = ws.import();
      expect(r).toMatchObject({ created: 2, updated: 1, deleted: 1, overwritten_local: ['bd-a'] });
      expect(ws.store.list().map((i) => i.title).sort()).toEqual(['A teammate', 'C new', 'Z new']);
    });
  });

  describe('page cache for large files', () => {
    it('should give SQLite a bigger page cache only for the import, and restore it after success and failure', () => {
      const ws = workspace();
      const defaultCache = ws.store.cacheSize();
      // ~3 MB: over the 2 MB default, so the import raises the cache.
      const lines = Array.from({ length: 1500 }, (_, i) =>
        issueLine({ id: `bd-${String(i).padStart(4, '0')}`, description: 'd'.repeat(2000) }),
      );
      // Observed from inside the import: the cache size while rows are being written.
      let seenDuring: unknown;
      const realWrite = ws.store.writeIssue.bind(ws.store);
      ws.store.writeIssue = (...args: Parameters<typeof realWrite>) => {
        seenDuring ??= ws.store.cacheSize();
        realWrite(...args);
      };
      // Into an empty DB the rows go in by the bulk load (bulk-load.ts), many a statement.
      const realNewRows = ws.store.newRows.bind(ws.store);
      ws.store.newRows = (...args: Parameters<typeof realNewRows>) => {
        seenDuring ??= ws.store.cacheSize();
        return realNewRows(...args);
      };
      ws.writeJsonl(lines);
      expect(ws.import().created).toBe(1500);
      expect(seenDuring).toBeLessThan(-2000);
      expect(ws.store.cacheSize()).toBe(defaultCache);

      ws.sql().exec(
        `CREATE TRIGGER refuse_new BEFORE INSERT ON issues WHEN NEW.id = 'bd-new' BEGIN SELECT RAISE(ABORT, 'disk says no'); END`,
      );
      ws.writeJsonl([...lines, issueLine({ id: 'bd-new', description: 'e'.repeat(2000) })]);
      expect(() => ws.import()).toThrow('disk says no');
      expect(ws.store.cacheSize()).toBe(defaultCache);
    });
  });

  describe('content hash', () => {
    it('should keep the SHA-256 of the imported file and skip re-importing it unchanged', () => {
      const ws = synced([A1, B1]);
      expect(ws.store.getMeta('jsonl_hash')).toBe(sha256(ws.readJsonl()));
      expect(ws.import()).toMatchObject({ skipped: 'unchanged', created: 0, updated: 0, deleted: 0 });
    });

    it('should skip a file whose mtime was touched but whose bytes are the same, and keep local work', () => {
      const ws = synced([A1, B1]);
      ws.store.update('bd-a', { title: 'A local' }, 'alice');
      const issues = ws.snapshot().issues;
      const future = new Date(Date.now() + 60_000);
      fs.utimesSync(ws.jsonlPath, future, future);
      expect(ws.import().skipped).toBe('unchanged');
      ws.writeJsonl(ws.readJsonl());
      expect(ws.import().skipped).toBe('unchanged');
      expect(ws.snapshot().issues).toEqual(issues);
      expect(ws.store.get('bd-a')!.title).toBe('A local');
    });

    it('should read the file again when forced', () => {
      const ws = synced([A1, B1]);
      expect(ws.import({ force: true })).toMatchObject({ unchanged: 2, created: 0, updated: 0 });
    });

    it('should report a missing workspace file and refuse a missing source file', () => {
      const ws = workspace();
      expect(ws.import().skipped).toBe('missing');
      expect(() => ws.import({ source: path.join(ws.root, 'nope.jsonl') })).toThrow(/nope\.jsonl: no such file/);
    });
  });

  describe('merge rules', () => {
    it('should keep the local issue when the incoming one is older, and export it back', () => {
      const ws = synced([A1]);
      ws.writeJsonl([issueLine({ id: 'bd-a', title: 'A stale', updated_at: '2025-02-01T00:00:00Z' })]);
      const r = ws.import();
      expect(r).toMatchObject({ kept_local: ['bd-a'], updated: 0, overwritten_local: [], needs_export: true });
      expect(ws.store.get('bd-a')!.title).toBe('A v1');
      expect(ws.export().skipped).toBeUndefined();
      expect(ws.readJsonl()).toBe(`${A1}\n`);
    });

    it('should let a newer incoming issue replace a clean local one', () => {
      const ws = synced([A1, B1]);
      const A2 = issueLine({ id: 'bd-a', title: 'A v2', updated_at: '2025-03-01T01:00:00.5+01:00' });
      ws.writeJsonl([A2, B1]);
      const r = ws.import();
      expect(r).toMatchObject({ updated: 1, unchanged: 1, kept_local: [], overwritten_local: [], needs_export: false });
      expect(ws.store.get('bd-a')!.title).toBe('A v2');
      expect(ws.store.get('bd-a')!.updated_at).toBe('2025-03-01T01:00:00.5+01:00');
      expect(ws.export().skipped).toBe('clean');
      expect(ws.readJsonl()).toBe(`${A2}\n${B1}\n`);
    });

    it.each([
      ['older', '2025-02-01T00:00:00Z'],
      ['equal (same instant, other offset)', '2025-05-01T02:00:00+02:00'],
    ])('should keep an unexported local change when the incoming version is %s', (_what, incomingTime) => {
      const ws = synced([A1]);
      ws.setTime('2025-05-01T00:00:00.000Z');
      ws.store.update('bd-a', { title: 'A local' }, 'alice');
      ws.writeJsonl([issueLine({ id: 'bd-a', title: 'A teammate', updated_at: incomingTime })]);
      const r = ws.import();
      expect(r).toMatchObject({ kept_local: ['bd-a'], overwritten_local: [], updated: 0, needs_export: true });
      expect(ws.store.get('bd-a')!.title).toBe('A local');
      ws.export();
      expect(ws.jsonlRecords().map((i) => [i.id, i.title, i.updated_at])).toEqual([['bd-a', 'A local', '2025-05-01T00:00:00.000Z']]);
    });

    it('should report an unexported local change that a newer incoming version replaces', () => {
      const ws = synced([A1]);
      ws.setTime('2025-05-01T00:00:00.000Z');
      ws.store.update('bd-a', { title: 'A local' }, 'alice');
      ws.writeJsonl([issueLine({ id: 'bd-a', title: 'A teammate', updated_at: '2025-05-01T00:00:00.001Z' })]);
      const r = ws.import();
      expect(r).toMatchObject({ overwritten_local: ['bd-a'], kept_local: [], updated: 1 });
      expect(ws.store.get('bd-a')!.title).toBe('A teammate');
    });

    it('should delete an issue that was in the file at the last sync, is gone from it, and is unchanged locally', () => {
      const ws = synced([A1, B1]);
      ws.writeJsonl([A1]);
      expect(ws.import()).toMatchObject({ deleted: 1, needs_export: false });
      expect(ws.store.get('bd-b')).toBeNull();
      expect(ws.export().skipped).toBe('clean');
      expect(ws.jsonlIds()).toEqual(['bd-a']);
    });

    it('should delete a locally created issue once it was exported and a teammate removed it', () => {
      const ws = synced([A1]);
      const c = ws.store.create({ title: 'C local', id: 'bd-c' }, 'alice');
      ws.export();
      ws.writeJsonl([A1]);
      expect(ws.import().deleted).toBe(1);
      expect(ws.store.get(c.id)).toBeNull();
    });

    it('should keep an issue created locally and never exported when the file changes without it', () => {
      const ws = synced([A1]);
      ws.store.create({ title: 'C local', id: 'bd-c' }, 'alice');
      const A2 = issueLine({ id: 'bd-a', title: 'A v2', updated_at: '2025-04-01T00:00:00Z' });
      ws.writeJsonl([A2]);
      expect(ws.import()).toMatchObject({ deleted: 0, updated: 1, needs_export: true });
      expect(ws.store.get('bd-c')!.title).toBe('C local');
      ws.export();
      expect(ws.jsonlRecords().map((i) => [i.id, i.title])).toEqual([['bd-a', 'A v2'], ['bd-c', 'C local']]);
    });

    it('should keep an issue changed locally since the last sync even though the file no longer has it', () => {
      const ws = synced([A1, B1]);
      ws.store.update('bd-b', { title: 'B local' }, 'alice');
      ws.writeJsonl([A1]);
      expect(ws.import()).toMatchObject({ deleted: 0, needs_export: true });
      expect(ws.store.get('bd-b')!.title).toBe('B local');
      ws.export();
      expect(ws.jsonlRecords().map((i) => [i.id, i.title])).toEqual([['bd-a', 'A v1'], ['bd-b', 'B local']]);
    });

    it('should not resurrect a local delete that is not exported yet when the file still has the old issue', () => {
      const ws = synced([A1, B1]);
      ws.setTime('2025-05-01T00:00:00.000Z');
      ws.store.delete('bd-b', 'alice');
      const N = issueLine({ id: 'bd-n', title: 'N teammate' });
      ws.writeJsonl([A1, B1, N]);
      const r = ws.import();
      expect(r).toMatchObject({ created: 1, kept_local: ['bd-b'], needs_export: true });
      expect(ws.store.get('bd-b')).toBeNull();
      expect(ws.store.get('bd-n')!.title).toBe('N teammate');
      ws.export();
      expect(ws.jsonlIds()).toEqual(['bd-a', 'bd-n']);
    });

    it('should not resurrect a local delete on a forced re-import of the unchanged file, even of the last issue', () => {
      const ws = synced([A1]);
      ws.store.delete('bd-a', 'alice');
      ws.import({ force: true });
      expect(ws.store.get('bd-a')).toBeNull();
      expect(ws.store.count()).toBe(0);
      expect(ws.store.pendingExportCount()).toBe(1);
    });

    it('should round-trip tombstones unchanged while other issues change', () => {
      const T = issueLine({
        id: 'bd-t', status: 'tombstone', deleted_at: '2025-02-01T00:00:00Z', deleted_by: 'bob',
        delete_reason: 'duplicate of <bd-a>', original_type: 'bug',
      });
      const ws = synced([A1, T]);
      expect(ws.store.list().map((i) => i.id)).toEqual(['bd-a']);
      ws.store.update('bd-a', { title: 'A local' }, 'alice');
      ws.export();
      const lines = ws.readJsonl().split('\n');
      expect(lines[1]).toBe(T);
      expect(ws.store.getRow('bd-t')!.line).toBe(T);
    });

    it.each([
      ['newest first', [0, 1]],
      ['newest last', [1, 0]],
    ])('should keep the newest updated_at when one id is in the file twice (%s)', (_order, idx) => {
      const ws = workspace();
      const versions = [
        issueLine({ id: 'bd-d', title: 'newer', updated_at: '2025-03-02T00:00:00+05:00' }),
        issueLine({ id: 'bd-d', title: 'older', updated_at: '2025-03-01T12:00:00Z' }),
      ];
      ws.writeJsonl([A1, versions[idx[0]], versions[idx[1]]]);
      const r = ws.import();
      const newerLine = idx.indexOf(0) + 2;
      expect(r.duplicates).toEqual([{ id: 'bd-d', lines: [2, 3], kept_line: newerLine }]);
      expect(r.created).toBe(2);
      expect(ws.store.get('bd-d')!.title).toBe('newer');
    });
  });

  describe('importing another file', () => {
    it('should merge it without deleting, and leave the merged issues for the next export', () => {
      const ws = synced([A1, B1]);
      const hash = ws.store.getMeta('jsonl_hash');
      const other = path.join(ws.root, 'backup.jsonl');
      fs.writeFileSync(other, [issueLine({ id: 'bd-a', title: 'A backup', updated_at: '2025-04-01T00:00:00Z' }), issueLine({ id: 'bd-x', title: 'X' })].join('\n') + '\n');
      const r = ws.import({ source: other });
      expect(r).toMatchObject({ created: 1, updated: 1, deleted: 0, needs_export: true });
      expect(ws.store.get('bd-b')).not.toBeNull();
      expect(ws.store.getMeta('jsonl_hash')).toBe(hash);
      ws.export();
      expect(ws.jsonlRecords().map((i) => [i.id, i.title])).toEqual([['bd-a', 'A backup'], ['bd-b', 'B v1'], ['bd-x', 'X']]);
    });
  });
});
