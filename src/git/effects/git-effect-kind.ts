import { catchError, defer, map, type Observable, of, switchMap } from 'rxjs';
import { DAEMON_EFFECT_KINDS } from '../../pipeline/effect-kinds';
import type { GitSyncSettings } from '../git-sync-settings';
import { commitEffect } from './commit-effect';
import { GitStepError, type GitOutcome, type GitStep } from './git-outcome';
import type { GitSyncDeps } from './git-sync-deps';
import { pullEffect } from './pull-effect';
import { pushEffect } from './push-effect';
import { SyncMemo } from './sync-memo';

/**
 * The lane's row for git: after export and import (its priority), its pending runs coalesced
 * (one run does the whole job the settings ask for), dropped at stop (the next start syncs),
 * reported as `git/<outcome>`: `git/committed`, `git/pulled`, `git/pushed`, `git/rejected`,
 * `git/waiting`, `git/disabled`, `git/failed {step, code, error, retry_at}`, `git/skipped`.
 */
export const GIT_EFFECT_KIND = DAEMON_EFFECT_KINDS.git;

/**
 * The run of the git row: push (which commits and pulls first) with auto-push; else commit,
 * then pull, as the settings ask. A failing step comes back as a `failed` outcome naming the
 * step, with the next retry time (the next remote-sync tick) when there is one.
 */
export function gitEffect(settings: GitSyncSettings, deps: GitSyncDeps, now: () => Date = () => new Date()): () => Observable<GitOutcome> {
  // One memo for the three, so what one learned of git (HEAD's JSONL, the upstream, the
  // counts) spares the others a process.
  const memo = new SyncMemo();
  const push = pushEffect(deps, memo);
  const commit = commitEffect(deps, memo);
  const pull = pullEffect(deps, { mergeCommits: settings.autoCommit }, memo);
  const job = (): Observable<GitOutcome> => {
    if (settings.autoPush) return push();
    if (settings.autoCommit && settings.autoPull) {
      return commit().pipe(
        switchMap((c) =>
          c.kind === 'waiting'
            ? of<GitOutcome>(c)
            : pull().pipe(
                switchMap((p): Observable<GitOutcome> => {
                  if (p.kind !== 'pulled') return of(c.kind === 'committed' ? c : p);
                  // A merge that took in edits made while it ran leaves them uncommitted.
                  return commit().pipe(
                    map((again): GitOutcome => {
                      const last = again.kind === 'committed' ? again : c.kind === 'committed' ? c : null;
                      return last ? { ...p, committed: { sha: last.sha, issues: last.issues } } : p;
                    }),
                  );
                }),
              ),
        ),
      );
    }
    if (settings.autoCommit) return commit();
    if (settings.autoPull) return pull();
    return of({ kind: 'disabled', reason: 'git sync is off (--auto-commit, --auto-pull, --auto-push, --auto-sync)' });
  };
  const step: GitStep = settings.autoPush ? 'push' : settings.autoCommit ? 'commit' : 'fetch';
  return () =>
    defer(() => {
      // A monotonic clock: the cost feeds timers, and the wall clock can jump.
      const started = performance.now();
      return job().pipe(map((o) => withRunCost(o, Math.round(performance.now() - started))));
    }).pipe(
      catchError((err: unknown) => {
        // The user's git took index.lock between our idle check and our command (a `git add`
        // at the wrong moment): git is busy, not broken; wait and retry like any busy state.
        if (/index\.lock'?: File exists/.test(err instanceof Error ? err.message : String(err))) {
          return of<GitOutcome>({ kind: 'waiting', step: err instanceof GitStepError ? err.step : step, reason: 'index.lock' });
        }
        const e = err instanceof GitStepError ? err : new GitStepError(step, (err as { code?: string })?.code ?? 'error', err instanceof Error ? err.message : String(err));
        const retry = settings.autoPull && settings.remoteSyncIntervalMs > 0 ? new Date(now().getTime() + settings.remoteSyncIntervalMs).toISOString() : undefined;
        return of<GitOutcome>({ kind: 'failed', step: e.step, code: e.code, error: e.message, ...(retry ? { retry_at: retry } : {}) });
      }),
    );
}

/** The kinds whose runs the pipeline's git leads learn from (see `RunCost`). */
function withRunCost(o: GitOutcome, ms: number): GitOutcome {
  return o.kind === 'committed' || o.kind === 'pulled' || o.kind === 'pushed' || o.kind === 'skipped' ? { ...o, run_ms: ms } : o;
}
