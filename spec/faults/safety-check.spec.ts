import * as fs from 'node:fs';
import { isProcessAlive } from '../../src/os/is-process-alive';
import { useDaemons } from '../helpers/daemon-process';
import { jsonlIds, WAIT, waitForJsonlIds, withClient } from '../helpers/real-daemon';

const ARGS = ['--debounce-ms', '50', '--max-wait-ms', '1000', '--safety-interval', '200ms'];

describe('fault 6: the workspace moved or deleted while the daemon runs', () => {
  const { workspace, start } = useDaemons();

  it('should notice at the next safety tick and stop with daemon/failed EWORKSPACEGONE, exit 1, no orphan left', async () => {
    const ws = workspace();
    const d = start({ cwd: ws.root, args: ARGS });
    await d.waitUntilWatching();

    fs.renameSync(ws.root, `${ws.root}-moved`);

    const exit = await d.waitForExit(WAIT);
    expect(exit).toEqual({ code: 1, signal: null });
    expect(d.all('daemon/failed')[0]).toMatchObject({ code: 'EWORKSPACEGONE' });
    expect(isProcessAlive(d.child.pid!)).toBe(false);
    fs.rmSync(`${ws.root}-moved`, { recursive: true, force: true });
  });
});

describe('fault 3: the DB file replaced or deleted under a running daemon', () => {
  const { workspace, start } = useDaemons();

  it('should stop with daemon/failed EDBDELETED when beads.db is deleted, instead of writing to the unlinked file', async () => {
    const ws = workspace();
    const d = start({ cwd: ws.root, args: ARGS });
    await d.waitUntilWatching();

    fs.rmSync(ws.dbPath);

    expect(await d.waitForExit(WAIT)).toEqual({ code: 1, signal: null });
    expect(d.all('daemon/failed')[0]).toMatchObject({ code: 'EDBDELETED', message: expect.stringContaining('bd-rx daemon start') });
  });

  it('should stop with daemon/failed EDBREPLACED when a backup is renamed over beads.db', async () => {
    const ws = workspace();
    const d = start({ cwd: ws.root, args: ARGS });
    await d.waitUntilWatching();

    fs.copyFileSync(ws.dbPath, `${ws.dbPath}.bak`);
    fs.renameSync(`${ws.dbPath}.bak`, ws.dbPath);

    expect(await d.waitForExit(WAIT)).toEqual({ code: 1, signal: null });
    expect(d.all('daemon/failed')[0]).toMatchObject({ code: 'EDBREPLACED' });
  });
});

describe('fault 3: the DB file checked before each export (safety tick off)', () => {
  const { workspace, start } = useDaemons();
  const NO_TICK = ['--debounce-ms', '50', '--max-wait-ms', '1000', '--safety-interval', '0'];

  it.each([
    ['deleted', 'EDBDELETED', (db: string) => fs.rmSync(db)],
    [
      'replaced by a backup',
      'EDBREPLACED',
      (db: string) => {
        fs.copyFileSync(db, `${db}.bak`);
        fs.renameSync(`${db}.bak`, db);
      },
    ],
  ] as const)('should stop with %s → %s at the next export, after writing every acknowledged issue into the JSONL; the next start has them', async (_what, code, lose) => {
    const ws = workspace();
    const d = start({ cwd: ws.root, args: NO_TICK });
    await d.waitUntilWatching();
    const before = await withClient(ws, (c) => c.request('create', { title: 'before' }));
    await waitForJsonlIds(ws.jsonlPath, [before.id]);

    lose(ws.dbPath);
    // Acknowledged by a daemon whose DB file is gone: only its open connection holds it.
    const after = await withClient(ws, (c) => c.request('create', { title: 'acknowledged after the DB was lost' }));

    expect(await d.waitForExit(WAIT)).toEqual({ code: 1, signal: null });
    expect(d.all('daemon/failed')[0]).toMatchObject({ code });
    expect(jsonlIds(ws.jsonlPath)).toEqual(expect.arrayContaining([before.id, after.id]));

    const again = start({ cwd: ws.root, args: NO_TICK });
    await again.waitUntilWatching();
    const titles = await withClient(ws, async (c) => (await c.request('list', {})).map((i) => String(i.title)));
    expect(titles).toEqual(expect.arrayContaining(['before', 'acknowledged after the DB was lost']));
    expect(await again.stop()).toEqual({ code: 0, signal: null });
  });
});
