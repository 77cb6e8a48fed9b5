import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { LoggedEvent } from '../../src/events/daemon-event';
import { CLI_BIN, cleanEnv, type DaemonProcess, readDbIssues, useDaemons } from '../helpers/daemon-process';
import { jsonlIds } from '../helpers/real-daemon';
import { waitFor } from '../helpers/wait-for';
import { GIT_TEST_ENV, gitOk, useGitSandboxes, type GitSandbox } from '../git/git-repos';

/**
 * Fault 12, git faults under a real daemon with `--auto-sync` (a real bare remote on disk, real
 * git): a push the remote rejects, the remote unreachable, a rebase the user left in progress,
 * `.git/index.lock` held, a detached HEAD. In each: no acknowledged write is lost (it ends on
 * the remote), nothing is forced (every update of the remote's branch descends from the one
 * before, in its reflog), failures come at most once per remote-sync interval (no storm), and
 * the sync resumes by itself once the fault clears.
 */

const run = promisify(execFile);
const ENV = cleanEnv(GIT_TEST_ENV);
const INTERVAL_MS = 1000;
const SYNC = ['--auto-sync', '--remote-sync-interval', '1s', '--debounce-ms', '100', '--max-wait-ms', '400', '--log-format', 'json'];
/** How long each fault is held while the daemon keeps running into it. */
const FAULT_MS = 6000;
const RESUME_MS = 30_000;
const FAILURES = new Set(['git/failed', 'git/rejected', 'export/failed', 'import/failed', 'daemon/failed']);

async function create(dir: string, title: string): Promise<string> {
  const { stdout } = await run(process.execPath, [CLI_BIN, 'create', title, '--json'], { cwd: dir, env: ENV, timeout: 20_000 });
  return (JSON.parse(stdout) as { id: string }).id;
}

const jsonlOf = (dir: string) => path.join(dir, '.beads', 'issues.jsonl');

/** The ids in the JSONL at the tip of the remote's main. */
function remoteIds(remote: string): string[] {
  const r = spawnSync('git', ['show', 'main:.beads/issues.jsonl'], { cwd: remote, env: ENV, encoding: 'utf8' });
  if (r.status !== 0) return [];
  return r.stdout.split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { id: string }).id);
}

/** Every update of the remote's main, oldest first, descends from the one before: nothing was forced. */
function expectNoForcedUpdate(remote: string): void {
  const shas = gitOk(remote, ['reflog', 'show', '--format=%H', 'refs/heads/main']).trim().split('\n').reverse();
  for (let i = 1; i < shas.length; i++) {
    expect(spawnSync('git', ['merge-base', '--is-ancestor', shas[i - 1], shas[i]], { cwd: remote, env: ENV }).status).toBe(0);
  }
}

/** A user's git command run again while it meets the daemon's index.lock (it takes ~10 ms). */
function retrySync<T>(fn: () => T, attempts = 50): T {
  for (let i = 1; ; i++) {
    try {
      return fn();
    } catch (err) {
      if (i >= attempts || !/index\.lock/.test(String(err))) throw err;
      spawnSync('sleep', ['0.05']);
    }
  }
}

function failures(d: DaemonProcess, from: number): LoggedEvent[] {
  return d.events.slice(from).filter((e) => FAILURES.has(e.type));
}

/** `git/waiting` with `reason` since `from`: logged once per step while the wait lasts (the log is no storm either). */
function expectWaitingOncePerStep(d: DaemonProcess, reason: string, from: number): void {
  const waits = d.all((e) => e.type === 'git/waiting' && e.reason === reason, from).map((e) => String((e as { step?: unknown }).step));
  expect(waits.length).toBeGreaterThanOrEqual(1);
  expect(new Set(waits).size).toBe(waits.length);
}

/** At most one failure per remote-sync interval over the window, plus one for the trigger that found the fault. */
function stormLimit(windowMs: number): number {
  return Math.ceil(windowMs / INTERVAL_MS) + 2;
}

describe('fault 12: git faults under a running --auto-sync daemon', () => {
  const sandbox = useGitSandboxes();
  const { start } = useDaemons();
  jest.setTimeout(90_000);

  /** A clone with a committed, pushed workspace and its daemon, watching. */
  async function setup(label: string): Promise<{ s: GitSandbox; a: string; d: DaemonProcess }> {
    const s = sandbox(label);
    gitOk(s.remote, ['config', 'core.logAllRefUpdates', 'true']);
    const a = s.clone('a');
    const init = spawnSync(process.execPath, [CLI_BIN, 'init', '--prefix', 't'], { cwd: a, env: ENV, encoding: 'utf8' });
    expect(init.status).toBe(0);
    gitOk(a, ['add', '.beads']);
    gitOk(a, ['commit', '--quiet', '-m', 'beads']);
    gitOk(a, ['push', '--quiet', 'origin', 'HEAD:main']);
    const d = start({ cwd: a, args: SYNC, env: GIT_TEST_ENV });
    await d.waitUntilWatching();
    const first = await create(a, 'before the fault');
    await waitFor(() => remoteIds(s.remote).includes(first), RESUME_MS, 'the first issue on the remote');
    return { s, a, d };
  }

  /** Holds the fault for FAULT_MS while writes go on, then clears it; checks the promises above. */
  async function underFault(label: string, fault: { begin(ctx: { s: GitSandbox; a: string }): void; end(ctx: { s: GitSandbox; a: string }): void }) {
    const ctx = await setup(label);
    const { s, a, d } = ctx;
    const remoteBefore = gitOk(s.remote, ['rev-parse', 'main']).trim();
    const mark = d.mark();
    fault.begin(ctx);
    const t0 = Date.now();
    const made: string[] = [];
    while (Date.now() - t0 < FAULT_MS) {
      // Paced by the daemon: the next write once this one's export ran (or was held).
      const before = d.mark();
      made.push(await create(a, `during the fault ${made.length}`));
      await d.waitForEvent((e) => e.type.startsWith('export/'), RESUME_MS, before);
    }
    const during = failures(d, mark);
    // The loop ends after FAULT_MS, or later when the last write was slow: judge the window it took.
    const windowMs = Date.now() - t0;
    // The remote as it stood through the fault (moved aside, when the fault is its absence).
    const remoteDuring = gitOk(fs.existsSync(s.remote) ? s.remote : `${s.remote}.away`, ['rev-parse', 'main']).trim();
    fault.end(ctx);
    await waitFor(() => made.every((id) => remoteIds(s.remote).includes(id)), RESUME_MS, `the ${made.length} issues made during the fault on the remote`);
    const dbIds = readDbIssues(path.join(a, '.beads', 'beads.db')).map((r) => r.id);
    expect(made.filter((id) => !dbIds.includes(id))).toEqual([]);
    expect(made.filter((id) => !jsonlIds(jsonlOf(a)).includes(id))).toEqual([]);
    expectNoForcedUpdate(s.remote);
    process.stdout.write(`${label}: ${made.length} writes, ${during.length} failure events in ${windowMs} ms (${[...new Set(during.map((e) => e.type))].join(', ') || 'none'})\n`);
    expect(during.length).toBeLessThanOrEqual(stormLimit(windowMs));
    expect(d.all('daemon/failed')).toEqual([]);
    expect(d.exit).toBeUndefined();
    return { ...ctx, mark, made, during, remoteBefore, remoteDuring };
  }

  it('should retry a push the remote rejects (pre-receive hook declines), never force it, and push every write once it accepts', async () => {
    let flag = '';
    const r = await underFault('rejected', {
      begin: ({ s }) => {
        flag = path.join(s.root, 'reject-pushes');
        fs.writeFileSync(flag, '');
        fs.writeFileSync(path.join(s.remote, 'hooks', 'pre-receive'), `#!/bin/sh\nif [ -f ${JSON.stringify(flag)} ]; then echo "declined by the test" >&2; exit 1; fi\n`, { mode: 0o755 });
      },
      end: () => fs.rmSync(flag),
    });
    expect(r.during.filter((e) => e.type === 'git/rejected').length).toBeGreaterThanOrEqual(1);
    expect(r.remoteDuring).toBe(r.remoteBefore);
    // The remote holds the writes once git's receive is done, a moment before the daemon's push
    // returns and is logged (a full suite caught that moment once): the log is waited for.
    await r.d.waitForEvent('git/pushed', RESUME_MS, r.mark);
    expect(r.d.all('git/pushed', r.mark).length).toBeGreaterThanOrEqual(1);
  });

  it('should keep committing locally while the remote is unreachable, fail at most once per interval, and push everything when it is back', async () => {
    const r = await underFault('unreachable', {
      begin: ({ s }) => fs.renameSync(s.remote, `${s.remote}.away`),
      end: ({ s }) => fs.renameSync(`${s.remote}.away`, s.remote),
    });
    expect(r.during.filter((e) => e.type === 'git/failed').length).toBeGreaterThanOrEqual(1);
    expect(r.during.every((e) => e.type === 'git/failed')).toBe(true);
    // The writes made meanwhile were committed locally, then pushed as they were.
    expect(gitOk(r.a, ['log', '--format=%s', 'origin/main']).split('\n').filter((l) => l.startsWith('bd-rx: sync')).length).toBeGreaterThan(1);
  });

  it('should hold export, commit and push while a rebase the user left is in progress, logging git/waiting once per step, and sync once it is aborted', async () => {
    const r = await underFault('rebase', {
      // The user's rebase can meet the daemon's own commit holding index.lock: the user tries again.
      begin: ({ a }) => retrySync(() => gitOk(a, ['rebase', '--quiet', '-i', 'HEAD~1'], { ...ENV, GIT_SEQUENCE_EDITOR: "sed -i '1i break'" })),
      end: ({ a }) => retrySync(() => gitOk(a, ['rebase', '--abort'])),
    });
    expect(r.during).toEqual([]);
    expect(r.remoteDuring).toBe(r.remoteBefore);
    expect(r.d.all((e) => e.type === 'export/skipped' && String(e.reason) === 'git busy: rebase', r.mark).length).toBeGreaterThanOrEqual(1);
    expectWaitingOncePerStep(r.d, 'rebase', r.mark);
  });

  it('should wait while .git/index.lock is held, without a failure, and sync once it is released', async () => {
    const r = await underFault('index-lock', {
      begin: ({ a }) => fs.writeFileSync(path.join(a, '.git', 'index.lock'), ''),
      end: ({ a }) => fs.rmSync(path.join(a, '.git', 'index.lock')),
    });
    expect(r.during).toEqual([]);
    expect(r.remoteDuring).toBe(r.remoteBefore);
    expect(r.d.all((e) => e.type === 'export/skipped' && String(e.reason) === 'git busy: index.lock', r.mark).length).toBeGreaterThanOrEqual(1);
    expectWaitingOncePerStep(r.d, 'index.lock', r.mark);
  });

  it('should neither commit nor push on a detached HEAD, logging git/waiting once per step, and sync once the branch is checked out again', async () => {
    const r = await underFault('detached', {
      begin: ({ a }) => retrySync(() => gitOk(a, ['checkout', '--quiet', '--detach'])),
      end: ({ a }) => retrySync(() => gitOk(a, ['checkout', '--quiet', 'main'])),
    });
    expect(r.during).toEqual([]);
    expect(r.remoteDuring).toBe(r.remoteBefore);
    expectWaitingOncePerStep(r.d, 'detached HEAD', r.mark);
    // Nothing was committed on the detached HEAD: the branch carries every bd-rx commit.
    expect(gitOk(r.a, ['branch', '--contains', 'HEAD', '--format=%(refname:short)']).trim().split('\n')).toContain('main');
  });
});
