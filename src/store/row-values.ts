import type { IssueRecord } from '../jsonl/parse-jsonl';
import { recordDependencies, recordLabels } from './issue-record';
import { DEFAULT_DEPENDENCY_TYPE } from './issue-rules';

/**
 * What an issue's row stores beside its id and line, derived from its record: the columns in
 * the INSERT's order (title, status, priority, issue_type, assignee, created_at, updated_at).
 * One definition for the row-by-row write (`IssueRows.write`) and the bulk load, whose records
 * are parsed on another thread (preparse.ts): the two must store the same values.
 */
export type RowColumns = [string | null, string | null, number | null, string | null, string | null, string | null, string | null];

/** How many values {@link rowColumns} gives. */
export const ROW_COLUMNS = 7;

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

export function rowColumns(record: IssueRecord): RowColumns {
  const priority = record.priority;
  return [
    str(record.title),
    str(record.status),
    typeof priority === 'number' && Number.isFinite(priority) ? priority : null,
    str(record.issue_type),
    str(record.assignee),
    str(record.created_at),
    str(record.updated_at),
  ];
}

/** The record's dependency rows as `[depends_on_id, type]`, the type defaulted as bd does. */
export function rowDependencies(record: IssueRecord): Array<[string, string]> {
  return recordDependencies(record).map((d) => [d.depends_on_id, typeof d.type === 'string' ? d.type : DEFAULT_DEPENDENCY_TYPE]);
}

/** The record's label rows. */
export const rowLabels = recordLabels;
