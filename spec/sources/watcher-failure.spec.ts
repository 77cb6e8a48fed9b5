import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Subscription } from 'rxjs';
import type { WatchEvent } from '../../src/pipeline/daemon-sources';
import { fileChange$ } from '../../src/sources/file-change';
import { waitFor } from '../helpers/wait-for';
import { watchedDir } from '../helpers/watched-dir';

const REPO = path.resolve(__dirname, '../..');
const CHILD = path.join(__dirname, '../helpers/watch-child.ts');

type Limit = 'max_inotify_watches' | 'max_inotify_instances';

/**
 * Real inotify exhaustion without touching the machine: in a new user namespace (`unshare -Ur`)
 * the `/proc/sys/user/max_inotify_*` limits are the namespace's own, and lowering them there
 * caps only the processes inside. Needs unprivileged user namespaces (or root).
 */
function canLowerInotifyLimits(): boolean {
  if (process.platform !== 'linux') return false;
  const probe = spawnSync('unshare', ['-Ur', 'sh', '-c', 'echo 0 > /proc/sys/user/max_inotify_watches'], {
    stdio: 'ignore',
    timeout: 10_000,
  });
  return probe.status === 0;
}

const REAL = canLowerInotifyLimits();
const HOW = REAL
  ? 'real: unshare -Ur with the inotify limit lowered to 0 in the namespace'
  : 'injected through createWatcher: unshare -Ur is not available here';

const tmpDirs: string[] = [];
const subscriptions: Subscription[] = [];
afterEach(() => {
  for (const s of subscriptions.splice(0)) s.unsubscribe();
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function workspace() {
  return watchedDir('bd-rx-wf-', tmpDirs);
}

interface Child {
  /** Every JSON line the child printed so far. */
  lines: () => Array<WatchEvent | { ready: true }>;
  /** Closes the child's stdin (it unsubscribes) and resolves with how it ended. */
  finish: () => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The watcher in a child process whose inotify `limit` is `value`; `poll` makes it stat() instead. */
function watchUnderLimit(ws: { beadsDir: string; jsonlPath: string }, limit: Limit, value = 0, poll = false): Child {
  const child = spawn(
    'unshare',
    [
      '-Ur',
      'sh',
      '-c',
      `echo ${value} > /proc/sys/user/${limit} && exec "$@"`,
      'sh',
      process.execPath,
      '-r',
      'ts-node/register/transpile-only',
      CHILD,
      ws.beadsDir,
      ws.jsonlPath,
      ...(poll ? ['--poll'] : []),
    ],
    { cwd: REPO, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    lines: () =>
      out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as WatchEvent | { ready: true }),
    finish: () => {
      child.stdin.end();
      return exited;
    },
  };
}

const isReady = (l: WatchEvent | { ready: true }): boolean => 'ready' in l;
const errorsOf = (lines: Array<WatchEvent | { ready: true }>): WatchEvent[] =>
  lines.filter((l): l is WatchEvent => 'kind' in l && l.kind === 'error');

/** A real chokidar watcher that fails the way an exhausted inotify does, once it is ready. */
function failingOnceReady(code: string | undefined): (paths: string[], options: object) => FSWatcher {
  return (paths, options) => {
    const watcher = watch(paths, options);
    watcher.once('ready', () =>
      watcher.emit('error', Object.assign(new Error(`${code}: System limit for number of file watchers reached`), { code })),
    );
    return watcher;
  };
}

describe('fileChange$ when the watcher fails', () => {
  if (REAL) {
    it(`should emit ENOSPC error values, still become ready and exit cleanly (${HOW})`, async () => {
      const ws = workspace();
      const child = watchUnderLimit(ws, 'max_inotify_watches');

      await waitFor(() => child.lines().some(isReady), 20_000, 'the child watcher to be ready');
      const ended = await child.finish();

      expect(ended).toEqual({ code: 0, signal: null });
      const errors = errorsOf(child.lines());
      expect(errors.length).toBeGreaterThanOrEqual(1);
      expect(errors).toContainEqual({
        kind: 'error',
        code: 'ENOSPC',
        message: `ENOSPC: System limit for number of file watchers reached, watch '${ws.beadsDir}'`,
      });
      expect(errors.every((e) => e.kind === 'error' && e.code === 'ENOSPC')).toBe(true);
    });

    const HOW_INSTANCES = HOW.replace('limit', 'instance limit');
    it(`should emit EMFILE error values when no inotify instance can be created (${HOW_INSTANCES})`, async () => {
      const ws = workspace();
      const child = watchUnderLimit(ws, 'max_inotify_instances');

      await waitFor(() => child.lines().some(isReady), 20_000, 'the child watcher to be ready');
      const ended = await child.finish();

      expect(ended).toEqual({ code: 0, signal: null });
      expect(errorsOf(child.lines())).toContainEqual(expect.objectContaining({ kind: 'error', code: 'EMFILE' }));
    });

    it('should report ENOSPC for the one watch that did not fit (real: unshare -Ur, max_inotify_watches=1)', async () => {
      const ws = workspace();
      const child = watchUnderLimit(ws, 'max_inotify_watches', 1);

      await waitFor(() => child.lines().some(isReady), 20_000, 'the child watcher to be ready');

      expect(await child.finish()).toEqual({ code: 0, signal: null });
      // chokidar watches .beads/ first, then the JSONL: so far always the JSONL's watch is refused.
      const refused = [ws.jsonlPath, ws.beadsDir].map((p) => ({
        kind: 'error',
        code: 'ENOSPC',
        message: `ENOSPC: System limit for number of file watchers reached, watch '${p}'`,
      }));
      const errors = errorsOf(child.lines());
      expect(errors).toHaveLength(1);
      expect(refused).toContainEqual(errors[0]);
    });

    it(`should still see the JSONL change when polling, where inotify is exhausted (${HOW})`, async () => {
      const ws = workspace();
      const child = watchUnderLimit(ws, 'max_inotify_watches', 0, true);
      await waitFor(() => child.lines().some(isReady), 20_000, 'the polling child to be ready');

      fs.appendFileSync(ws.jsonlPath, '{"id":"bd-2"}\n');

      await waitFor(
        () => child.lines().some((l) => 'kind' in l && l.kind === 'change' && l.path === ws.jsonlPath),
        10_000,
        'the polling child to report the append',
      );
      expect(await child.finish()).toEqual({ code: 0, signal: null });
      expect(errorsOf(child.lines())).toEqual([]);
    });
  } else {
    it(`should emit ENOSPC error values and keep the process alive (${HOW})`, async () => {
      const ws = workspace();
      const events: WatchEvent[] = [];
      subscriptions.push(
        fileChange$({ ...ws, git: null, createWatcher: failingOnceReady('ENOSPC') }).subscribe((e) => events.push(e)),
      );

      await waitFor(() => events.length >= 1, 5000, 'the injected error');
      expect(events[0]).toEqual(expect.objectContaining({ kind: 'error', code: 'ENOSPC' }));
    });
  }

  it('should turn an injected ENOSPC into an error value and keep reporting changes', async () => {
    const ws = workspace();
    const events: WatchEvent[] = [];
    let ready = false;
    subscriptions.push(
      fileChange$({ ...ws, git: null, createWatcher: failingOnceReady('ENOSPC'), onReady: () => (ready = true) }).subscribe(
        (e) => events.push(e),
      ),
    );
    await waitFor(() => ready && events.length >= 1, 5000, 'ready and the injected error');
    expect(events).toEqual([
      { kind: 'error', code: 'ENOSPC', message: 'ENOSPC: System limit for number of file watchers reached' },
    ]);

    fs.appendFileSync(ws.jsonlPath, '{"id":"bd-3"}\n');

    await waitFor(() => events.length >= 2, 5000, 'a change after the error');
    expect(events[1]).toEqual({ kind: 'change', path: ws.jsonlPath });
  });

  it('should name an error without an errno code UNKNOWN', async () => {
    const ws = workspace();
    const events: WatchEvent[] = [];
    subscriptions.push(
      fileChange$({ ...ws, git: null, createWatcher: failingOnceReady(undefined) }).subscribe((e) => events.push(e)),
    );

    await waitFor(() => events.length >= 1, 5000, 'the injected error');
    expect(events[0]).toEqual(expect.objectContaining({ kind: 'error', code: 'UNKNOWN' }));
  });

  it('should emit an error value, not throw, when the watcher cannot be created at all', () => {
    const ws = workspace();
    const events: WatchEvent[] = [];
    const sub = fileChange$({
      ...ws,
      git: null,
      createWatcher: () => {
        throw Object.assign(new Error('EMFILE: too many open files, watch'), { code: 'EMFILE' });
      },
    }).subscribe({
      next: (e) => events.push(e),
      error: (err) => events.push({ kind: 'error', code: 'THROWN', message: String(err) }),
    });

    expect(events).toEqual([{ kind: 'error', code: 'EMFILE', message: 'EMFILE: too many open files, watch' }]);
    expect(sub.closed).toBe(false);
    sub.unsubscribe();
  });

  it('should not crash on an error chokidar raises after unsubscribe, when close() has removed the listeners', async () => {
    const ws = workspace();
    let watcher: FSWatcher | undefined;
    let ready = false;
    const sub = fileChange$({
      ...ws,
      git: null,
      createWatcher: (paths, options) => (watcher = watch(paths, options)),
      onReady: () => (ready = true),
    }).subscribe();
    await waitFor(() => ready, 5000, 'watcher ready');

    sub.unsubscribe();

    expect(watcher?.closed).toBe(true);
    expect(() => watcher?.emit('error', Object.assign(new Error('late'), { code: 'EBADF' }))).not.toThrow();
  });
});
