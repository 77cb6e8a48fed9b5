import * as fs from 'node:fs';
import * as path from 'node:path';
import { defer, type Observable } from 'rxjs';
import type { GitRepo } from './git-repo';

/** Why git's state is not ours to touch right now. */
export type GitBusyReason = 'index.lock' | 'rebase' | 'merge' | 'cherry-pick' | 'revert' | 'bisect' | 'detached HEAD';

/** The files git leaves in a work tree's git dir while an operation is under way. */
const IN_PROGRESS: Array<[string, Exclude<GitBusyReason, 'detached HEAD'>]> = [
  ['index.lock', 'index.lock'],
  ['rebase-merge', 'rebase'],
  ['rebase-apply', 'rebase'],
  ['MERGE_HEAD', 'merge'],
  ['CHERRY_PICK_HEAD', 'cherry-pick'],
  ['REVERT_HEAD', 'revert'],
  ['BISECT_LOG', 'bisect'],
];

/**
 * The operation git is in the middle of, from its marker files alone (no process spawned):
 * while one is, the work tree holds git's half-state, so the daemon neither writes the JSONL
 * into it nor imports it.
 */
export function gitOperationInProgress(repo: Pick<GitRepo, 'gitDir'>): Exclude<GitBusyReason, 'detached HEAD'> | null {
  for (const [file, reason] of IN_PROGRESS) {
    if (fs.existsSync(path.join(repo.gitDir, file))) return reason;
  }
  return null;
}

/**
 * The branch HEAD is on (`refs/heads/NAME`), read from the work tree's `HEAD` file as git
 * keeps it (`ref: refs/heads/NAME`); null when HEAD is detached (a commit id) or unreadable.
 * No process: the git row asks this on every tick.
 */
export function headBranch(repo: Pick<GitRepo, 'gitDir'>): string | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(repo.gitDir, 'HEAD'), 'utf8');
  } catch {
    return null;
  }
  const m = /^ref:\s*(refs\/\S+)\s*$/.exec(text);
  return m ? m[1] : null;
}

/**
 * Why a sync must wait, or null when git is idle: another git command holds the index, an
 * operation is half done (its files are git's half-state, not a version to import or commit
 * on), or HEAD is detached (there is no branch to commit to).
 */
export function gitBusy$(repo: GitRepo): Observable<GitBusyReason | null> {
  return defer((): Array<GitBusyReason | null> => [gitOperationInProgress(repo) ?? (headBranch(repo) === null ? 'detached HEAD' : null)]);
}
