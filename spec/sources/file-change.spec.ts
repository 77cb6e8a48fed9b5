import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Subscription } from 'rxjs';
import { atomicWriteFile } from '../../src/jsonl/atomic-write';
import type { WatchEvent } from '../../src/pipeline/daemon-sources';
import { fileChange$, type FileChangeOptions } from '../../src/sources/file-change';
import { findGitRefs } from '../../src/sources/git-dir';
import { waitFor, waitForQuiet } from '../helpers/wait-for';
import { watchedDir } from '../helpers/watched-dir';

const READY_MS = 5000;
const EVENT_MS = 5000;
/** Long enough that chokidar's 100 ms unlink→add merge and 50 ms change throttle have passed. */
const QUIET_MS = 400;

interface Watching {
  events: WatchEvent[];
  stop: () => void;
}

const tmpDirs: string[] = [];
const subscriptions: Subscription[] = [];
let server: net.Server | undefined;

afterEach(async () => {
  for (const s of subscriptions.splice(0)) s.unsubscribe();
  if (server) await new Promise((resolve) => server?.close(resolve));
  server = undefined;
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function workspace() {
  return watchedDir('bd-rx-fc-', tmpDirs);
}

/** Subscribes and resolves once chokidar has every watch in place. */
async function watching(opts: Omit<FileChangeOptions, 'onReady'>): Promise<Watching> {
  const events: WatchEvent[] = [];
  let ready = false;
  const sub = fileChange$({ ...opts, onReady: () => (ready = true) }).subscribe((e) => events.push(e));
  subscriptions.push(sub);
  await waitFor(() => ready, READY_MS, 'watcher ready');
  return { events, stop: () => sub.unsubscribe() };
}

const changesOf = (events: WatchEvent[], p: string): number =>
  events.filter((e) => e.kind === 'change' && e.path === p).length;

/** CI has no git identity and a hook may have set GIT_DIR: pin both. */
function git(cwd: string, ...args: string[]): string {
  const env = { ...process.env };
  for (const name of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_COMMON_DIR', 'GIT_INDEX_FILE']) delete env[name];
  return execFileSync(
    'git',
    ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args],
    { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

describe('fileChange$', () => {
  it('should report a burst of 100 appends from another process, then fall silent', async () => {
    const ws = workspace();
    const w = await watching({ ...ws, git: null });

    const writer = spawn(process.execPath, [
      '-e',
      `const fs = require('fs');
       for (let i = 0; i < 100; i++) fs.appendFileSync(${JSON.stringify(ws.jsonlPath)}, '{"id":"bd-' + i + '"}\\n');`,
    ]);
    const code = await new Promise<number | null>((resolve) => writer.on('exit', resolve));
    // Not timed: on a loaded machine the writer's start alone can take a second; what matters is
    // that 100 appends as fast as one process can make them come out as a bounded set of events.
    expect(code).toBe(0);

    await waitFor(() => changesOf(w.events, ws.jsonlPath) >= 1, EVENT_MS, 'a change event');
    await waitForQuiet(() => w.events.length, QUIET_MS, EVENT_MS, 'events to stop after the burst');

    expect(w.events.every((e) => e.kind === 'change' && e.path === ws.jsonlPath)).toBe(true);
    expect(w.events.length).toBeLessThanOrEqual(100);
    expect(fs.readFileSync(ws.jsonlPath, 'utf8').split('\n')).toHaveLength(102);
  });

  it('should report the JSONL when it is replaced by a temp file and rename', async () => {
    const ws = workspace();
    const w = await watching({ ...ws, git: null });

    atomicWriteFile(ws.jsonlPath, Buffer.from('{"id":"bd-2"}\n'));

    await waitFor(() => changesOf(w.events, ws.jsonlPath) >= 1, EVENT_MS, 'a change for the renamed JSONL');
    await waitForQuiet(() => w.events.length, QUIET_MS, EVENT_MS);
    expect(w.events.every((e) => e.kind === 'change' && e.path === ws.jsonlPath)).toBe(true);
  });

  it('should keep watching the JSONL after it is deleted and created again', async () => {
    const ws = workspace();
    const w = await watching({ ...ws, git: null });

    fs.rmSync(ws.jsonlPath);
    await waitFor(() => changesOf(w.events, ws.jsonlPath) >= 1, EVENT_MS, 'a change for the deletion');
    fs.writeFileSync(ws.jsonlPath, '{"id":"bd-3"}\n');
    await waitFor(() => changesOf(w.events, ws.jsonlPath) >= 2, EVENT_MS, 'a change for the re-creation');
    await waitForQuiet(() => w.events.length, QUIET_MS, EVENT_MS);
    const before = w.events.length;

    fs.appendFileSync(ws.jsonlPath, '{"id":"bd-4"}\n');

    await waitFor(() => w.events.length > before, EVENT_MS, 'a change for an append to the new file');
    expect(w.events.every((e) => e.kind === 'change' && e.path === ws.jsonlPath)).toBe(true);
  });

  it('should still report appends after the JSONL was missing at the instant chokidar re-watched it (forced)', async () => {
    const ws = workspace();
    const w = await watching({ ...ws, git: null });
    // chokidar re-watches the file by path after it sees a new inode. An export's swap (or a
    // delete before a re-create) leaves the path empty for an instant; that instant is forced
    // here at chokidar's own fs.watch of the file, on the module object chokidar calls.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fsModule = require('node:fs') as typeof fs;
    const realWatch = fsModule.watch.bind(fsModule) as (...a: unknown[]) => fs.FSWatcher;
    let forced = 0;
    jest.spyOn(fsModule, 'watch').mockImplementation(((target: unknown, ...rest: unknown[]) => {
      if (target !== ws.jsonlPath || forced > 0) return realWatch(target, ...rest);
      forced++;
      const aside = path.join(ws.beadsDir, 'aside');
      fsModule.renameSync(ws.jsonlPath, aside);
      try {
        return realWatch(target, ...rest);
      } finally {
        fsModule.renameSync(aside, ws.jsonlPath);
      }
    }) as never);
    try {
      atomicWriteFile(ws.jsonlPath, Buffer.from('{"id":"bd-5"}\n'));
      await waitFor(() => forced === 1 && changesOf(w.events, ws.jsonlPath) >= 1, EVENT_MS, 'chokidar to re-watch the new file');
    } finally {
      jest.restoreAllMocks();
    }
    await waitForQuiet(() => w.events.length, QUIET_MS, EVENT_MS);
    const before = w.events.length;

    // In place, same inode: only a watch that still sees the file can report it.
    fs.appendFileSync(ws.jsonlPath, '{"id":"bd-6"}\n');

    await waitFor(() => changesOf(w.events, ws.jsonlPath) > before, EVENT_MS, 'a change for the append');
    expect(w.events.every((e) => e.kind === 'change' && e.path === ws.jsonlPath)).toBe(true);
  });

  it('should report the last of a storm of appends even when they come faster than it reports repeats', async () => {
    const ws = workspace();
    const w = await watching({ ...ws, git: null });

    for (let i = 0; i < 500; i++) fs.appendFileSync(ws.jsonlPath, `{"id":"bd-s${i}"}\n`);
    await waitForQuiet(() => w.events.length, QUIET_MS, EVENT_MS, 'events to stop after the storm');
    const afterStorm = w.events.length;
    fs.appendFileSync(ws.jsonlPath, '{"id":"bd-last"}\n');

    await waitFor(() => w.events.length > afterStorm, EVENT_MS, 'a change for the last append');
    // Repeats within 50 ms are one event: far fewer than the 501 writes.
    expect(afterStorm).toBeGreaterThanOrEqual(1);
    expect(afterStorm).toBeLessThan(100);
  });

  it('should ignore the database, WAL, socket, pid, lock and temp files in .beads/', async () => {
    const ws = workspace();
    const w = await watching({ ...ws, git: null });

    const inBeads = (name: string): string => path.join(ws.beadsDir, name);
    server = net.createServer();
    await new Promise<void>((resolve) => server?.listen(inBeads('bd.sock'), resolve));
    for (const name of ['beads.db', 'beads.db-wal', 'beads.db-shm', 'daemon.pid', 'daemon.lock', 'daemon.log']) {
      fs.writeFileSync(inBeads(name), 'x');
      fs.appendFileSync(inBeads(name), 'y');
    }
    fs.writeFileSync(inBeads('.issues.jsonl.tmp-1-1'), '{"id":"bd-9"}\n');
    fs.renameSync(inBeads('.issues.jsonl.tmp-1-1'), inBeads('.issues.jsonl.tmp-1-2'));
    fs.rmSync(inBeads('.issues.jsonl.tmp-1-2'));
    fs.rmSync(inBeads('daemon.pid'));
    fs.mkdirSync(inBeads('export-cache'));
    fs.writeFileSync(inBeads('export-cache/x.jsonl'), 'x');

    // Positive control: the watcher is alive, and the JSONL is the first thing it reports.
    fs.appendFileSync(ws.jsonlPath, '{"id":"bd-5"}\n');

    await waitFor(() => w.events.length >= 1, EVENT_MS, 'the control change');
    expect(w.events[0]).toEqual({ kind: 'change', path: ws.jsonlPath });
    await waitForQuiet(() => w.events.length, QUIET_MS, EVENT_MS);
    expect(w.events.every((e) => e.kind === 'change' && e.path === ws.jsonlPath)).toBe(true);
  });

  it('should report a git checkout that brings a different JSONL, and the HEAD move', async () => {
    const ws = workspace();
    git(ws.root, 'init', '-q', '-b', 'main');
    git(ws.root, 'add', '.beads/issues.jsonl');
    git(ws.root, 'commit', '-q', '-m', 'one issue');
    git(ws.root, 'checkout', '-q', '-b', 'other');
    fs.writeFileSync(ws.jsonlPath, '{"id":"bd-1"}\n{"id":"bd-2"}\n');
    git(ws.root, 'commit', '-q', '-am', 'two issues');
    git(ws.root, 'checkout', '-q', 'main');
    const refs = findGitRefs(ws.root);
    expect(refs).not.toBeNull();
    const w = await watching({ ...ws, git: refs });

    git(ws.root, 'checkout', '-q', 'other');

    const head = path.join(ws.root, '.git', 'HEAD');
    await waitFor(() => changesOf(w.events, ws.jsonlPath) >= 1, EVENT_MS, 'a change for the checked-out JSONL');
    await waitFor(() => changesOf(w.events, head) >= 1, EVENT_MS, 'a change for HEAD');
    await waitForQuiet(() => w.events.length, QUIET_MS, EVENT_MS);
    expect(w.events.filter((e) => e.kind === 'error')).toEqual([]);
    expect(new Set(w.events.map((e) => e.kind === 'change' && e.path))).toEqual(new Set([ws.jsonlPath, head]));
  });

  it('should report branch refs moving, nested branch names included, but not git lock files', async () => {
    const ws = workspace();
    git(ws.root, 'init', '-q', '-b', 'main');
    git(ws.root, 'add', '.beads/issues.jsonl');
    git(ws.root, 'commit', '-q', '-m', 'one issue');
    const w = await watching({ ...ws, git: findGitRefs(ws.root) });

    git(ws.root, 'commit', '-q', '--allow-empty', '-m', 'moves main');
    git(ws.root, 'branch', 'team/alice/fix');

    const heads = path.join(ws.root, '.git', 'refs', 'heads');
    await waitFor(() => changesOf(w.events, path.join(heads, 'main')) >= 1, EVENT_MS, 'refs/heads/main');
    await waitFor(() => changesOf(w.events, path.join(heads, 'team/alice/fix')) >= 1, EVENT_MS, 'a nested ref');
    await waitForQuiet(() => w.events.length, QUIET_MS, EVENT_MS);
    expect(w.events.filter((e) => e.kind !== 'change' || e.path.endsWith('.lock'))).toEqual([]);
  });

  it('should watch HEAD in a linked worktree and the branch refs it shares with the main checkout', async () => {
    const ws = workspace();
    git(ws.root, 'init', '-q', '-b', 'main');
    git(ws.root, 'add', '.beads/issues.jsonl');
    git(ws.root, 'commit', '-q', '-m', 'one issue');
    const wtRoot = path.join(fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'bd-rx-fc-wt-'))), 'wt');
    tmpDirs.push(path.dirname(wtRoot));
    git(ws.root, 'worktree', 'add', '-q', '-b', 'side', wtRoot);
    const beadsDir = path.join(wtRoot, '.beads');
    const jsonlPath = path.join(beadsDir, 'issues.jsonl');
    const refs = findGitRefs(wtRoot);
    const w = await watching({ beadsDir, jsonlPath, git: refs });

    git(wtRoot, 'commit', '-q', '--allow-empty', '-m', 'moves side');
    git(wtRoot, 'checkout', '-q', '-b', 'side2');

    const sideRef = path.join(ws.root, '.git', 'refs', 'heads', 'side');
    const wtHead = path.join(ws.root, '.git', 'worktrees', 'wt', 'HEAD');
    await waitFor(() => changesOf(w.events, sideRef) >= 1, EVENT_MS, 'the shared ref refs/heads/side');
    await waitFor(() => changesOf(w.events, wtHead) >= 1, EVENT_MS, "the worktree's own HEAD");
    await waitForQuiet(() => w.events.length, QUIET_MS, EVENT_MS);
    expect(w.events).not.toContainEqual({ kind: 'change', path: path.join(ws.root, '.git', 'HEAD') });
  });

  it('should report an error when .beads/ itself is removed, since its return would go unseen', async () => {
    const ws = workspace();
    const w = await watching({ ...ws, git: null });

    fs.rmSync(ws.beadsDir, { recursive: true });

    await waitFor(() => w.events.some((e) => e.kind === 'error'), EVENT_MS, 'an error for the removed directory');
    expect(w.events).toContainEqual({
      kind: 'error',
      code: 'ENOENT',
      message: `${ws.beadsDir} was removed: changes in it are no longer seen`,
    });
  });

  it('should see appends when polling instead of using inotify', async () => {
    const ws = workspace();
    const w = await watching({ ...ws, git: null, usePolling: true });

    fs.appendFileSync(ws.jsonlPath, '{"id":"bd-6"}\n');

    await waitFor(() => changesOf(w.events, ws.jsonlPath) >= 1, EVENT_MS, 'a polled change');
    expect(changesOf(w.events, ws.jsonlPath)).toBeGreaterThanOrEqual(1);
  });

  it('should stop reporting once unsubscribed', async () => {
    const ws = workspace();
    const stopped = await watching({ ...ws, git: null });
    const control = await watching({ ...ws, git: null });
    stopped.stop();
    stopped.stop();

    fs.appendFileSync(ws.jsonlPath, '{"id":"bd-7"}\n');

    await waitFor(() => control.events.length >= 1, EVENT_MS, 'the control watcher to see the append');
    await waitForQuiet(() => control.events.length, QUIET_MS, EVENT_MS);
    expect(stopped.events).toEqual([]);
  });

  it('should emit an EINVAL error value when the JSONL is not inside .beads/', async () => {
    const ws = workspace();
    const events: WatchEvent[] = [];
    subscriptions.push(
      fileChange$({ beadsDir: ws.beadsDir, jsonlPath: path.join(ws.root, 'issues.jsonl'), git: null }).subscribe(
        (e) => events.push(e),
      ),
    );
    expect(events).toEqual([expect.objectContaining({ kind: 'error', code: 'EINVAL' })]);
  });
});
