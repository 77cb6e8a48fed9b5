import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lastValueFrom } from 'rxjs';
import { gitEffect } from '../../src/git/effects/git-effect-kind';
import type { GitOutcome } from '../../src/git/effects/git-outcome';
import { resolveGitSyncSettings } from '../../src/git/git-sync-settings';
import { BeadsStore } from '../../src/store/beads-store';
import { storeClone } from './store-clone';
import { GIT_TEST_ENV, gitOk, useGitSandboxes, type GitSandbox } from './git-repos';

beforeAll(() => Object.assign(process.env, GIT_TEST_ENV));

/**
 * The git processes a daemon's sync run spawns, counted by a `git` first on PATH that logs its
 * command and runs the real one. Each costs ~5-15 ms here, and the create-on-A → on-B latency
 * is one run on A plus one on B: the counts below are what issue 11's bound depends on.
 */
describe('git processes per sync run (auto-sync, the lane row as the daemon runs it)', () => {
  const sandbox = useGitSandboxes();
  const stores: BeadsStore[] = [];
  let savedPath: string | undefined;
  let logFile = '';
  beforeEach(() => {
    savedPath = process.env.PATH;
  });
  afterEach(() => {
    process.env.PATH = savedPath;
    delete process.env.BDRX_TEST_GIT_LOG;
    for (const s of stores.splice(0)) s.dispose();
  });

  /** Puts the logging `git` first on PATH; returns the commands logged since the last call. */
  function countGit(s: GitSandbox): () => string[] {
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    const bin = path.join(s.root, 'bin');
    fs.mkdirSync(bin, { recursive: true });
    logFile = path.join(s.root, 'git-calls.log');
    fs.writeFileSync(logFile, '');
    // The subcommand is the first argument that is not a `-c NAME=VALUE` pair.
    fs.writeFileSync(
      path.join(bin, 'git'),
      `#!/bin/sh\nfor a in "$@"; do if [ "$skip" = 1 ]; then skip=0; continue; fi; case "$a" in -c) skip=1;; *) printf '%s\\n' "$a" >> "$BDRX_TEST_GIT_LOG"; break;; esac; done\nexec ${JSON.stringify(realGit)} "$@"\n`,
      { mode: 0o755 },
    );
    process.env.PATH = `${bin}${path.delimiter}${savedPath ?? ''}`;
    process.env.BDRX_TEST_GIT_LOG = logFile;
    let seen = 0;
    return () => {
      const all = fs.readFileSync(logFile, 'utf8').split('\n').filter((l) => l !== '');
      const fresh = all.slice(seen);
      seen = all.length;
      return fresh;
    };
  }

  async function clone(s: GitSandbox, name: string) {
    const { dir, store, deps } = await storeClone(s, name, stores);
    // One runner per daemon, as `daemonGit` binds it: its memo lives as long as the daemon.
    const run = gitEffect(resolveGitSyncSettings({ autoSync: true }, {}), deps);
    return { dir, store, deps, run: (): Promise<GitOutcome> => lastValueFrom(run()) };
  }

  it('should spawn 1 process on an idle tick, 3 for a create on A (commit, fetch, push) and 3 to bring it to B (fetch, rev-list, merge)', async () => {
    const s = sandbox('count');
    const a = await clone(s, 'a');
    gitOk(a.dir, ['add', '.beads']);
    gitOk(a.dir, ['commit', '--quiet', '-m', 'workspace']);
    gitOk(a.dir, ['push', '--quiet', 'origin', 'main']);
    const b = await clone(s, 'b');
    const calls = countGit(s);
    // The start-up runs: what the memo learns first costs a few more processes, once.
    await a.run();
    await b.run();
    calls();

    expect(await b.run()).toEqual({ kind: 'skipped', step: 'push', reason: 'nothing to push', run_ms: expect.any(Number) });
    expect(calls()).toEqual(['fetch']);

    const { id } = a.store.create({ title: 'made on A' }, 'tester');
    a.deps.exportNow();
    // (The test's own git calls go through the logging git too: each check comes after calls().)
    const pushed = await a.run();
    expect(calls()).toEqual(['commit', 'fetch', 'push']);
    expect(pushed).toMatchObject({ kind: 'pushed', sha: gitOk(s.remote, ['rev-parse', 'main']).trim() });
    calls();

    expect(await b.run()).toMatchObject({ kind: 'pulled', ahead: 0, behind: 1, fastForwarded: true });
    expect(calls()).toEqual(['fetch', 'rev-list', 'merge']);
    expect(b.store.get(id)).toMatchObject({ title: 'made on A' });
    expect(fs.readFileSync(path.join(b.dir, '.beads', 'issues.jsonl'), 'utf8')).toContain(id);
    expect(gitOk(b.dir, ['status', '--porcelain'])).toBe('');
    calls();

    // Both idle again: a fetch each, nothing else.
    await a.run();
    await b.run();
    expect(calls()).toEqual(['fetch', 'fetch']);
  });
});
