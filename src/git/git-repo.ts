import * as path from 'node:path';
import { catchError, map, type Observable, of } from 'rxjs';
import { GitCommandError, gitText$ } from './git-cli';

/** Where a work tree's git files are. In a linked worktree `gitDir` is its own, `commonDir` shared. */
export interface GitRepo {
  /** The work tree's top directory (git runs hooks there; pathspecs are relative to it). */
  topLevel: string;
  /** Holds HEAD, the index and the in-progress markers of this work tree. */
  gitDir: string;
  /** Holds refs, config, objects and (by default) hooks, shared by all worktrees. */
  commonDir: string;
  /** Where hooks go: `core.hooksPath` when set, else `commonDir/hooks`. */
  hooksDir: string;
  /** A worktree made with `git worktree add`, not the main one. */
  linkedWorktree: boolean;
}

/** Why there is no repository to sync with. */
export interface NoGitRepo {
  reason: 'not a git repository' | 'git is not installed';
}

export const isGitRepo = (r: GitRepo | NoGitRepo): r is GitRepo => 'topLevel' in r;

/** The repository whose work tree holds `dir`. */
export function gitRepo$(dir: string): Observable<GitRepo | NoGitRepo> {
  const cwd = path.resolve(dir);
  return gitText$(['rev-parse', '--show-toplevel', '--absolute-git-dir', '--git-common-dir', '--git-path', 'hooks'], { cwd }).pipe(
    map((out): GitRepo | NoGitRepo => {
      const [topLevel, gitDir, commonDir, hooks] = out.split('\n');
      if (!topLevel) return { reason: 'not a git repository' }; // a bare repo or inside .git
      const common = path.resolve(cwd, commonDir);
      return { topLevel, gitDir, commonDir: common, hooksDir: path.resolve(cwd, hooks), linkedWorktree: common !== gitDir };
    }),
    catchError((err: unknown) => {
      if (err instanceof GitCommandError) {
        return of<NoGitRepo>({ reason: err.code === 'ENOENT' ? 'git is not installed' : 'not a git repository' });
      }
      throw err;
    }),
  );
}
