import * as fs from 'node:fs';
import { isProcessAlive } from '../../src/os/is-process-alive';
import { useDaemons } from '../helpers/daemon-process';
import { WAIT } from '../helpers/real-daemon';

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
