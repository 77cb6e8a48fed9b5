import type { IssueRecord } from '../../jsonl/parse-jsonl';
import type { BeadsStore } from '../beads-store';
import { plainIssue } from './bd-shapes';
import { checkKnownArgs } from './issue-filter';

/**
 * bd's `blocked`: issues not closed with an open `blocks` blocker, and every issue whose status is
 * `blocked` or `deferred`, as BlockedIssue (priority first); `parent_id` keeps descendants only.
 */
export function blockedIssues(store: BeadsStore, args: Record<string, unknown>): Array<IssueRecord & { blocked_by_count: number; blocked_by: string[] }> {
  checkKnownArgs('blocked', args, ['parent_id']);
  const params: unknown[] = [];
  let scope = '';
  if (typeof args.parent_id === 'string' && args.parent_id !== '') {
    scope = `AND i.id IN (WITH RECURSIVE descendants(id) AS (
        SELECT issue_id FROM dependencies WHERE type = 'parent-child' AND depends_on_id = ?
        UNION SELECT d.issue_id FROM dependencies d JOIN descendants p ON p.id = d.depends_on_id WHERE d.type = 'parent-child')
      SELECT id FROM descendants)`;
    params.push(args.parent_id);
  }
  const rows = store.compatSql
    .prepare<unknown[], { line: string; blockers: string | null }>(
      `SELECT i.line AS line, (SELECT group_concat(b.id, char(31)) FROM dependencies d JOIN issues b ON b.id = d.depends_on_id
          WHERE d.issue_id = i.id AND d.type = 'blocks' AND b.status NOT IN ('closed', 'tombstone')) AS blockers
       FROM issues i WHERE i.status NOT IN ('closed', 'tombstone') ${scope}
       AND (i.status IN ('blocked', 'deferred') OR EXISTS (SELECT 1 FROM dependencies d JOIN issues b ON b.id = d.depends_on_id
          WHERE d.issue_id = i.id AND d.type = 'blocks' AND b.status NOT IN ('closed', 'tombstone')))
       ORDER BY i.priority, i.created_at, i.id`,
    )
    .all(...params);
  return rows.map((r) => {
    const blockedBy = r.blockers ? r.blockers.split('\u001f').sort() : [];
    const { labels, ...issue } = plainIssue(JSON.parse(r.line) as IssueRecord);
    void labels;
    return { ...(issue as IssueRecord), blocked_by_count: blockedBy.length, blocked_by: blockedBy };
  });
}
