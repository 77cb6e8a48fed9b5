import type { GitBusyReason } from '../git-busy';

/** A step of git sync, as `git/failed {step}` names it. */
export type GitStep = 'commit' | 'fetch' | 'merge' | 'import' | 'push';

/** What the merge of the remote JSONL did (the counts of `MergeReport`). */
export interface PullMerge {
  merged: number;
  kept_over_delete: string[];
  resolved_by_time: number;
  deleted: number;
}

/**
 * `run_ms`: what the whole run of the git row cost, from its start to its outcome (stamped by
 * `gitEffect`; the effects themselves leave it out). The pipeline's git leads follow it: a
 * clean push's cost moves the export ahead of its deadline, a pull's or an idle fetch's
 * shortens the remote-sync period (see src/pipeline/git-leads.ts).
 */
export interface RunCost {
  run_ms?: number;
}

/**
 * What a git effect reports to the pipeline; each maps to one `git/*` event. `rejected` asks
 * the pipeline for a retry (backoff: `pushRetryDelayMs`); `waiting` for one once git is idle.
 */
export type GitOutcome =
  | ({ kind: 'committed'; sha: string; issues: number } & RunCost)
  /** `ms`: from the fetch to the end of the import (what the tick that brought it in cost). */
  | ({ kind: 'pulled'; ahead: number; behind: number; fastForwarded: boolean; merged: PullMerge | null; committed?: { sha: string; issues: number }; ms?: number } & RunCost)
  | ({ kind: 'pushed'; sha: string; pulled: Extract<GitOutcome, { kind: 'pulled' }> | null } & RunCost)
  | { kind: 'rejected'; step: 'push'; reason: string }
  | ({ kind: 'skipped'; step: GitStep; reason: 'no change' | 'up to date' | 'nothing to push' | 'jsonl not imported yet' } & RunCost)
  | { kind: 'waiting'; step: GitStep; reason: GitBusyReason | 'diverged' | 'jsonl not imported yet' }
  | { kind: 'disabled'; reason: string }
  /** A step failed (as an outcome, so the event carries the step): `git/failed {step, code, error, retry_at?}`. */
  | { kind: 'failed'; step: GitStep; code: string; error: string; retry_at?: string };

/** A step failed; the daemon logs `git/failed {step, code, error}` and retries at the next trigger. */
export class GitStepError extends Error {
  constructor(
    readonly step: GitStep,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'GitStepError';
  }
}
