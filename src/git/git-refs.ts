import * as fs from 'node:fs';
import * as path from 'node:path';
import { defer, map, type Observable, of } from 'rxjs';
import { git$ } from './git-cli';
import { headBranch } from './git-busy';
import type { GitRepo } from './git-repo';

const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/**
 * The commit a full ref name points at, read from git's files-backend as git itself does: the
 * loose ref (per-worktree refs in the worktree's git dir, the rest in the common dir), else
 * `packed-refs`. Null when neither has it (a reftable repository, a symbolic ref, no such
 * ref): the caller asks git. The sync path reads refs on every tick, and a file read costs
 * microseconds where `git rev-parse` costs a process.
 */
export function readRefSha(repo: Pick<GitRepo, 'gitDir' | 'commonDir'>, ref: string): string | null {
  if (!ref.startsWith('refs/') || ref.includes('..') || fs.existsSync(path.join(repo.commonDir, 'reftable'))) return null;
  const perWorktree = ref.startsWith('refs/bisect/') || ref.startsWith('refs/worktree/') || ref.startsWith('refs/rewritten/');
  const loose = readText(path.join(perWorktree ? repo.gitDir : repo.commonDir, ref));
  if (loose !== null) {
    const sha = loose.trim();
    return SHA.test(sha) ? sha : null;
  }
  const packed = readText(path.join(repo.commonDir, 'packed-refs'));
  if (packed === null) return null;
  for (const line of packed.split('\n')) {
    // `<sha> <ref>`; `^<sha>` lines peel the tag above and `#` lines are the header.
    const space = line.indexOf(' ');
    if (space > 0 && line.slice(space + 1) === ref) {
      const sha = line.slice(0, space);
      return SHA.test(sha) ? sha : null;
    }
  }
  return null;
}

/** HEAD's commit from git's files (see {@link readRefSha}); null when that cannot tell. */
export function readHeadShaFromFiles(repo: Pick<GitRepo, 'gitDir' | 'commonDir'>): string | null {
  const branch = headBranch(repo);
  return branch === null ? null : readRefSha(repo, branch);
}

/** HEAD's commit: from git's files when they tell, else from `git rev-parse` (one process). */
export function currentHead$(repo: GitRepo): Observable<string | null> {
  return defer(() => {
    const sha = readHeadShaFromFiles(repo);
    if (sha !== null) return of(sha);
    return git$(['rev-parse', '-q', '--verify', 'HEAD^{commit}'], { cwd: repo.topLevel, okCodes: [0, 1] }).pipe(
      map((o) => (o.code === 0 ? o.stdout.toString('utf8').trim() : null)),
    );
  });
}
