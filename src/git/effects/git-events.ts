import { filter, type MonoTypeOperatorFunction } from 'rxjs';
import type { GitOutcome, GitStep, PullMerge } from './git-outcome';
import { GitStepError } from './git-outcome';

/** The `git/*` events of the daemon's log, one per outcome that is news. */
export type GitEvent =
  | { type: 'git/committed'; sha: string; issues: number }
  | { type: 'git/pulled'; ahead: number; behind: number; fast_forward: boolean; merged: PullMerge | null }
  | { type: 'git/pushed'; sha: string }
  | { type: 'git/waiting'; step: GitStep; reason: string }
  | { type: 'git/disabled'; reason: string }
  | { type: 'git/failed'; step: GitStep; code: string; error: string; retry_at?: string };

/** The events an outcome is logged as; a skip (nothing to do) is not news. */
export function gitEvents(o: GitOutcome): GitEvent[] {
  switch (o.kind) {
    case 'committed':
      return [{ type: 'git/committed', sha: o.sha, issues: o.issues }];
    case 'pulled':
      return [
        ...(o.committed ? [{ type: 'git/committed' as const, ...o.committed }] : []),
        { type: 'git/pulled', ahead: o.ahead, behind: o.behind, fast_forward: o.fastForwarded, merged: o.merged },
      ];
    case 'pushed':
      return [
        ...(o.pulled ? gitEvents(o.pulled) : []),
        { type: 'git/pushed', sha: o.sha },
      ];
    case 'rejected':
      return [{ type: 'git/failed', step: 'push', code: 'rejected', error: `push rejected (${o.reason}): fetching, merging and retrying` }];
    case 'waiting':
      return [{ type: 'git/waiting', step: o.step, reason: o.reason }];
    case 'disabled':
      return [{ type: 'git/disabled', reason: o.reason }];
    case 'failed':
      return [{ type: 'git/failed', step: o.step, code: o.code, error: o.error, ...(o.retry_at ? { retry_at: o.retry_at } : {}) }];
    case 'skipped':
      return [];
  }
}

/** `git/failed` for an effect that errored, with when the next attempt will run. */
export function gitFailedEvent(err: unknown, step: GitStep, retryAt?: Date): GitEvent {
  const e = err instanceof GitStepError ? err : null;
  return {
    type: 'git/failed',
    step: e?.step ?? step,
    code: e?.code ?? 'error',
    error: err instanceof Error ? err.message : String(err),
    ...(retryAt ? { retry_at: retryAt.toISOString() } : {}),
  };
}

/**
 * `git/waiting` and `git/disabled` are logged once: the same one again (every interval, while
 * a rebase lasts or a clone has no remote) is dropped until something else happened.
 */
export function onceWhileUnchanged(): MonoTypeOperatorFunction<GitEvent> {
  let last: string | null = null;
  return filter((e) => {
    const key = e.type === 'git/waiting' || e.type === 'git/disabled' ? JSON.stringify(e) : null;
    const repeat = key !== null && key === last;
    last = key;
    return !repeat;
  });
}

/** What `daemon status` shows of git, folded from the events. */
export interface GitStatus {
  last_commit: { sha: string; at: string } | null;
  last_push: { sha: string; at: string } | null;
  ahead: number | null;
  behind: number | null;
  state: 'idle' | 'waiting' | 'disabled' | 'failing';
  reason: string | null;
  last_error: { step: GitStep; error: string; at: string; retry_at?: string } | null;
}

export const INITIAL_GIT_STATUS: GitStatus = { last_commit: null, last_push: null, ahead: null, behind: null, state: 'idle', reason: null, last_error: null };

export function foldGitStatus(s: GitStatus, e: GitEvent, at: string): GitStatus {
  switch (e.type) {
    case 'git/committed':
      return { ...s, last_commit: { sha: e.sha, at }, state: 'idle', reason: null, ahead: s.ahead === null ? null : s.ahead + 1 };
    case 'git/pulled':
      return { ...s, ahead: e.fast_forward ? 0 : e.ahead + 1, behind: 0, state: 'idle', reason: null };
    case 'git/pushed':
      return { ...s, last_push: { sha: e.sha, at }, ahead: 0, behind: 0, state: 'idle', reason: null };
    case 'git/waiting':
      return { ...s, state: 'waiting', reason: e.reason };
    case 'git/disabled':
      return { ...s, state: 'disabled', reason: e.reason };
    case 'git/failed':
      return { ...s, state: 'failing', reason: e.code, last_error: { step: e.step, error: e.error, at, ...(e.retry_at ? { retry_at: e.retry_at } : {}) } };
  }
}
