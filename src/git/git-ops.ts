import { concatMap, defer, map, type Observable, of } from 'rxjs';
import { assertNotOption, git$, gitText$ } from './git-cli';
import type { GitRepo } from './git-repo';
import type { Upstream } from './git-upstream';

/** The commit HEAD points at; null on a branch with no commit yet. */
export function headSha$(repo: GitRepo): Observable<string | null> {
  return git$(['rev-parse', '-q', '--verify', 'HEAD^{commit}'], { cwd: repo.topLevel, okCodes: [0, 1] }).pipe(
    map((o) => (o.code === 0 ? o.stdout.toString('utf8').trim() : null)),
  );
}

/** Updates the upstream's remote-tracking ref from the remote (no tags, never prompts). */
export function fetch$(repo: GitRepo, up: Upstream): Observable<void> {
  return git$(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', up.remote, `+${up.remoteRef}:${up.trackingRef}`], { cwd: repo.topLevel }).pipe(
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
 * Commits the working-tree version of one file and nothing else: other staged changes stay
 * staged and out of the commit (a pathspec commit). Emits the new commit's sha, or null when
 * the file is as HEAD has it (no empty commit). Hooks are skipped: a pre-commit that asks the
 * daemon to export would wait on the daemon that is waiting on this commit.
 */
export function commitFile$(repo: GitRepo, relPath: string, message: string): Observable<string | null> {
  const cwd = repo.topLevel;
  // The common case, on every tick, is "nothing changed": one status, no add.
  return git$(['status', '--porcelain', '-z', '--untracked-files=all', '--', relPath], { cwd }).pipe(
    concatMap((first) => (first.stdout.length === 0 ? of(null) : addAndCommit$(cwd, relPath, message))),
  );
}

function addAndCommit$(cwd: string, relPath: string, message: string): Observable<string | null> {
  return git$(['add', '--', relPath], { cwd }).pipe(
    concatMap(() => git$(['status', '--porcelain', '-z', '--untracked-files=no', '--', relPath], { cwd })),
    concatMap((status) => {
      if (status.stdout.length === 0) return of(null);
      return git$(['commit', '--quiet', '--no-verify', '-m', message, '--', relPath], { cwd }).pipe(
        concatMap(() => gitText$(['rev-parse', 'HEAD'], { cwd })),
      );
    }),
  );
}

export type PushResult = { pushed: true } | { pushed: false; rejected: string };

/**
 * Pushes HEAD to the upstream branch. Never forced: a remote that moved meanwhile rejects it,
 * and the caller must fetch and merge first.
 */
export function push$(repo: GitRepo, up: Upstream): Observable<PushResult> {
  return git$(['push', '--porcelain', '--no-verify', up.remote, `HEAD:${up.remoteRef}`], { cwd: repo.topLevel, okCodes: [0, 1] }).pipe(
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

/** Moves the branch (and work tree) forward to `ref`; fails rather than merge or overwrite local changes. */
export function fastForward$(repo: GitRepo, ref: string): Observable<string> {
  const cwd = repo.topLevel;
  return defer(() => git$(['merge', '--ff-only', '--quiet', '--no-edit', assertNotOption('ref', ref)], { cwd })).pipe(
    concatMap(() => gitText$(['rev-parse', 'HEAD'], { cwd })),
  );
}
