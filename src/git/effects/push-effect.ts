import { catchError, map, type Observable, of, switchMap, throwError } from 'rxjs';
import { push$ } from '../git-ops';
import { currentHead$ } from '../git-refs';
import { commitEffect } from './commit-effect';
import type { GitOutcome } from './git-outcome';
import type { GitSyncDeps } from './git-sync-deps';
import { asStepError, pullState } from './pull-effect';
import { SyncMemo } from './sync-memo';

/**
 * Pull before push (beads' #911: a stale clone pushed "open" over the remote's "closed"):
 * commit the JSONL, fetch, merge what the remote has, commit that, then push, all in one run
 * of the lane. Never forced: a push rejected because someone pushed in between comes back as
 * `rejected`, and the pipeline runs this effect again after `pushRetryDelayMs(attempt)`.
 *
 * The processes of a run that pushes a new commit: `commit`, `fetch`, `rev-list` (HEAD moved),
 * `push`; of an idle tick: `fetch` alone; of a tick that brings a remote commit in: `fetch`,
 * `rev-list`, `merge --ff-only` (see `pullState`, `commitEffect`, `SyncMemo`).
 */
export function pushEffect(deps: GitSyncDeps, memo: SyncMemo = new SyncMemo()): () => Observable<GitOutcome> {
  const commit = commitEffect(deps, memo);
  const pull = pullState(deps, { mergeCommits: true, replaceOwnMerge: true }, memo);
  return () =>
    commit().pipe(
      switchMap((c): Observable<GitOutcome> => {
        if (c.kind === 'waiting') return of(c);
        return pull().pipe(
          switchMap(({ outcome: p, up, ahead }): Observable<GitOutcome> => {
            if (p.kind === 'waiting' || p.kind === 'disabled') return of(p);
            if (!up) return of({ kind: 'disabled', reason: 'the branch has no upstream' });
            const pulled = p.kind === 'pulled' ? p : null;
            // After a pull the import may have exported local changes the remote lacked: they
            // are committed first (no process when there were none), one more commit ahead.
            const ahead$ = pulled ? commit().pipe(map((again) => (ahead ?? 0) + (again.kind === 'committed' ? 1 : 0))) : of(ahead ?? 0);
            return ahead$.pipe(
              switchMap((n): Observable<GitOutcome> => {
                // A pull that left nothing to push is reported as the pull (the log and the
                // status see what came in), not as a skipped push.
                if (n === 0) return of(pulled ?? { kind: 'skipped', step: 'push', reason: 'nothing to push' });
                return push$(deps.repo, up).pipe(
                  catchError((err: unknown) => throwError(() => asStepError('push', err))),
                  switchMap((r): Observable<GitOutcome> =>
                    r.pushed
                      ? currentHead$(deps.repo).pipe(
                          map((sha): GitOutcome => {
                            // git moved the tracking ref to HEAD: even, until either moves.
                            memo.pushed();
                            if (sha) memo.rememberCounts(sha, sha, { ahead: 0, behind: 0 });
                            return { kind: 'pushed', sha: sha ?? '', pulled };
                          }),
                        )
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
