import { catchError, map, type Observable, of, switchMap, throwError } from 'rxjs';
import { headSha$, push$ } from '../git-ops';
import { aheadBehind$ } from '../git-upstream';
import { commitEffect } from './commit-effect';
import type { GitOutcome } from './git-outcome';
import type { GitSyncDeps } from './git-sync-deps';
import { asStepError, pullState } from './pull-effect';

/**
 * Pull before push (beads' #911: a stale clone pushed "open" over the remote's "closed"):
 * commit the JSONL, fetch, merge what the remote has, commit that, then push. Never forced: a
 * push rejected because someone pushed in between comes back as `rejected`, and the pipeline
 * runs this effect again after `pushRetryDelayMs(attempt)`.
 */
export function pushEffect(deps: GitSyncDeps): () => Observable<GitOutcome> {
  const commit = commitEffect(deps);
  const pull = pullState(deps, { mergeCommits: true });
  return () =>
    commit().pipe(
      switchMap((c): Observable<GitOutcome> => {
        if (c.kind === 'waiting') return of(c);
        return pull().pipe(
          switchMap(({ outcome: p, up, ahead }): Observable<GitOutcome> => {
            if (p.kind === 'waiting' || p.kind === 'disabled') return of(p);
            if (!up) return of({ kind: 'disabled', reason: 'the branch has no upstream' });
            const pulled = p.kind === 'pulled' ? p : null;
            // After a merge: the import may have exported local changes the remote lacked, and
            // HEAD moved. Up to date: the fetch's count stands (an idle tick spawns no more git).
            const ahead$ = ahead !== null ? of(ahead) : commit().pipe(switchMap(() => aheadBehind$(deps.repo, up.trackingRef)), map((ab) => ab.ahead));
            return ahead$.pipe(
              switchMap((n): Observable<GitOutcome> => {
                if (n === 0) return of({ kind: 'skipped', step: 'push', reason: 'nothing to push' });
                return push$(deps.repo, up).pipe(
                  catchError((err: unknown) => throwError(() => asStepError('push', err))),
                  switchMap((r): Observable<GitOutcome> =>
                    r.pushed
                      ? headSha$(deps.repo).pipe(map((sha): GitOutcome => ({ kind: 'pushed', sha: sha ?? '', pulled })))
                      : of({ kind: 'rejected', step: 'push', reason: r.rejected }),
                  ),
                );
              }),
            );
          }),
        );
      }),
    );
}
