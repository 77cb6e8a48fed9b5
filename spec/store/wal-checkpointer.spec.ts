import * as fs from 'node:fs';
import * as path from 'node:path';
import { WalCheckpointer } from '../../src/store/wal-checkpointer';
import { TempWorkspace } from '../helpers/temp-workspace';

/** The compiled worker entry (`npm test` builds before jest runs). */
const WORKER = path.resolve(__dirname, '../../dist/store/checkpoint-worker.js');

describe('WalCheckpointer (a real thread with its own SQLite connection)', () => {
  let ws: TempWorkspace;
  let checkpointer: WalCheckpointer | undefined;
  let inlineRuns: number;
  beforeEach(() => {
    ws = new TempWorkspace();
    ws.store.checkpoint();
    ws.store.deferCheckpoints();
    inlineRuns = 0;
  });
  afterEach(async () => {
    await checkpointer?.close();
    checkpointer = undefined;
    ws.dispose();
  });

  const start = (workerFile = WORKER) =>
    (checkpointer = new WalCheckpointer(ws.dbPath, { workerFile, inline: () => (inlineRuns++, ws.store.checkpoint()) }));
  const fillWal = (n: number) => {
    for (let i = 0; i < n; i++) ws.store.create({ title: `Issue ${i}`, labels: ['a'] }, 'tester');
  };

  it('should copy every committed WAL page into the database on its thread, without the inline fallback', async () => {
    const c = start();
    fillWal(400);
    c.request();
    await c.idle();

    expect(c.threaded).toBe(true);
    expect(c.last).toMatchObject({ walPages: expect.any(Number), copied: expect.any(Number) });
    const last = c.last as { walPages: number; copied: number };
    expect(last.walPages).toBeGreaterThan(1000);
    expect(last.copied).toBe(last.walPages);
    expect(inlineRuns).toBe(0);
    // Nothing is left to copy: the daemon's own connection finds the WAL fully checkpointed.
    const after = ws.store.checkpoint();
    expect(after.copied).toBe(after.walPages);
  });

  it('should fold requests made while one runs into a single further run', async () => {
    const c = start();
    fillWal(200);
    for (let i = 0; i < 10; i++) c.request();
    await c.idle();

    expect(c.runs).toBeGreaterThanOrEqual(1);
    expect(c.runs).toBeLessThanOrEqual(2);
    fillWal(10);
    c.request();
    await c.idle();
    expect(c.runs).toBeLessThanOrEqual(3);
    expect((c.last as { copied: number; walPages: number }).copied).toBe((c.last as { walPages: number }).walPages);
  });

  it('should close its connection, so the daemon connection closing last removes the WAL', async () => {
    const c = start();
    fillWal(50);
    c.request();
    await c.close();
    c.request(); // after close: ignored, not run inline
    expect(inlineRuns).toBe(0);

    ws.store.dispose();
    expect(fs.existsSync(`${ws.dbPath}-wal`)).toBe(false);
  });

  it('should checkpoint inline when the worker script is missing', () => {
    const c = start(path.join(path.dirname(ws.dbPath), 'no-such-worker.js'));
    fillWal(400);
    c.request();

    expect(c.threaded).toBe(false);
    expect(inlineRuns).toBe(1);
    const after = ws.store.checkpoint();
    expect(after.walPages).toBeGreaterThan(1000);
    expect(after.copied).toBe(after.walPages);
  });
});
