import type { IssueRecord } from '../jsonl/parse-jsonl';
import { ALWAYS_WRITTEN_FIELDS, ISSUE_FIELDS } from './issue-rules';

export interface Dependency {
  issue_id: string;
  depends_on_id: string;
  type: string;
  created_at?: string;
  created_by?: string;
  [extra: string]: unknown;
}

export interface Comment {
  id: number;
  issue_id: string;
  author: string;
  text: string;
  created_at: string;
}

function isEmpty(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    value === '' ||
    (Array.isArray(value) && value.length === 0)
  );
}

/** A fresh record in bd's key order, empty optional fields omitted. */
export function freshRecord(fields: Record<string, unknown> & { id: string }): IssueRecord {
  const out: Record<string, unknown> = {};
  for (const key of ISSUE_FIELDS) {
    const v = fields[key];
    if (ALWAYS_WRITTEN_FIELDS.has(key) ? v !== undefined : !isEmpty(v)) out[key] = v;
  }
  for (const [key, v] of Object.entries(fields)) {
    if (!(key in out) && !isEmpty(v)) out[key] = v;
  }
  return out as IssueRecord;
}

/**
 * Applies changes to an existing record, keeping its key order: changed keys stay where they
 * are, new keys are appended, optional keys set to empty are removed (as bd omits them).
 */
export function patchRecord(record: IssueRecord, changes: Record<string, unknown>): IssueRecord {
  const out: Record<string, unknown> = { ...record };
  for (const [key, v] of Object.entries(changes)) {
    if (v === undefined) continue;
    if (!ALWAYS_WRITTEN_FIELDS.has(key) && isEmpty(v)) delete out[key];
    else out[key] = v;
  }
  return out as IssueRecord;
}

export function recordLabels(record: IssueRecord): string[] {
  const labels = record.labels;
  return Array.isArray(labels) ? labels.filter((l): l is string => typeof l === 'string') : [];
}

export function recordDependencies(record: IssueRecord): Dependency[] {
  const deps = record.dependencies;
  if (!Array.isArray(deps)) return [];
  return deps.filter(
    (d): d is Dependency =>
      d !== null && typeof d === 'object' && typeof (d as Dependency).depends_on_id === 'string',
  );
}

export function recordComments(record: IssueRecord): Comment[] {
  const c = record.comments;
  return Array.isArray(c) ? (c as Comment[]) : [];
}
