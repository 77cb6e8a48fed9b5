import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { firstValueFrom, lastValueFrom } from 'rxjs';
import { GitCommandError, git$ } from '../../src/git/git-cli';
import { gitBusy$ } from '../../src/git/git-busy';
import { commitFile$, fastForward$, fetch$, headSha$, mergeBase$, push$, readBlob$ } from '../../src/git/git-ops';
import { gitRepo$, isGitRepo, type GitRepo } from '../../src/git/git-repo';
import { aheadBehind$, upstream$, type Upstream } from '../../src/git/git-upstream';
import { waitFor } from '../helpers/wait-for';
import { git, gitOk, useGitSandboxes } from './git-repos';

const JSONL = '.beads/issues.jsonl';

/** Runs with the test identity: the adapter's children inherit process.env. */
beforeAll(() => {
  Object.assign(process.env, {
    GIT_AUTHOR_NAME: 't',
    GIT_AUTHOR_EMAIL: 't@example.com',
    GIT_COMMITTER_NAME: 't',
    GIT_COMMITTER_EMAIL: 't@example.com',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
  });
});

async function repoOf(dir: string): Promise<GitRepo> {
  const r = await lastValueFrom(gitRepo$(dir));
  if (!isGitRepo(r)) throw new Error(`${dir}: ${r.reason}`);
  return r;
}

function writeFile(dir: string, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
}

function commitAll(dir: string, message: string): void {
  gitOk(dir, ['add', '-A']);
  gitOk(dir, ['commit', '--quiet', '-m', message]);
}

describe('git adapter', () => {
  const sandbox = useGitSandboxes();

  describe('gitRepo$', () => {
    it('should find the top level, git dir and hooks dir of a clone from a sub-directory', async () => {
      const s = sandbox('repo');
      const a = s.clone('a');
      fs.mkdirSync(path.join(a, 'sub'));
      const r = await repoOf(path.join(a, 'sub'));
      expect(r).toEqual({ topLevel: a, gitDir: path.join(a, '.git'), commonDir: path.join(a, '.git'), hooksDir: path.join(a, '.git', 'hooks'), linkedWorktree: false });
    });

    it('should tell a linked worktree by its own git dir and the shared common dir', async () => {
      const s = sandbox('worktree');
      const a = s.clone('a');
      const wt = path.join(s.root, 'wt');
      gitOk(a, ['worktree', 'add', '--quiet', '-b', 'side', wt]);
      const r = await repoOf(wt);
      expect(r.topLevel).toBe(wt);
      expect(r.gitDir).toBe(path.join(a, '.git', 'worktrees', 'wt'));
      expect(r.commonDir).toBe(path.join(a, '.git'));
      expect(r.linkedWorktree).toBe(true);
    });

    it('should say when a directory is not in a git repository', async () => {
      const s = sandbox('norepo');
      const dir = path.join(s.root, 'plain');
      fs.mkdirSync(dir);
      await expect(lastValueFrom(gitRepo$(dir))).resolves.toEqual({ reason: 'not a git repository' });
    });
  });

  describe('gitBusy$', () => {
    it('should be idle on a branch, and name index.lock, a rebase, a merge, a cherry-pick, a bisect and a detached HEAD', async () => {
      const s = sandbox('busy');
      const a = s.clone('a');
      const repo = await repoOf(a);
      const busy = () => lastValueFrom(gitBusy$(repo));
      expect(await busy()).toBeNull();

      fs.writeFileSync(path.join(a, '.git', 'index.lock'), '');
      expect(await busy()).toBe('index.lock');
      fs.rmSync(path.join(a, '.git', 'index.lock'));

      // Two branches changing the same line: every replay of one onto the other stops half-way.
      writeFile(a, 'f.txt', 'base\n');
      commitAll(a, 'base');
      gitOk(a, ['checkout', '--quiet', '-b', 'side']);
      writeFile(a, 'f.txt', 'side\n');
      commitAll(a, 'side');
      gitOk(a, ['checkout', '--quiet', 'main']);
      writeFile(a, 'f.txt', 'main\n');
      commitAll(a, 'main');
      const stuck: Array<[string[], string, string[]]> = [
        [['rebase', 'side'], 'rebase', ['rebase', '--abort']],
        [['merge', 'side'], 'merge', ['merge', '--abort']],
        [['cherry-pick', 'side'], 'cherry-pick', ['cherry-pick', '--abort']],
        [['bisect', 'start'], 'bisect', ['bisect', 'reset']],
      ];
      for (const [start, reason, abort] of stuck) {
        git(a, start);
        expect(await busy()).toBe(reason);
        gitOk(a, abort);
        expect(await busy()).toBeNull();
      }
      gitOk(a, ['checkout', '--quiet', '--detach', 'HEAD']);
      expect(await busy()).toBe('detached HEAD');
    });
  });

  describe('upstream$, fetch$, aheadBehind$, mergeBase$, readBlob$', () => {
    it('should see the upstream, and after a fetch how far the clones moved apart', async () => {
      const s = sandbox('upstream');
      const a = s.clone('a');
      const b = s.clone('b');
      const repoA = await repoOf(a);
      const up = (await lastValueFrom(upstream$(repoA))) as Upstream;
      expect(up).toEqual({ branch: 'refs/heads/main', remote: 'origin', remoteRef: 'refs/heads/main', trackingRef: 'refs/remotes/origin/main' });

      writeFile(b, JSONL, '{"id":"b-1"}\n');
      commitAll(b, 'b1');
      gitOk(b, ['push', '--quiet', 'origin', 'main']);
      writeFile(a, 'a.txt', 'a\n');
      commitAll(a, 'a1');
      expect(await lastValueFrom(aheadBehind$(repoA, up.trackingRef))).toEqual({ ahead: 1, behind: 0 });
      await lastValueFrom(fetch$(repoA, up));
      expect(await lastValueFrom(aheadBehind$(repoA, up.trackingRef))).toEqual({ ahead: 1, behind: 1 });

      const base = await lastValueFrom(mergeBase$(repoA, 'HEAD', up.trackingRef));
      expect(base).toBe(gitOk(a, ['rev-parse', 'HEAD~1']).trim());
      expect((await lastValueFrom(readBlob$(repoA, up.trackingRef, JSONL)))?.toString('utf8')).toBe('{"id":"b-1"}\n');
      expect(await lastValueFrom(readBlob$(repoA, base!, JSONL))).toBeNull();
    });

    it('should report no upstream for a branch without one, and for a detached HEAD', async () => {
      const s = sandbox('noup');
      const a = s.clone('a');
      const repo = await repoOf(a);
      gitOk(a, ['checkout', '--quiet', '-b', 'local-only']);
      expect(await lastValueFrom(upstream$(repo))).toBeNull();
      gitOk(a, ['checkout', '--quiet', '--detach']);
      expect(await lastValueFrom(upstream$(repo))).toBeNull();
    });
  });

  describe('commitFile$', () => {
    it('should commit only the JSONL, leave another staged file staged, and make no empty commit', async () => {
      const s = sandbox('commit');
      const a = s.clone('a');
      const repo = await repoOf(a);
      writeFile(a, JSONL, '{"id":"t-1"}\n');
      writeFile(a, 'other.txt', 'staged by the user\n');
      gitOk(a, ['add', 'other.txt']);
      const sha = await lastValueFrom(commitFile$(repo, JSONL, 'bd-rx: sync 1 issues'));
      expect(sha).toBe(gitOk(a, ['rev-parse', 'HEAD']).trim());
      expect(gitOk(a, ['show', '--name-only', '--format=%s', 'HEAD'])).toBe(`bd-rx: sync 1 issues\n\n${JSONL}\n`);
      expect(gitOk(a, ['diff', '--cached', '--name-only'])).toBe('other.txt\n');
      expect(await lastValueFrom(commitFile$(repo, JSONL, 'again'))).toBeNull();
      expect(gitOk(a, ['rev-parse', 'HEAD']).trim()).toBe(sha);
    });

    it('should take paths and messages with spaces, quotes, newlines, $() and a leading - as they are', async () => {
      const s = sandbox('inject');
      const a = s.clone('a');
      const repo = await repoOf(a);
      const rel = `-rf $(touch pwned) 'q' "dq" \`x\`\nline*/${JSONL}`;
      writeFile(a, rel, '{"id":"t-1"}\n');
      writeFile(a, '-rf decoy.jsonl', 'not to be committed\n'); // a glob would match it: pathspecs are literal
      const message = `--amend $(touch pwned2) "; rm -rf /"\nsecond line`;
      await lastValueFrom(commitFile$(repo, rel, message));
      expect(gitOk(a, ['show', '--name-only', '--format=', '-z', 'HEAD']).split('\0').filter(Boolean)).toEqual([rel]);
      expect(gitOk(a, ['log', '-1', '--format=%B'])).toBe(`${message}\n\n`);
      expect(fs.existsSync(path.join(a, 'pwned')) || fs.existsSync(path.join(a, 'pwned2'))).toBe(false);
      await expect(lastValueFrom(readBlob$(repo, '--output=/tmp/x', rel))).rejects.toThrow('git would read it as an option');
      expect((await lastValueFrom(readBlob$(repo, 'HEAD', rel)))?.toString('utf8')).toBe('{"id":"t-1"}\n');
    });
  });

  describe('push$ and fastForward$', () => {
    it('should push, be rejected (not forced) when the remote moved, and fast-forward a clone with no change', async () => {
      const s = sandbox('push');
      const a = s.clone('a');
      const b = s.clone('b');
      const c = s.clone('c');
      const [repoA, repoB, repoC] = await Promise.all([repoOf(a), repoOf(b), repoOf(c)]);
      const up = (await lastValueFrom(upstream$(repoA))) as Upstream;

      writeFile(a, JSONL, '{"id":"a-1"}\n');
      await lastValueFrom(commitFile$(repoA, JSONL, 'a'));
      expect(await lastValueFrom(push$(repoA, up))).toEqual({ pushed: true });
      const remoteAfterA = gitOk(s.remote, ['rev-parse', 'main']).trim();
      expect(remoteAfterA).toBe(gitOk(a, ['rev-parse', 'HEAD']).trim());

      writeFile(b, JSONL, '{"id":"b-1"}\n');
      await lastValueFrom(commitFile$(repoB, JSONL, 'b'));
      const rejected = await lastValueFrom(push$(repoB, up));
      expect(rejected).toEqual({ pushed: false, rejected: expect.stringContaining('rejected') });
      expect(gitOk(s.remote, ['rev-parse', 'main']).trim()).toBe(remoteAfterA);

      await lastValueFrom(fetch$(repoC, up));
      const head = await lastValueFrom(fastForward$(repoC, up.trackingRef));
      expect(head).toBe(remoteAfterA);
      expect(fs.readFileSync(path.join(c, JSONL), 'utf8')).toBe('{"id":"a-1"}\n');
      expect(await lastValueFrom(headSha$(repoC))).toBe(remoteAfterA);
    });
  });

  describe('git$', () => {
    it('should fail with GitCommandError naming the command and git message', async () => {
      const s = sandbox('fail');
      const a = s.clone('a');
      const err = await lastValueFrom(git$(['rev-parse', '--verify', 'no-such-ref'], { cwd: a })).catch((e) => e);
      expect(err).toBeInstanceOf(GitCommandError);
      expect(err.code).toBe(128);
      expect(err.message).toContain('git rev-parse --verify no-such-ref failed (exit 128)');
    });

    it('should kill git when unsubscribed', async () => {
      const s = sandbox('kill');
      const a = s.clone('a');
      const marker = `bd-rx-kill-test-${process.pid}-${Date.now()}`;
      // ext:: runs `sh -c cat` as the "remote": it waits for git forever, and ends when git does.
      const sub = git$(['-c', 'protocol.ext.allow=always', 'ls-remote', `ext::sh -c cat ${marker}`], { cwd: a }).subscribe({ error: () => undefined });
      const running = () => spawnSync('pgrep', ['-f', marker], { encoding: 'utf8' }).stdout.trim();
      await waitFor(() => running() !== '', 10_000, 'git and its remote helper to start');
      sub.unsubscribe();
      await waitFor(() => running() === '', 10_000, 'git and its helper to be gone');
      expect(running()).toBe('');
    });

    it('should not run before it is subscribed to', async () => {
      const s = sandbox('cold');
      const a = s.clone('a');
      const call = git$(['commit', '--allow-empty', '--quiet', '-m', 'cold'], { cwd: a });
      expect(gitOk(a, ['log', '--format=%s', '-1'])).toBe('seed\n');
      await firstValueFrom(call);
      expect(gitOk(a, ['log', '--format=%s', '-1'])).toBe('cold\n');
    });
  });
});
