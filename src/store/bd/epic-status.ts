import type { IssueRecord } from '../../jsonl/parse-jsonl';
import type { BeadsStore } from '../beads-store';
import { plainIssue } from './bd-shapes';

/** bd's `types.EpicStatus`. */
export interface EpicStatus {
  epic: IssueRecord;
  total_children: number;
  closed_children: number;
  eligible_for_close: boolean;
}

/**
 * Every epic not closed, with its children (issues with a `parent-child` dependency on it):
 * eligible to close when it has at least one child and all of them are closed. Priority, then
 * creation order, as bd lists them.
 */
export function epicStatuses(store: BeadsStore, opts: { eligibleOnly?: boolean } = {}): EpicStatus[] {
  const rows = store.compatSql
    .prepare<[], { line: string; total: number; closed: number }>(
      `SELECT e.line AS line,
         (SELECT count(*) FROM dependencies d JOIN issues c ON c.id = d.issue_id
            WHERE d.depends_on_id = e.id AND d.type = 'parent-child' AND c.status != 'tombstone') AS total,
         (SELECT count(*) FROM dependencies d JOIN issues c ON c.id = d.issue_id
            WHERE d.depends_on_id = e.id AND d.type = 'parent-child' AND c.status = 'closed') AS closed
       FROM issues e WHERE e.issue_type = 'epic' AND e.status NOT IN ('closed', 'tombstone')
       ORDER BY e.priority, e.created_at, e.id`,
    )
    .all();
  const out = rows.map((r) => ({
    epic: plainIssue(JSON.parse(r.line) as IssueRecord),
    total_children: r.total,
    closed_children: r.closed,
    eligible_for_close: r.total > 0 && r.total === r.closed,
  }));
  return opts.eligibleOnly ? out.filter((e) => e.eligible_for_close) : out;
}
