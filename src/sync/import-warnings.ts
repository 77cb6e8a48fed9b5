import type { IssueRecord } from '../jsonl/parse-jsonl';
import { toEpochMs } from '../jsonl/rfc3339';
import { isIssueStatus, isIssueType, isPriority } from '../store/issue-rules';

export interface ImportWarnings {
  /** Records whose status is outside the usual set (kept as they are). */
  unknown_status: number;
  unknown_type: number;
  /** Priority missing, not an integer, or outside the range (`PRIORITY`, 0–4). */
  unusual_priority: number;
  /**
   * Records with a timestamp more than a day ahead of this machine's clock (a skewed clock
   * elsewhere). Kept; a local edit of one is stamped after it, so it still wins.
   */
  future_timestamp: number;
  /** Records with a timestamp that is not a valid RFC 3339 instant (`2026-13-45T99:99:99Z`): kept, but it counts as older than any valid one. */
  bad_timestamp: number;
}

export function noWarnings(): ImportWarnings {
  return { unknown_status: 0, unknown_type: 0, unusual_priority: 0, future_timestamp: 0, bad_timestamp: 0 };
}

/** Adds `more` to `to`. */
export function addWarnings(to: ImportWarnings, more: ImportWarnings): void {
  to.unknown_status += more.unknown_status;
  to.unknown_type += more.unknown_type;
  to.unusual_priority += more.unusual_priority;
  to.future_timestamp += more.future_timestamp;
  to.bad_timestamp += more.bad_timestamp;
}

/** How far ahead of the local clock a timestamp may be before the import warns about it. */
const FUTURE_SLACK_MS = 24 * 3600 * 1000;
const TIMESTAMP_FIELDS = ['created_at', 'updated_at', 'closed_at'] as const;

/** The latest plausible time (ms) for an import starting now: later stamps are `future_timestamp`. */
export function futureHorizon(): number {
  return Date.now() + FUTURE_SLACK_MS;
}

/** Adds `record`'s findings to the warnings; `horizon` is {@link futureHorizon} at the import's start. */
export function countWarnings(record: IssueRecord, w: ImportWarnings, horizon: number): void {
  if (!isIssueStatus(record.status)) w.unknown_status++;
  if (!isIssueType(record.issue_type)) w.unknown_type++;
  if (!isPriority(record.priority)) w.unusual_priority++;
  let bad = false;
  let future = false;
  for (const field of TIMESTAMP_FIELDS) {
    const value = (record as Record<string, unknown>)[field];
    // bd writes an unset closed_at as absent; an empty string means the same.
    if (value === undefined || value === null || value === '') continue;
    const ms = toEpochMs(value);
    if (ms === null) bad = true;
    else if (ms > horizon) future = true;
  }
  if (bad) w.bad_timestamp++;
  if (future) w.future_timestamp++;
}
