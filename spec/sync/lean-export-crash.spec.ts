import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { contentHash } from '../../src/jsonl/content-hash';
import { sweepStaleTemps } from '../../src/jsonl/atomic-write';
import { renderJsonl } from '../../src/sync/export-jsonl';
import { META_HASH } from '../../src/sync/jsonl-file-state';
import { LeanExporter } from '../../src/sync/lean-exporter';
import { TempWorkspace, issueLine } from '../helpers/temp-workspace';
import { waitFor } from '../helpers/wait-for';

const DIST = path.resolve(__dirname, '../../dist');
const ISSUES = 3000;

/**
 * Exports after every update, forever, through the compiled lean exporter: the daemon's (one
 * exporter, its index kept) or, with "one-shot", a command's each time (no index: probe-walk.ts).
 */
const EXPORT_LOOP = `
  const [dist, db, jsonl, kind] = process.argv.slice(1);
  const { BeadsStore } = require(dist + '/store/beads-store');
  const { LeanExporter } = require(dist + '/sync/lean-exporter');
  const store = new BeadsStore(db);
  const exporter = new LeanExporter(store, jsonl);
  const ids = store.list({}).map((r) => r.id);
  for (let i = 0; ; i++) {
    store.update(ids[(i * 7919) % ids.length], { title: 'round ' + i }, 'crash-test');
    if (kind === 'one-shot') new LeanExporter(store, jsonl, { oneShot: true }).export();
    else exporter.export();
    if (i === 0) process.stdout.write('exporting\\n');
  }`;

/** The JSONL is whole: every line a record, in id order, the file newline-terminated. */
function expectComplete(file: string): void {
  const text = fs.readFileSync(file, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  const lines = text.slice(0, -1).split('\n');
  expect(lines).toHaveLength(ISSUES);
  const got = lines.map((l) => (JSON.parse(l) as { id: string }).id);
  expect(got).toEqual([...got].sort());
}

describe('lean export under kill -9', () => {
  let ws: TempWorkspace;
  beforeEach(() => {
    ws = new TempWorkspace();
  });
  afterEach(() => ws.dispose());

  it('should leave the old or the new complete JSONL when killed mid-write (a kept index or a one-shot binary search), and export exactly after a restart', async () => {
    const ids = Array.from({ length: ISSUES }, (_, i) => `bd-${String(i).padStart(4, '0')}`);
    ws.writeJsonl(ids.map((id) => issueLine({ id, description: 'd'.repeat(300) })));
    ws.import();
    const tempOf = (): string | undefined => fs.readdirSync(ws.beadsDir).find((n) => /^\.issues\.jsonl\.tmp-\d/.test(n));

    for (let round = 0; round < 4; round++) {
      const kind = round % 2 ? 'one-shot' : 'kept-index';
      const child = spawn(process.execPath, ['-e', EXPORT_LOOP, DIST, ws.dbPath, ws.jsonlPath, kind], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      await waitFor(() => out.includes('exporting') || (out.includes('Error') && out), 20_000, 'the child to export', 5);
      expect(out).not.toContain('Error');
      // Killed while a new file is being written beside the JSONL (the window that matters).
      await waitFor(() => tempOf(), 20_000, 'a temp file mid-export', 1);
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      expectComplete(ws.jsonlPath);
    }

    // What a restart does first: the dead writers' temp files go.
    sweepStaleTemps(ws.jsonlPath);
    expect(tempOf()).toBeUndefined();
    const r = new LeanExporter(ws.store, ws.jsonlPath).export({ force: true });
    expect(r.issues).toBe(ISSUES);
    const file = fs.readFileSync(ws.jsonlPath);
    expect(file.equals(renderJsonl(ws.store).data)).toBe(true);
    expect(ws.store.getMeta(META_HASH)).toBe(contentHash(file));
  }, 60_000);
});
