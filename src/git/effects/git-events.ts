import { filter, type MonoTypeOperatorFunction } from 'rxjs';
import type { EffectEventOfKind } from '../../pipeline/effect-kinds';
import type { GIT_EFFECT_KIND } from './git-effect-kind';
import type { GitStep } from './git-outcome';

/** The events of the lane's git row: `git/<outcome kind>` with the outcome's fields, or `git/failed`. */
export type GitEvent = EffectEventOfKind<{ git: typeof GIT_EFFECT_KIND }, 'git'>;

/**
 * `git/waiting` and `git/disabled` are logged once: the same one again (every interval, while
 * a rebase lasts or a clone has no remote) is dropped until something else happened.
 */
export function onceWhileUnchanged<E extends { type: string }>(): MonoTypeOperatorFunction<E> {
  let last: string | null = null;
  return filter((e) => {
    if (!e.type.startsWith('git/')) return true;
    const { batched: _batched, ...rest } = e as E & { batched?: number };
    const key = e.type === 'git/waiting' || e.type === 'git/disabled' ? JSON.stringify(rest) : null;
    const repeat = key !== null && key === last;
    last = key;
    return !repeat;
  });
}

/** What `daemon status` shows of git, folded from the git row's events. */
export interface GitStatus {
  last_commit: { sha: string; at: string } | null;
  last_push: { sha: string; at: string } | null;
  /** Ahead/behind the upstream as last seen (after a pull or push). */
  ahead: number | null;
  behind: number | null;
  state: 'idle' | 'waiting' | 'disabled' | 'failing';
  reason: string | null;
  last_error: { step: GitStep | string; error: string; at: string; retry_at?: string } | null;
}

export const INITIAL_GIT_STATUS: GitStatus = { last_commit: null, last_push: null, ahead: null, behind: null, state: 'idle', reason: null, last_error: null };

export function foldGitStatus(s: GitStatus, e: GitEvent, at: string): GitStatus {
  switch (e.type) {
    case 'git/committed':
      return { ...s, last_commit: { sha: e.sha, at }, state: 'idle', reason: null };
    case 'git/pulled':
      return { ...s, ...(e.committed ? { last_commit: { sha: e.committed.sha, at } } : {}), ahead: e.fastForwarded ? 0 : e.ahead + 1, behind: 0, state: 'idle', reason: null };
    case 'git/pushed':
      return { ...s, last_push: { sha: e.sha, at }, ahead: 0, behind: 0, state: 'idle', reason: null };
    case 'git/rejected':
      return { ...s, state: 'failing', reason: 'rejected', last_error: { step: 'push', error: `push rejected: ${e.reason}`, at } };
    case 'git/waiting':
      return { ...s, state: 'waiting', reason: e.reason };
    case 'git/disabled':
      return { ...s, state: 'disabled', reason: e.reason };
    case 'git/failed': {
      const step = 'step' in e ? e.step : 'git';
      const retry = 'retry_at' in e && e.retry_at ? { retry_at: e.retry_at } : {};
      return { ...s, state: 'failing', reason: e.code, last_error: { step, error: e.error, at, ...retry } };
    }
    case 'git/skipped':
      return s;
  }
}
