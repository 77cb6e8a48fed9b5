import { defer, map, type Observable, of, switchMap } from 'rxjs';
import { assertNotOption, gitText$ } from './git-cli';
import { headBranch } from './git-busy';
import type { GitRepo } from './git-repo';

/** The branch checked out and where it pulls from and pushes to. */
export interface Upstream {
  /** `refs/heads/NAME`. */
  branch: string;
  /** The remote's name, as in `git remote`. */
  remote: string;
  /** The branch on the remote, `refs/heads/NAME`. */
  remoteRef: string;
  /** The local remote-tracking ref, `refs/remotes/REMOTE/NAME`. */
  trackingRef: string;
}

export interface AheadBehind {
  /** Commits on HEAD that the upstream lacks. */
  ahead: number;
  /** Commits on the upstream that HEAD lacks. */
  behind: number;
}

/** The upstream of the branch checked out; null when HEAD is detached or the branch has none. */
export function upstream$(repo: GitRepo): Observable<Upstream | null> {
  const cwd = repo.topLevel;
  return defer(() => [headBranch(repo)]).pipe(
    switchMap((branch) => {
      if (branch === null) return of(null);
      return gitText$(['for-each-ref', '--format=%(upstream)%00%(upstream:remotename)%00%(upstream:remoteref)', '--', branch], { cwd }).pipe(
        map((line): Upstream | null => {
          const [trackingRef, remote, remoteRef] = line.split('\0');
          if (!trackingRef || !remote || !remoteRef || remote === '.') return null;
          return { branch, remote: assertNotOption('remote name', remote), remoteRef, trackingRef };
        }),
      );
    }),
  );
}

/** How far HEAD and `ref` have moved apart (both counted from their merge base). */
export function aheadBehind$(repo: GitRepo, ref: string): Observable<AheadBehind> {
  return defer(() => gitText$(['rev-list', '--left-right', '--count', `HEAD...${assertNotOption('ref', ref)}`, '--'], { cwd: repo.topLevel })).pipe(
    map((out) => {
      const [ahead, behind] = out.split(/\s+/).map(Number);
      return { ahead, behind };
    }),
  );
}
