import * as fs from 'node:fs';
import fc from 'fast-check';
import { contentHash } from '../../src/jsonl/content-hash';
import { BeadsStore } from '../../src/store/beads-store';
import { renderJsonl } from '../../src/sync/export-jsonl';
import { META_HASH, META_STAT, statKey } from '../../src/sync/jsonl-file-state';
import { usableIndex, writeExportTemp } from '../../src/sync/lean-export';
import { idAt, scanJsonl, type LineIndex } from '../../src/sync/line-index';
import { LeanExporter } from '../../src/sync/lean-exporter';
import { commitStagedExport } from '../../src/sync/staged-export';
import { serializeRecord } from '../../src/jsonl/serialize-record';
import { TempWorkspace, issueLine } from '../helpers/temp-workspace';

/** What the lean export must always write: a full export of the same DB. */
function fullExport(store: BeadsStore): Buffer {
  return renderJsonl(store).data;
}

function createFromAnotherConnection(dbPath: string, title: string): void {
  const other = new BeadsStore(dbPath);
  try {
    other.create({ title }, 'outside');
  } finally {
    other.dispose();
  }
}

/** The JSONL is exactly a full export, and the DB records that file as synced. */
function expectExact(ws: TempWorkspace): void {
  const file = fs.readFileSync(ws.jsonlPath);
  expect(file.toString('utf8')).toBe(fullExport(ws.store).toString('utf8'));
  expect(ws.store.getMeta(META_HASH)).toBe(contentHash(file));
}

/** The index an exporter built as it wrote is the one a scan of the file finds, line for line. */
function expectIndexOfFile(index: LineIndex | undefined, file: string): void {
  const scanned = scanJsonl(file, statKey(file) ?? '');
  expect(index).toBeDefined();
  expect(scanned).toBeDefined();
  const lines = (x: LineIndex) => Array.from({ length: x.count }, (_, i) => [idAt(x, i), x.offsets[i], x.lengths[i]]);
  expect(lines(index!)).toEqual(lines(scanned!));
  expect([index!.stat, index!.hash, index!.bytes]).toEqual([scanned!.stat, scanned!.hash, scanned!.bytes]);
}

describe('LeanExporter', () => {
  let ws: TempWorkspace;
  beforeEach(() => {
    ws = new TempWorkspace();
  });
  afterEach(() => ws.dispose());

  function seed(n: number): string[] {
    const ids = Array.from({ length: n }, (_, i) => `bd-${String(i).padStart(3, '0')}`);
    ws.writeJsonl(ids.map((id) => issueLine({ id, description: `text of ${id}` })));
    ws.import();
    return ids;
  }

  it('should copy unchanged lines from the file and write changed, new and deleted ones from the DB', () => {
    const ids = seed(50);
    const exporter = new LeanExporter(ws.store, ws.jsonlPath);
    ws.store.update(ids[3], { title: 'Renamed <&>' }, 't');
    ws.store.delete(ids[10], 't');
    const created = ws.store.create({ title: 'Newcomer' }, 't');
    const r = exporter.export();
    expect(r.mode).toBe('copy');
    expectExact(ws);
    const text = fs.readFileSync(ws.jsonlPath, 'utf8');
    expect(text).toContain('Renamed \\u003c\\u0026\\u003e');
    expect(text).not.toContain(`"id":"${ids[10]}"`);
    expect(text).toContain(`"id":"${created.id}"`);

    ws.store.update(ids[49], { title: 'Last one' }, 't');
    expect(exporter.export().mode).toBe('copy');
    expectExact(ws);
  });

  it('should leave the connection usable when the old file turns out shorter than its index part-way (a retried SourceChangedError)', () => {
    const ids = seed(5);
    new LeanExporter(ws.store, ws.jsonlPath).export();
    const index = usableIndex(ws.store, ws.jsonlPath, undefined)!;
    expect(index.count).toBe(5);
    // An index trusted by stat and hash whose first line lies past the end of the file: the
    // copy finds the file shorter than it says (as when it changed under the export) after the
    // walk over the changed rows has begun (the last id is changed).
    index.offsets[0] = index.bytes + 1000;
    ws.store.update(ids[4], { title: 'changed, walked after the failing copy' }, 't');
    const written = ws.store.inTransaction(() => writeExportTemp(ws.store, ws.jsonlPath, index));
    fs.rmSync(written.tmp, { force: true });
    expect(written.mode).toBe('full');
    expect(written.issues).toBe(5);
    // The connection still answers (before the fix: "This database connection is busy executing a query").
    expect(ws.store.count()).toBe(5);
    expect(ws.store.get(ids[4])?.title).toBe('changed, walked after the failing copy');
  });

  it("should build each export's index in the storage of the one before last while the file grows by a create per export", () => {
    seed(20);
    const exporter = new LeanExporter(ws.store, ws.jsonlPath);
    exporter.export({ force: true });
    const first = exporter.heldIndex!;
    ws.store.create({ title: 'one more' }, 't');
    exporter.export();
    ws.store.create({ title: 'and another' }, 't');
    exporter.export();
    const third = exporter.heldIndex!;
    expect(third.count).toBe(22);
    // The same arrays, not a new set per export (~2.8 MB at 100k, left for a GC to free).
    expect(third.idBytes).toBe(first.idBytes);
    expect(third.offsets).toBe(first.offsets);
    expectExact(ws);
    expectIndexOfFile(third, ws.jsonlPath);
  });

  it('should include rows another connection wrote (they are dirty in the DB)', () => {
    seed(5);
    const exporter = new LeanExporter(ws.store, ws.jsonlPath);
    createFromAnotherConnection(ws.dbPath, 'Written by a --no-daemon CLI');
    expect(exporter.export().mode).toBe('copy');
    expectExact(ws);
    expect(fs.readFileSync(ws.jsonlPath, 'utf8')).toContain('Written by a --no-daemon CLI');
  });

  it('should keep byte order of non-ASCII ids, as SQLite sorts them', () => {
    ws.writeJsonl([issueLine({ id: 'bd-\uFF21' }), issueLine({ id: 'bd-\u{1D11E}' })].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    ws.import();
    const exporter = new LeanExporter(ws.store, ws.jsonlPath);
    ws.store.create({ title: 'ascii', id: 'bd-a' } as never, 't');
    ws.store.update('bd-\uFF21', { title: 'wide' }, 't');
    expect(exporter.export().mode).toBe('copy');
    expectExact(ws);
    expectIndexOfFile(exporter.heldIndex, ws.jsonlPath);
    expect(idAt(exporter.heldIndex!, 2)).toBe('bd-\u{1D11E}');
  });

  describe('an index that disagrees with the file', () => {
    it('should rebuild the index after a restart (a new exporter) from the file, checked by hash', () => {
      const ids = seed(20);
      new LeanExporter(ws.store, ws.jsonlPath).export({ force: true });
      ws.store.update(ids[1], { title: 'after restart' }, 't');
      expect(new LeanExporter(ws.store, ws.jsonlPath).export().mode).toBe('copy');
      expectExact(ws);
    });

    it('should merge an in-place edit (same inode, new size and mtime) instead of copying stale ranges', () => {
      const ids = seed(20);
      const exporter = new LeanExporter(ws.store, ws.jsonlPath);
      exporter.export({ force: true });
      const ino = fs.statSync(ws.jsonlPath).ino;
      fs.appendFileSync(ws.jsonlPath, issueLine({ id: 'bd-zzz', title: 'appended by an editor' }) + '\n');
      expect(fs.statSync(ws.jsonlPath).ino).toBe(ino);
      ws.store.update(ids[2], { title: 'local' }, 't');
      const r = exporter.export();
      expect(r.merged?.created).toBe(1);
      expectExact(ws);
      expect(fs.readFileSync(ws.jsonlPath, 'utf8')).toContain('appended by an editor');
    });

    it('should render in full when the file on disk is not the one last synced (hash differs, stat restored)', () => {
      const ids = seed(20);
      const exporter = new LeanExporter(ws.store, ws.jsonlPath);
      exporter.export({ force: true });
      // Other bytes behind the stat recorded at the last sync: an edit the stat cannot see
      // (recording the new stat stands in for a size, mtime and inode that happen to match).
      // A restart must not trust a scan of it, since its hash is not the one recorded.
      const text = fs.readFileSync(ws.jsonlPath, 'utf8').replace('text of bd-005', 'TEXT OF bd-005');
      fs.writeFileSync(ws.jsonlPath, text);
      ws.store.setMeta(META_STAT, statKey(ws.jsonlPath)!);
      ws.store.update(ids[1], { title: 'x' }, 't');
      const r = new LeanExporter(ws.store, ws.jsonlPath).export();
      expect(r.mode).toBe('full');
      expectExact(ws);
      expect(fs.readFileSync(ws.jsonlPath, 'utf8')).not.toContain('TEXT OF');
    });

    it('should render in full from a file whose lines it cannot reproduce by copying (CRLF, blank lines)', () => {
      const ids = ['bd-001', 'bd-002', 'bd-003'];
      ws.writeJsonl(ids.map((id) => issueLine({ id })).join('\r\n') + '\r\n\n');
      ws.import();
      ws.store.update(ids[0], { title: 'y' }, 't');
      expect(new LeanExporter(ws.store, ws.jsonlPath).export().mode).toBe('full');
      expectExact(ws);
    });
  });

  describe('a one-shot exporter (a command that exports once)', () => {
    /** `n` issues of ~250 bytes: a file of many 16 KB search windows. */
    function seedLong(n: number): string[] {
      const ids = Array.from({ length: n }, (_, i) => `bd-${String(i).padStart(4, '0')}`);
      ws.writeJsonl(ids.map((id) => issueLine({ id, description: `text of ${id} `.repeat(12) })));
      ws.import();
      new LeanExporter(ws.store, ws.jsonlPath).export({ force: true }); // now a file this tool wrote
      return ids;
    }

    it('should place changes by binary search over a file it wrote, keep no index, and write exactly a full export', () => {
      const ids = seedLong(600);
      expect(fs.statSync(ws.jsonlPath).size).toBeGreaterThan(100_000);
      ws.store.update(ids[0], { title: 'first' }, 't');
      ws.store.update(ids[311], { title: 'middle' }, 't');
      ws.store.update(ids[599], { title: 'last' }, 't');
      ws.store.delete(ids[1], 't');
      ws.store.delete(ids[598], 't');
      const created = [ws.store.create({ title: 'new a' }, 't'), ws.store.create({ title: 'new b' }, 't')];
      const exporter = new LeanExporter(ws.store, ws.jsonlPath, { oneShot: true });

      const r = exporter.export();

      expect(r.mode).toBe('copy');
      expect(r.issues).toBe(600);
      expect(exporter.heldIndex).toBeUndefined();
      expectExact(ws);
      const text = fs.readFileSync(ws.jsonlPath, 'utf8');
      for (const c of created) expect(text).toContain(`"id":"${c.id}"`);
      expect(text).not.toContain(`"id":"${ids[1]}"`);
      // And again from the file it just wrote.
      ws.store.update(ids[300], { title: 'again' }, 't');
      expect(new LeanExporter(ws.store, ws.jsonlPath, { oneShot: true }).export().mode).toBe('copy');
      expectExact(ws);
    });

    it('should render in full when the file is not the one last synced though its stat says so (the hash of the bytes it copied differs)', () => {
      const ids = seedLong(200);
      const text = fs.readFileSync(ws.jsonlPath, 'utf8').replace('text of bd-0150', 'TEXT OF bd-0150');
      fs.writeFileSync(ws.jsonlPath, text);
      ws.store.setMeta(META_STAT, statKey(ws.jsonlPath)!);
      ws.store.update(ids[3], { title: 'x' }, 't');

      const r = new LeanExporter(ws.store, ws.jsonlPath, { oneShot: true }).export();

      expect(r.mode).toBe('full');
      expectExact(ws);
      expect(fs.readFileSync(ws.jsonlPath, 'utf8')).not.toContain('TEXT OF');
    });

    it('should render in full when a line it lands on has no id it can read (another key first)', () => {
      const ids = Array.from({ length: 120 }, (_, i) => `bd-${String(i).padStart(4, '0')}`);
      const lines = ids.map((id) => issueLine({ id, description: `text of ${id} `.repeat(12) }));
      // Every line with its title before its id: kept as its bytes, so the file this tool writes has them too.
      ws.writeJsonl(lines.map((l) => { const r = JSON.parse(l) as Record<string, unknown>; return JSON.stringify({ title: r.title, ...r }); }));
      ws.import();
      new LeanExporter(ws.store, ws.jsonlPath).export({ force: true });
      ws.store.update(ids[60], { title: 'y' }, 't');

      const r = new LeanExporter(ws.store, ws.jsonlPath, { oneShot: true }).export();

      expect(r.mode).toBe('full');
      expectExact(ws);
      expect(fs.readFileSync(ws.jsonlPath, 'utf8')).toContain('"title":"y"');
    });
  });

  it('should stage ahead and commit by a rename, then copy from the renamed file next time', () => {
    const ids = seed(30);
    const exporter = new LeanExporter(ws.store, ws.jsonlPath);
    ws.store.update(ids[4], { title: 'staged' }, 't');
    const staged = exporter.stage();
    expect(staged?.written.mode).toBe('copy');
    const r = commitStagedExport(ws.store, staged!, { jsonlPath: ws.jsonlPath });
    exporter.staged(staged!, r !== undefined);
    expect(r?.staged).toBe(true);
    expectExact(ws);
    ws.store.update(ids[5], { title: 'next' }, 't');
    expect(exporter.export().mode).toBe('copy');
    expectExact(ws);
  });

  type Op =
    | { kind: 'create'; title: string }
    | { kind: 'update'; pick: number; title: string }
    | { kind: 'delete'; pick: number }
    | { kind: 'other-connection'; title: string }
    | { kind: 'outside-edit'; pick: number; title: string }
    | { kind: 'restart' }
    | { kind: 'export' }
    | { kind: 'stage-and-commit' }
    | { kind: 'one-shot-export' }
    | { kind: 'outside-memories'; memories: string[]; typed: number };

  const isMemory = (l: string) => l.startsWith('{"_type":"memory"');

  const title = fc.string({ minLength: 1, maxLength: 12 }).filter((t) => t.trim() !== '');
  /** Newer bd rewrites the file: its memories after the issues, and one issue line in its `_type` shape. */
  const memory = fc.tuple(fc.constantFrom('build', 'style', 'x'), title).map(([key, value]) => serializeRecord({ _type: 'memory', key, value }));
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('create' as const), title }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('update' as const), pick: fc.nat(), title }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('other-connection' as const), title }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('outside-edit' as const), pick: fc.nat(), title }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
    { weight: 3, arbitrary: fc.constant({ kind: 'export' as const }) },
    { weight: 2, arbitrary: fc.constant({ kind: 'stage-and-commit' as const }) },
    { weight: 2, arbitrary: fc.constant({ kind: 'one-shot-export' as const }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('outside-memories' as const), memories: fc.array(memory, { maxLength: 3 }), typed: fc.nat() }) },
  );

  it('should always write exactly what a full export writes, whatever the mix of writes, outside edits and restarts', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        const local = new TempWorkspace();
        let exporter = new LeanExporter(local.store, local.jsonlPath);
        const exportNow = (): void => {
          exporter.export();
          if (!fs.existsSync(local.jsonlPath)) return;
          expectExact(local);
          if (exporter.heldIndex) expectIndexOfFile(exporter.heldIndex, local.jsonlPath);
        };
        try {
          for (const o of ops) {
            const ids = local.store.list().map((r) => r.id);
            if (o.kind === 'create') local.store.create({ title: o.title }, 'p');
            else if (o.kind === 'update' && ids.length > 0) local.store.update(ids[o.pick % ids.length], { title: o.title }, 'p');
            else if (o.kind === 'delete' && ids.length > 0) local.store.delete(ids[o.pick % ids.length], 'p');
            else if (o.kind === 'other-connection') createFromAnotherConnection(local.dbPath, o.title);
            else if (o.kind === 'outside-edit' && fs.existsSync(local.jsonlPath)) {
              // A collaborator's newer version of one line, written as git does (new file, rename).
              const all = fs.readFileSync(local.jsonlPath, 'utf8').split('\n').filter(Boolean);
              const lines = all.filter((l) => !isMemory(l));
              if (lines.length === 0) continue;
              const i = o.pick % lines.length;
              const rec = JSON.parse(lines[i]) as Record<string, unknown>;
              lines[i] = issueLine({ ...(rec as { id: string }), title: o.title, updated_at: '2030-01-01T00:00:00Z' });
              fs.writeFileSync(`${local.jsonlPath}.new`, [...lines, ...all.filter(isMemory)].join('\n') + '\n');
              fs.renameSync(`${local.jsonlPath}.new`, local.jsonlPath);
            } else if (o.kind === 'outside-memories' && fs.existsSync(local.jsonlPath)) {
              const lines = fs.readFileSync(local.jsonlPath, 'utf8').split('\n').filter((l) => l !== '' && !isMemory(l));
              const i = lines.length === 0 ? -1 : o.typed % lines.length;
              if (i >= 0 && lines[i].startsWith('{"id":')) lines[i] = `{"_type":"issue",${lines[i].slice(1)}`;
              fs.writeFileSync(`${local.jsonlPath}.new`, [...lines, ...o.memories].map((l) => `${l}\n`).join(''));
              fs.renameSync(`${local.jsonlPath}.new`, local.jsonlPath);
            } else if (o.kind === 'restart') exporter = new LeanExporter(local.store, local.jsonlPath);
            else if (o.kind === 'export') exportNow();
            else if (o.kind === 'one-shot-export') {
              // A command's export (direct mode) between the daemon's: the daemon's index is then stale by stat.
              new LeanExporter(local.store, local.jsonlPath, { oneShot: true }).export();
              if (fs.existsSync(local.jsonlPath)) expectExact(local);
            }
            else if (o.kind === 'stage-and-commit') {
              const staged = exporter.stage();
              if (staged) {
                const r = commitStagedExport(local.store, staged, { jsonlPath: local.jsonlPath });
                exporter.staged(staged, r !== undefined);
                expectExact(local);
                if (r) expectIndexOfFile(exporter.heldIndex, local.jsonlPath);
              }
            }
          }
          if (local.store.count() > 0 || local.store.pendingExportCount() > 0) exportNow();
        } finally {
          local.dispose();
        }
      }),
      { numRuns: 60 },
    );
  });
});
