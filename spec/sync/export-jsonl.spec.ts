import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EmptyExportError, renderJsonl } from '../../src/sync/export-jsonl';
import { byIdBytes, issueLine, useTempWorkspaces } from '../helpers/temp-workspace';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const A1 = issueLine({ id: 'bd-a', title: 'A v1', updated_at: '2025-03-01T00:00:00Z' });
const B1 = issueLine({ id: 'bd-b', title: 'B v1', updated_at: '2025-03-01T00:00:00Z' });


describe('exportJsonl', () => {
  const workspace = useTempWorkspaces();

  describe('file format', () => {
    it('should write one line per issue with a newline after every line, sorted by id in byte order', () => {
      const ws = workspace();
      for (const id of ['bd-2', 'bd-10', 'bd-1', 'bd-B', 'bd-a', 'bd-1.1']) ws.store.create({ title: id, id }, 'alice');
      const report = ws.export();
      const text = ws.readJsonl();
      expect(report.issues).toBe(6);
      expect(report.bytes).toBe(Buffer.byteLength(text));
      expect(text.endsWith('\n')).toBe(true);
      expect(text.split('\n')).toHaveLength(7);
      expect(text).not.toContain('\n\n');
      expect(ws.jsonlIds()).toEqual(['bd-1', 'bd-1.1', 'bd-10', 'bd-2', 'bd-B', 'bd-a']);
    });

    it('should order non-ASCII ids by their UTF-8 bytes, not by UTF-16 code units', () => {
      const ws = workspace();
      const ids = ['bd-😀', 'bd-Ａ', 'bd-é', 'bd-z', 'bd-~', 'bd-Z'];
      ws.writeJsonl(ids.map((id) => issueLine({ id })));
      ws.import();
      ws.export({ force: true });
      expect(ws.jsonlIds()).toEqual(['bd-Z', 'bd-z', 'bd-~', 'bd-é', 'bd-Ａ', 'bd-😀']);
      expect(ws.jsonlIds()).toEqual([...ids].sort(byIdBytes));
    });

    it('should write an empty file for an empty DB when there is no file yet', () => {
      const ws = workspace();
      expect(ws.export()).toMatchObject({ issues: 0, bytes: 0 });
      expect(ws.readJsonl()).toBe('');
      expect(renderJsonl(ws.store).data.length).toBe(0);
    });
  });

  describe('atomic write', () => {
    it('should leave no temp files in .beads/ and record the hash of what it wrote', () => {
      const ws = workspace();
      ws.writeJsonl([A1, B1]);
      ws.import();
      for (let i = 0; i < 5; i++) {
        ws.store.create({ title: `n${i}` }, 'alice');
        ws.export();
      }
      expect(ws.beadsEntries().filter((e) => !/^beads\.db(-wal|-shm)?$/.test(e))).toEqual(['.issues.jsonl.tmp-base', 'issues.jsonl']);
      // The base the next import compares against is the file written, as a second name.
      expect(fs.statSync(path.join(ws.beadsDir, '.issues.jsonl.tmp-base')).ino).toBe(fs.statSync(ws.jsonlPath).ino);
      expect(ws.store.getMeta('jsonl_hash')).toBe(sha256(ws.readJsonl()));
      expect(ws.import().skipped).toBe('unchanged');
      expect(ws.jsonlIds()).toHaveLength(7);
    });
  });

  describe('empty export guard', () => {
    it('should never wipe a non-empty file from a DB that lost its issues without recording deletions', () => {
      const ws = workspace();
      ws.writeJsonl([A1, B1]);
      ws.import();
      // The rows vanish with no deletion recorded (a damaged or swapped DB).
      ws.sql().exec('DELETE FROM issues; DELETE FROM labels; DELETE FROM dependencies');
      const before = ws.readJsonl();

      expect(ws.export().skipped).toBe('clean');
      expect(ws.readJsonl()).toBe(before);
    });

    it('should export an empty file when every issue was deleted here', () => {
      const ws = workspace();
      ws.writeJsonl([A1, B1]);
      ws.import();
      ws.store.delete('bd-a', 'alice');
      ws.store.delete('bd-b', 'alice');
      expect(ws.store.pendingExportCount()).toBe(2);

      expect(ws.export().issues).toBe(0);
      expect(ws.readJsonl()).toBe('');
      expect(ws.export().skipped).toBe('clean');
    });

    it('should refuse an empty export over a non-empty output file', () => {
      const ws = workspace();
      const out = path.join(ws.root, 'copy.jsonl');
      fs.writeFileSync(out, `${A1}\n`);
      expect(() => ws.export({ output: out })).toThrow(EmptyExportError);
      expect(fs.readFileSync(out, 'utf8')).toBe(`${A1}\n`);
    });
  });

  describe('skipping and merging', () => {
    it('should skip as clean when the DB is unchanged since it wrote the file', () => {
      const ws = workspace();
      ws.store.create({ title: 'one' }, 'alice');
      expect(ws.export().skipped).toBeUndefined();
      const mtime = fs.statSync(ws.jsonlPath).mtimeMs;
      const report = ws.export();
      expect(report.skipped).toBe('clean');
      expect(report.merged).toBeUndefined();
      expect(fs.statSync(ws.jsonlPath).mtimeMs).toBe(mtime);
      ws.store.create({ title: 'two' }, 'alice');
      expect(ws.export().skipped).toBeUndefined();
      expect(ws.jsonlIds()).toHaveLength(2);
    });

    it('should merge an outside change to the file before writing, so both sides are kept', () => {
      const ws = workspace();
      ws.writeJsonl([A1]);
      ws.import();
      const N = issueLine({ id: 'bd-n', title: 'N from a teammate' });
      ws.writeJsonl([A1, N]);
      const local = ws.store.create({ title: 'L local', id: 'bd-l' }, 'alice');
      const report = ws.export();
      expect(report.merged).toMatchObject({ created: 1, deleted: 0 });
      expect(ws.jsonlRecords().map((i) => [i.id, i.title])).toEqual([
        ['bd-a', 'A v1'],
        ['bd-l', 'L local'],
        ['bd-n', 'N from a teammate'],
      ]);
      expect(ws.readJsonl().split('\n')[2]).toBe(N);
      expect(ws.store.get('bd-n')!.title).toBe('N from a teammate');
      expect(ws.store.get(local.id)).not.toBeNull();
      expect(ws.export().skipped).toBe('clean');
    });

    it('should take in an outside change and then skip as clean when there is nothing local to add', () => {
      const ws = workspace();
      ws.writeJsonl([A1]);
      ws.import();
      const outside = [A1, B1];
      ws.writeJsonl(outside);
      const report = ws.export();
      expect(report).toMatchObject({ skipped: 'clean', merged: { created: 1 } });
      expect(ws.readJsonl()).toBe(outside.join('\n') + '\n');
      expect(ws.store.get('bd-b')!.title).toBe('B v1');
    });

    it('should write another file without marking the workspace exported', () => {
      const ws = workspace();
      ws.writeJsonl([A1]);
      ws.import();
      ws.store.create({ title: 'L', id: 'bd-l' }, 'alice');
      const out = path.join(ws.root, 'snapshot.jsonl');
      ws.export({ output: out });
      expect(fs.readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).id)).toEqual(['bd-a', 'bd-l']);
      expect(ws.jsonlIds()).toEqual(['bd-a']);
      expect(ws.store.pendingExportCount()).toBe(1);
      expect(ws.export().skipped).toBeUndefined();
      expect(ws.jsonlIds()).toEqual(['bd-a', 'bd-l']);
    });
  });
});
