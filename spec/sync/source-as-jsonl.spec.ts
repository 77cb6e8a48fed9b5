import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { JsonlLineError } from '../../src/jsonl/jsonl-errors';
import { issueLine, useTempWorkspaces, type TempWorkspace } from '../helpers/temp-workspace';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Lines in id byte order, as an export writes them (non-ASCII text and a label and a dependency included). */
const CANONICAL = [
  issueLine({ id: 'bd-a', title: 'Alpha — first', labels: ['web'] }),
  issueLine({ id: 'bd-b', title: 'Beta', dependencies: [{ issue_id: 'bd-b', depends_on_id: 'bd-a', type: 'blocks' }] }),
  issueLine({ id: 'bd-c', title: 'Gamma <x> & y', status: 'closed', closed_at: '2025-01-02T00:00:00Z' }),
];

describe('importJsonl of another file into a fresh workspace (writeJsonl)', () => {
  const workspace = useTempWorkspaces();

  /** A workspace as `init` leaves it: an empty JSONL the DB has never synced with. */
  function fresh(): TempWorkspace {
    const ws = workspace();
    fs.writeFileSync(ws.jsonlPath, '');
    return ws;
  }

  function source(ws: TempWorkspace, lines: string[], tail = '\n'): string {
    const file = path.join(ws.root, 'incoming.jsonl');
    fs.writeFileSync(file, lines.join('\n') + tail);
    return file;
  }

  /** What the ordinary way (rows dirty, then an export) writes for the same source, in a second workspace. */
  function exportedTheOrdinaryWay(file: string): Buffer {
    const other = fresh();
    other.import({ source: file });
    other.export();
    return fs.readFileSync(other.jsonlPath);
  }

  it('should write a source already in export order as the JSONL byte for byte, with the rows synced and nothing left to export', () => {
    const ws = fresh();
    const file = source(ws, CANONICAL);

    const r = ws.import({ source: file, writeJsonl: true });

    expect(r).toMatchObject({ created: 3, jsonl_written: true, needs_export: false });
    const written = fs.readFileSync(ws.jsonlPath);
    expect(written.equals(fs.readFileSync(file))).toBe(true);
    expect(written.equals(exportedTheOrdinaryWay(file))).toBe(true);
    expect(ws.store.pendingExportCount()).toBe(0);
    expect(ws.store.getMeta('jsonl_hash')).toBe(sha256(written));
    expect(ws.store.show('bd-b').dependencies.map((d) => d.id)).toEqual(['bd-a']);
    expect(ws.store.list({ labels: ['web'] }).map((i) => i.id)).toEqual(['bd-a']);
    // The DB vouches for the file: the next export has nothing to do, a forced one writes the same bytes.
    expect(ws.export()).toMatchObject({ skipped: 'clean' });
    ws.export({ force: true });
    expect(fs.readFileSync(ws.jsonlPath).equals(written)).toBe(true);
  });

  it('should see the written JSONL as synced after a reopen (no import, nothing dirty)', () => {
    const ws = fresh();
    ws.import({ source: source(ws, CANONICAL), writeJsonl: true });

    ws.reopen();

    expect(ws.import()).toMatchObject({ skipped: 'unchanged' });
    expect(ws.sql().prepare('SELECT count(*) AS n FROM issues WHERE dirty = 1 OR synced = 0').get()).toEqual({ n: 0 });
  });

  it.each([
    ['ids out of order', [CANONICAL[1], CANONICAL[0], CANONICAL[2]], '\n'],
    ['the same id twice', [CANONICAL[0], CANONICAL[1], issueLine({ id: 'bd-b', title: 'Beta again', updated_at: '2025-02-01T00:00:00Z' })], '\n'],
    ['no newline after the last line', CANONICAL, ''],
    ['a line of another record whose first key is the id', [...CANONICAL, '{"id":"zz-memo","_type":"memory","key":"k","value":"v"}'], '\n'],
  ])('should import a source with %s the ordinary way and export what that export writes', (_what, lines, tail) => {
    const ws = fresh();
    const file = source(ws, lines, tail);

    const r = ws.import({ source: file, writeJsonl: true });

    expect(r.jsonl_written).toBeUndefined();
    expect(r.needs_export).toBe(true);
    expect(fs.readFileSync(ws.jsonlPath).length).toBe(0);
    ws.export();
    expect(fs.readFileSync(ws.jsonlPath).equals(exportedTheOrdinaryWay(file))).toBe(true);
  });

  it('should never write the source over a JSONL whose issues the DB has not imported yet (a fresh clone)', () => {
    const ws = workspace();
    const clone = issueLine({ id: 'bd-z', title: 'From the clone' });
    ws.writeJsonl([clone]);

    const r = ws.import({ source: source(ws, CANONICAL), writeJsonl: true });

    expect(r.jsonl_written).toBeUndefined();
    expect(ws.readJsonl()).toBe(`${clone}\n`);
    ws.export();
    expect(ws.jsonlIds()).toEqual(['bd-a', 'bd-b', 'bd-c', 'bd-z']);
  });

  it('should import the ordinary way into a workspace that already has issues', () => {
    const ws = fresh();
    ws.writeJsonl([issueLine({ id: 'bd-0' })]);
    ws.import();

    const r = ws.import({ source: source(ws, CANONICAL), writeJsonl: true });

    expect(r).toMatchObject({ created: 3, needs_export: true });
    expect(r.jsonl_written).toBeUndefined();
    expect(ws.jsonlIds()).toEqual(['bd-0']);
  });

  it('should refuse a source with a bad line naming it, and leave the DB and the JSONL as they were', () => {
    const ws = fresh();
    const file = source(ws, [CANONICAL[0], '{"id":"bd-b","title":', CANONICAL[2]]);
    const before = ws.snapshot();

    let error: unknown;
    try {
      ws.import({ source: file, writeJsonl: true });
    } catch (err) {
      error = err;
    }

    expect(error).toBeInstanceOf(JsonlLineError);
    expect((error as Error).message).toMatch(/line 2\b/);
    expect(ws.snapshot()).toEqual(before);
    expect(fs.readFileSync(ws.jsonlPath).length).toBe(0);
    expect(ws.beadsEntries().filter((n) => n.includes('.tmp-') && !n.endsWith('tmp-base'))).toEqual([]);
  });
});
