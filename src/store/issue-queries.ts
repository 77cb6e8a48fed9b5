import type Database from 'better-sqlite3';
import type { IssueRecord } from '../jsonl/parse-jsonl';
import { recordComments, recordLabels } from './issue-record';
import type { IssueRows } from './issue-rows';
import { IssueNotFoundError } from './store-errors';
import type { BlockedIssue, IssueDetails, IssueSummary, ListFilter, ReadyFilter, Stats } from './store-types';

const OPEN_BLOCKER = `b.status NOT IN ('closed', 'tombstone')`;
/** `i` is ready: open, with no open `blocks` dependency (shared by ready() and stats()). */
const READY = `i.status = 'open' AND NOT EXISTS (SELECT 1 FROM dependencies d JOIN issues b ON b.id = d.depends_on_id
  WHERE d.issue_id = i.id AND d.type = 'blocks' AND ${OPEN_BLOCKER})`;
/** `i` is blocked: not closed, with an open `blocks` dependency (shared by blocked() and stats()). */
const BLOCKED = `i.status NOT IN ('closed', 'tombstone') AND EXISTS (SELECT 1 FROM dependencies d
  JOIN issues b ON b.id = d.depends_on_id WHERE d.issue_id = i.id AND d.type = 'blocks' AND ${OPEN_BLOCKER})`;

const parse = (line: string): IssueRecord => JSON.parse(line) as IssueRecord;

/** The read side: lookups, filtered lists, the dependency graph, counts. */
export class IssueQueries {
  constructor(
    private readonly db: Database.Database,
    private readonly rows: IssueRows,
  ) {}

  get(id: string): IssueRecord | null {
    const row = this.rows.get(id);
    return row ? parse(row.line) : null;
  }

  require(id: string): IssueRecord {
    const rec = this.get(id);
    if (!rec) throw new IssueNotFoundError(id);
    return rec;
  }

  list(filter: ListFilter): IssueRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    const equal = (column: string, value: unknown) => {
      where.push(`i.${column} = ?`);
      params.push(value);
    };
    if (filter.status) equal('status', filter.status);
    else where.push(`(i.status IS NULL OR i.status != 'tombstone')`);
    if (filter.priority !== undefined) equal('priority', filter.priority);
    if (filter.issue_type) equal('issue_type', filter.issue_type);
    if (filter.assignee) equal('assignee', filter.assignee);
    for (const label of filter.labels ?? []) {
      where.push('EXISTS (SELECT 1 FROM labels l WHERE l.issue_id = i.id AND l.label = ?)');
      params.push(label);
    }
    if (filter.labels_any && filter.labels_any.length > 0) {
      where.push(`EXISTS (SELECT 1 FROM labels l WHERE l.issue_id = i.id AND l.label IN (${marks(filter.labels_any)}))`);
      params.push(...filter.labels_any);
    }
    if (filter.ids && filter.ids.length > 0) {
      where.push(`i.id IN (${marks(filter.ids)})`);
      params.push(...filter.ids);
    }
    if (filter.query) {
      where.push(`(instr(lower(i.title), lower(?)) > 0 OR instr(lower(i.id), lower(?)) > 0)`);
      params.push(filter.query, filter.query);
    }
    return this.selectRecords(where, params, filter.limit);
  }

  /** Open issues with no open `blocks` dependency. */
  ready(filter: ReadyFilter): IssueRecord[] {
    const where = [READY];
    const params: unknown[] = [];
    if (filter.assignee) {
      where.push('i.assignee = ?');
      params.push(filter.assignee);
    }
    if (filter.priority !== undefined) {
      where.push('i.priority = ?');
      params.push(filter.priority);
    }
    return this.selectRecords(where, params, filter.limit);
  }

  /** Not-closed issues waiting on at least one open `blocks` dependency, with their blockers. */
  blocked(): BlockedIssue[] {
    const rows = this.db
      .prepare<[], { line: string; blockers: string }>(
        `SELECT i.line AS line, group_concat(b.id, char(31)) AS blockers
         FROM issues i JOIN dependencies d ON d.issue_id = i.id AND d.type = 'blocks'
         JOIN issues b ON b.id = d.depends_on_id AND ${OPEN_BLOCKER}
         WHERE i.status NOT IN ('closed', 'tombstone')
         GROUP BY i.id ORDER BY i.priority, i.created_at, i.id`,
      )
      .all();
    return rows.map((r) => {
      const blockedBy = r.blockers.split('\u001f').sort();
      return { ...parse(r.line), blocked_by_count: blockedBy.length, blocked_by: blockedBy };
    });
  }

  show(id: string): IssueDetails {
    const rec = this.require(id);
    const summaries = (sql: string): IssueSummary[] =>
      this.db
        .prepare<[string], { line: string; dependency_type: string }>(sql)
        .all(id)
        .map((r) => {
          const o = parse(r.line);
          return {
            id: o.id,
            title: o.title,
            status: o.status,
            priority: o.priority,
            issue_type: o.issue_type,
            dependency_type: r.dependency_type,
          };
        });
    return {
      ...rec,
      labels: recordLabels(rec),
      dependencies: summaries(
        `SELECT t.line AS line, d.type AS dependency_type FROM dependencies d
         JOIN issues t ON t.id = d.depends_on_id WHERE d.issue_id = ? ORDER BY t.id`,
      ),
      dependents: summaries(
        `SELECT s.line AS line, d.type AS dependency_type FROM dependencies d
         JOIN issues s ON s.id = d.issue_id WHERE d.depends_on_id = ? ORDER BY s.id`,
      ),
      comments: recordComments(rec),
    };
  }

  stats(): Stats {
    const counts = this.db
      .prepare<[], { status: string | null; n: number }>('SELECT status, count(*) AS n FROM issues GROUP BY status')
      .all();
    const by = (s: string) => counts.find((c) => c.status === s)?.n ?? 0;
    const total = counts.reduce((a, c) => a + c.n, 0) - by('tombstone');
    return {
      total_issues: total,
      open_issues: by('open'),
      in_progress_issues: by('in_progress'),
      blocked_issues: this.countWhere(BLOCKED),
      closed_issues: by('closed'),
      ready_issues: this.countWhere(READY),
      deferred_issues: by('deferred'),
      tombstone_issues: by('tombstone'),
    };
  }

  /** Ids of the issues with a dependency (of any type) on `id`. */
  dependentIds(id: string): string[] {
    return this.db
      .prepare<[string], string>('SELECT DISTINCT issue_id FROM dependencies WHERE depends_on_id = ?')
      .pluck()
      .all(id);
  }

  /** Is `to` reachable from `from` along `blocks` edges? */
  reachable(from: string, to: string): boolean {
    const row = this.db
      .prepare(
        `WITH RECURSIVE r(id) AS (SELECT ? UNION SELECT d.depends_on_id FROM dependencies d JOIN r ON d.issue_id = r.id
           WHERE d.type = 'blocks') SELECT 1 AS one FROM r WHERE id = ? LIMIT 1`,
      )
      .get(from, to);
    return row !== undefined;
  }

  private countWhere(condition: string): number {
    return this.db.prepare<[], number>(`SELECT count(*) FROM issues i WHERE ${condition}`).pluck().get() as number;
  }

  private selectRecords(where: string[], params: unknown[], limit?: number): IssueRecord[] {
    let sql = `SELECT i.line AS line FROM issues i`;
    if (where.length) sql += ` WHERE ${where.join(' AND ')}`;
    sql += ' ORDER BY i.priority, i.created_at, i.id';
    if (limit !== undefined && limit > 0) {
      sql += ' LIMIT ?';
      params = [...params, limit];
    }
    return this.db
      .prepare<unknown[], string>(sql)
      .pluck()
      .all(...params)
      .map(parse);
  }
}

function marks(values: unknown[]): string {
  return values.map(() => '?').join(',');
}
