import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Subscription } from 'rxjs';
import { atomicWriteFile } from '../../src/jsonl/atomic-write';
import type { WatchEvent } from '../../src/pipeline/daemon-sources';
import { BeadsStore } from '../../src/store/beads-store';
import { watcherThread$ } from '../../src/sources/watcher-thread';
import { waitFor } from '../helpers/wait-for';
import { watchedDir } from '../helpers/watched-dir';

/** The compiled worker entry (`npm test` builds before jest runs). */
const WORKER = path.resolve(__dirname, '../../dist/sources/file-change-worker.js');
const WAIT_MS = 10_000;

const tmpDirs: string[] = [];
const subscriptions: Subscription[] = [];
const stores: BeadsStore[] = [];

afterEach(() => {
  for (const s of subscriptions.splice(0)) s.unsubscribe();
  for (const s of stores.splice(0)) s.dispose();
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function workspace() {
  return watchedDir('bd-rx-wt-', tmpDirs);
}

function watch(opts: Parameters<typeof watcherThread$>[0]): { events: WatchEvent[]; isReady: () => boolean } {
  const events: WatchEvent[] = [];
  subscriptions.push(watcherThread$(opts).subscribe((e) => events.push(e)));
  return { events, isReady: () => events.some((e) => e.kind === 'ready') };
}

const changes = (events: WatchEvent[]) => events.filter((e) => e.kind === 'change');

describe('watcherThread$', () => {
  it('should say ready once every watch is in place, then report an append to the JSONL', async () => {
    const ws = workspace();
    const w = watch({ ...ws, git: null, workerFile: WORKER });
    await waitFor(w.isReady, WAIT_MS, 'watcher thread ready');

    fs.appendFileSync(ws.jsonlPath, '{"id":"bd-2"}\n');
    await waitFor(() => changes(w.events).length >= 1, WAIT_MS, 'the append');

    expect(w.events).toEqual([{ kind: 'ready' }, { kind: 'change', path: ws.jsonlPath }]);
  });

  it('should report a temp-file + rename replace of the JSONL, and an append to the new file', async () => {
    const ws = workspace();
    const w = watch({ ...ws, git: null, workerFile: WORKER });
    await waitFor(w.isReady, WAIT_MS, 'watcher thread ready');

    // The temp file's own events are among those dropped before chokidar; the rename is not.
    atomicWriteFile(ws.jsonlPath, Buffer.from('{"id":"bd-3"}\n'));
    await waitFor(() => changes(w.events).length >= 1, WAIT_MS, 'the replace');
    // Past chokidar's 50 ms repeat filter, so a missed append cannot hide behind it.
    await waitFor(() => fs.statSync(ws.jsonlPath).mtimeMs < Date.now() - 100, WAIT_MS, '100 ms after the replace');
    const before = changes(w.events).length;
    fs.appendFileSync(ws.jsonlPath, '{"id":"bd-4"}\n');
    await waitFor(() => changes(w.events).length > before, WAIT_MS, 'the append to the new file');

    expect(w.events.every((e) => e.kind === 'ready' || (e.kind === 'change' && e.path === ws.jsonlPath))).toBe(true);
  });

  it("should see every replace that hard-links the old file first, as the daemon's own export does", async () => {
    const ws = workspace();
    const w = watch({ ...ws, git: null, workerFile: WORKER });
    await waitFor(w.isReady, WAIT_MS, 'watcher thread ready');

    // The event on the old inode (its link count goes up) comes a moment before the rename:
    // chokidar stats the file then, finds it unchanged (read since written: atime > mtime, as
    // after the daemon's import has hashed it), and drops the rename's events for 5 ms.
    for (let i = 0; i < 20; i++) {
      fs.readFileSync(ws.jsonlPath);
      const before = changes(w.events).length;
      atomicWriteFile(ws.jsonlPath, Buffer.from(`{"id":"bd-${i}"}\n`), { releaseOldInBackground: true });
      await waitFor(() => changes(w.events).length > before, WAIT_MS, `replace ${i + 1}`);
      // Past chokidar's 50 ms repeat filter before the next one.
      await waitFor(() => fs.statSync(ws.jsonlPath).mtimeMs < Date.now() - 100, WAIT_MS, 'a quiet moment');
    }
  });

  it('should stay silent about SQLite commits in .beads/ and still see the JSONL change after them', async () => {
    const ws = workspace();
    const w = watch({ ...ws, git: null, workerFile: WORKER });
    await waitFor(w.isReady, WAIT_MS, 'watcher thread ready');

    const store = new BeadsStore(path.join(ws.beadsDir, 'beads.db'), { prefix: 'bd' });
    stores.push(store);
    for (let i = 0; i < 200; i++) store.create({ title: `Issue ${i}` }, 'tester');
    fs.appendFileSync(ws.jsonlPath, '{"id":"bd-2"}\n');
    await waitFor(() => changes(w.events).length >= 1, WAIT_MS, 'the JSONL change');

    expect(w.events).toEqual([{ kind: 'ready' }, { kind: 'change', path: ws.jsonlPath }]);
  });

  it('should still see .beads/ itself removed, through the raw-event filter, and say so as an error', async () => {
    const ws = workspace();
    const w = watch({ ...ws, git: null, workerFile: WORKER });
    await waitFor(w.isReady, WAIT_MS, 'watcher thread ready');

    fs.rmSync(ws.beadsDir, { recursive: true });
    await waitFor(() => w.events.some((e) => e.kind === 'error'), WAIT_MS, 'an error for the removed directory');
    expect(w.events.find((e) => e.kind === 'error')).toEqual({
      kind: 'error',
      code: 'ENOENT',
      message: `${ws.beadsDir} was removed: changes in it are no longer seen`,
    });
  });

  it("should pass on the thread's watcher errors as error values", async () => {
    const ws = workspace();
    const w = watch({ beadsDir: ws.beadsDir, jsonlPath: path.join(os.tmpdir(), 'elsewhere.jsonl'), git: null, workerFile: WORKER });

    await waitFor(() => w.events.length > 0, WAIT_MS, 'an error');
    expect(w.events[0]).toMatchObject({ kind: 'error', code: 'EINVAL' });
  });

  it('should report a missing worker script as a watcher error naming the fix', () => {
    const ws = workspace();
    const w = watch({ ...ws, git: null, workerFile: path.join(ws.beadsDir, 'no-such-worker.js') });

    expect(w.events).toEqual([
      { kind: 'error', code: 'EWORKER', message: expect.stringContaining('npm run build') },
    ]);
  });
});
