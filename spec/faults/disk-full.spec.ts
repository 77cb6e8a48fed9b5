import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RpcError } from '../../src/rpc/rpc-errors';
import { readDbIssues, runCliOk, useDaemons, type Workspace } from '../helpers/daemon-process';
import { jsonlIds, WAIT, waitForJsonlIds, withClient } from '../helpers/real-daemon';

jest.setTimeout(120_000);

const TMPFS_MB = 6;
const ARGS = ['--debounce-ms', '700', '--max-wait-ms', '3000', '--safety-interval', '0'];

/** A real small file system (tmpfs) mounted on a new temp dir: the suite runs as root, as CI does. */
function mountTmpfs(): string {
  if (process.getuid?.() !== 0) throw new Error('this test mounts a small tmpfs and so must run as root (CI does)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bd-rx-full-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_MB}m,mode=0755`, 'tmpfs', dir]);
  return dir;
}

/** Writes a file until the file system is full (ENOSPC); returns its path. */
function fillDisk(dir: string): string {
  const filler = path.join(dir, 'filler');
  const fd = fs.openSync(filler, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
    // The last partial blocks too: nothing is left for anyone.
    try {
      for (;;) fs.writeSync(fd, Buffer.alloc(512, 1));
    } catch {
      // full
    }
  } finally {
    fs.closeSync(fd);
  }
  return filler;
}

/**
 * Scenario 2 of the fault suite on a real full disk: the workspace lives on a 6 MB tmpfs, which a
 * filler file fills up. The export fails with ENOSPC and leaves the old JSONL as it was; the
 * daemon keeps serving; a write that needs new DB pages gets a clear SQLITE_FULL error and
 * leaves nothing behind; once the filler is gone, the pipeline's own retry (1 s, 2 s … after each
 * failure) writes the acknowledged issue into the JSONL, with no new mutation to trigger it.
 */
describe('fault 2: disk full during an export (real ENOSPC: a 6 MB tmpfs)', () => {
  const { start } = useDaemons();
  let mount: string | undefined;
  afterEach(async () => {
    // useDaemons kills the daemons in its own afterEach; wait for the mount to be free.
    if (!mount) return;
    const dir = mount;
    mount = undefined;
    for (let i = 0; i < 50; i++) {
      try {
        execFileSync('umount', [dir], { stdio: 'ignore' });
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('should report export/failed ENOSPC, keep the old JSONL and serve, refuse a write with SQLITE_FULL, and export by itself once space returns', async () => {
    mount = mountTmpfs();
    const root = path.join(mount, 'ws');
    fs.mkdirSync(root);
    runCliOk(root, ['init', '--prefix', 't']);
    const ws: Workspace = { root, beadsDir: path.join(root, '.beads'), jsonlPath: path.join(root, '.beads', 'issues.jsonl'), dbPath: path.join(root, '.beads', 'beads.db') };
    const d = start({ cwd: root, args: ARGS });
    await d.waitUntilWatching();

    const first = await withClient(ws, (c) => c.request('create', { title: 'before the disk fills' })) as { id: string };
    await waitForJsonlIds(ws.jsonlPath, [first.id]);
    const oldJsonl = fs.readFileSync(ws.jsonlPath);

    // Acknowledged, then the disk fills before its debounced export runs.
    const from = d.mark();
    const acked = await withClient(ws, (c) => c.request('create', { title: 'acknowledged while the disk fills' })) as { id: string };
    const filler = fillDisk(mount);
    const failed = await d.waitForEvent('export/failed', WAIT, from);

    expect(failed).toMatchObject({ code: 'ENOSPC' });
    expect(fs.readFileSync(ws.jsonlPath).equals(oldJsonl)).toBe(true);
    expect(fs.readdirSync(ws.beadsDir).filter((n) => /^\.issues\.jsonl\.tmp-\d/.test(n))).toEqual([]);

    // Still serving reads; a write that needs space is refused whole, with a message that says why.
    await withClient(ws, async (c) => {
      const shown = await c.request('show', { id: acked.id });
      expect(shown.title).toBe('acknowledged while the disk fills');
      const big = c.request('create', { title: 'does not fit', description: 'z'.repeat(3 * 1024 * 1024) });
      await expect(big).rejects.toThrow(RpcError);
      await expect(big).rejects.toThrow(/disk .* is full \(SQLITE_FULL\).*free some space/);
    });

    // Space returns; nothing else happens: no write, no file change.
    const freed = d.mark();
    fs.rmSync(filler);
    await d.waitForEvent('export/done', 30_000, freed, 'the retried export after space returned');

    expect(d.count('store/mutated', freed)).toBe(0);
    expect(jsonlIds(ws.jsonlPath)).toEqual(expect.arrayContaining([first.id, acked.id]));
    const titles = readDbIssues(ws.dbPath).map((r) => r.title);
    expect(titles).not.toContain('does not fit');
    expect(titles).toContain('acknowledged while the disk fills');
    expect(d.exit).toBeUndefined();
  });
});
