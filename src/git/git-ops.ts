import { concatMap, defer, map, type Observable, of } from 'rxjs';
import { assertNotOption, GitCommandError, git$ } from './git-cli';
import { currentHead$ } from './git-refs';
import type { GitRepo } from './git-repo';
import type { Upstream } from './git-upstream';

/** The commit HEAD points at (from git's files when they tell, see `currentHead$`); null on a branch with no commit yet. */
export function headSha$(repo: GitRepo): Observable<string | null> {
  return currentHead$(repo);
}

/** Updates the upstream's remote-tracking ref from the remote (no tags, never prompts). */
export function fetch$(repo: GitRepo, up: Upstream): Observable<void> {
  // No forced-update scan, no submodule recursion: neither is needed to read one branch.
  return git$(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--no-show-forced-updates', '--no-recurse-submodules', up.remote, `+${up.remoteRef}:${up.trackingRef}`], { cwd: repo.topLevel, config: SYNC_GIT_CONFIG }).pipe(
    map(() => undefined),
  );
}

/**
 * A file's bytes as committed at `ref` (`relPath` relative to the work tree's top); null when
 * that commit has no such file. Plumbing (`cat-file`), so no textconv or filter touches them.
 */
export function readBlob$(repo: GitRepo, ref: string, relPath: string): Observable<Buffer | null> {
  return defer(() => git$(['cat-file', 'blob', `${assertNotOption('ref', ref)}:${relPath}`], { cwd: repo.topLevel, okCodes: [0, 128] }).pipe(
    map((o) => (o.code === 0 ? o.stdout : null)),
  ));
}

/** The best common ancestor of two commits; null when they share none. */
export function mergeBase$(repo: GitRepo, a: string, b: string): Observable<string | null> {
  return defer(() => git$(['merge-base', assertNotOption('ref', a), assertNotOption('ref', b)], { cwd: repo.topLevel, okCodes: [0, 1] }).pipe(
    map((o) => (o.code === 0 ? o.stdout.toString('utf8').trim() : null)),
  ));
}

/**
 * `-c` settings for the commands on the sync path (commit, fetch, merge, push): no `gc --auto`
 * or `maintenance run --auto` child after each one (a process, and at times a repack, on the
 * latency path: the user's own git commands still run them), no fsmonitor daemon to consult.
 */
export const SYNC_GIT_CONFIG: readonly string[] = ['gc.auto=0', 'maintenance.auto=false', 'core.fsmonitor=false'];

/** `git commit -- path` on a file git does not track yet. */
const UNTRACKED = /did not match any file\(s\) known to git/;
/** `git commit -- path` with the file as HEAD has it (LC_ALL=C, see gitEnv). */
const NOTHING = /nothing to commit|no changes added to commit/;

/**
 * Commits the working-tree version of one file and nothing else: other staged changes stay
 * staged and out of the commit (a pathspec commit, `--only`). Emits the new commit's sha, or
 * null when the file is as HEAD has it (no empty commit). One process in the common case: the
 * commit itself answers "nothing changed", and a file git does not track yet is added first.
 * Hooks are skipped: a pre-commit that asks the daemon to export would wait on the daemon that
 * is waiting on this commit.
 */
export function commitFile$(repo: GitRepo, relPath: string, message: string): Observable<string | null> {
  const cwd = repo.topLevel;
  const args = ['commit', '--quiet', '--no-verify', '--untracked-files=no', '-m', message, '--', relPath];
  const commit$ = (retried: boolean): Observable<string | null> =>
    git$(args, { cwd, okCodes: [0, 1], config: SYNC_GIT_CONFIG }).pipe(
      concatMap((o) => {
        if (o.code === 0) return currentHead$(repo);
        if (!retried && UNTRACKED.test(o.stderr)) return git$(['add', '--', relPath], { cwd }).pipe(concatMap(() => commit$(true)));
        if (NOTHING.test(o.stdout.toString('utf8'))) return of(null);
        throw new GitCommandError(args, o.code, o.stderr || o.stdout.toString('utf8'));
      }),
    );
  return defer(() => commit$(false));
}

export type PushResult = { pushed: true } | { pushed: false; rejected: string };

/**
 * Pushes HEAD to the upstream branch. Never forced: a remote that moved meanwhile rejects it,
 * and the caller must fetch and merge first.
 */
export function push$(repo: GitRepo, up: Upstream): Observable<PushResult> {
  return git$(['push', '--porcelain', '--no-verify', up.remote, `HEAD:${up.remoteRef}`], { cwd: repo.topLevel, okCodes: [0, 1], config: SYNC_GIT_CONFIG }).pipe(
    map((o): PushResult => {
      if (o.code === 0) return { pushed: true };
      const rejected = o.stdout
        .toString('utf8')
        .split('\n')
        .find((l) => l.startsWith('!'));
      if (!rejected) throw new Error(`git push to ${up.remote} failed: ${o.stderr.trim().split('\n')[0] || 'no message'}`);
      return { pushed: false, rejected: rejected.split('\t').slice(2).join(' ').trim() || 'rejected' };
    }),
  );
}

/**
 * Moves the branch (and work tree) forward to `ref`; fails rather than merge or overwrite local
 * changes. Emits the new HEAD (read from git's files when they tell: no second process).
 */
export function fastForward$(repo: GitRepo, ref: string): Observable<string> {
  const cwd = repo.topLevel;
  return defer(() => git$(['merge', '--ff-only', '--quiet', '--no-edit', assertNotOption('ref', ref)], { cwd, config: SYNC_GIT_CONFIG })).pipe(
    concatMap(() => currentHead$(repo)),
    map((sha) => sha ?? ''),
  );
}
