import type { IssueRecord } from '../jsonl/parse-jsonl';
import type { Comment } from './issue-record';
import type { EditableValues } from './issue-rules';

/** A write that went through the store (the daemon's `mutation$` is built from these). */
export interface StoreMutation {
  op: string;
  id: string;
  at: number;
}

export interface CreateInput extends EditableValues {
  title: string;
  issue_type?: string;
  labels?: string[];
  /** "type:id" or "id" (blocks). */
  dependencies?: string[];
  id?: string;
}

export interface UpdateInput extends EditableValues {
  title?: string;
  status?: string;
  add_labels?: string[];
  remove_labels?: string[];
  set_labels?: string[];
}

export interface ListFilter {
  status?: string;
  priority?: number;
  issue_type?: string;
  assignee?: string;
  /** All of these labels. */
  labels?: string[];
  /** Any of these labels. */
  labels_any?: string[];
  ids?: string[];
  /** Substring of title or id. */
  query?: string;
  limit?: number;
}

export interface ReadyFilter {
  assignee?: string;
  priority?: number;
  limit?: number;
}

export interface IssueSummary {
  id: string;
  title: unknown;
  status: unknown;
  priority: unknown;
  issue_type: unknown;
  dependency_type: string;
}

export interface IssueDetails extends IssueRecord {
  labels: string[];
  dependencies: IssueSummary[];
  dependents: IssueSummary[];
  comments: Comment[];
}

export type BlockedIssue = IssueRecord & { blocked_by_count: number; blocked_by: string[] };

export interface Stats {
  total_issues: number;
  open_issues: number;
  in_progress_issues: number;
  blocked_issues: number;
  closed_issues: number;
  ready_issues: number;
  deferred_issues: number;
  tombstone_issues: number;
}

/** How one job of a `batch` ended. */
export type BatchOutcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export interface WriteFlags {
  dirty: boolean;
  synced: boolean;
}

/** An issue's row as stored: its exact JSONL line and its sync bookkeeping. */
export interface IssueRow {
  id: string;
  line: string;
  dirty: number;
  synced: number;
  updated_at: string | null;
}

/** An issue row's sync state alone (what the import's deletion rule reads). */
export interface SyncState {
  id: string;
  dirty: number;
  synced: number;
}
