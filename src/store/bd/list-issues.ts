import type { IssueRecord } from '../../jsonl/parse-jsonl';
import type { BeadsStore } from '../beads-store';
import { ValidationError } from '../store-errors';
import { plainIssue, withCounts } from './bd-shapes';
import { checkKnownArgs, FILTER_KEYS, filterSql, orderSql } from './issue-filter';

function select(store: BeadsStore, where: string[], params: unknown[], order: string, limit?: number): IssueRecord[] {
  let sql = 'SELECT i.line AS line FROM issues i';
  if (where.length) sql += ` WHERE ${where.join(' AND ')}`;
  sql += ` ORDER BY ${order}`;
  if (limit !== undefined && limit > 0) {
    sql += ' LIMIT ?';
    params = [...params, limit];
  }
  return store.compatSql
    .prepare<unknown[], { line: string }>(sql)
    .all(...params)
    .map((r) => JSON.parse(r.line) as IssueRecord);
}

function limitOf(args: Record<string, unknown>): number | undefined {
  if (args.limit === undefined || args.limit === null) return undefined;
  const n = Number(args.limit);
  if (!Number.isInteger(n) || n < 0) throw new ValidationError(`limit must be a whole number ≥ 0 (0 = no limit), got ${JSON.stringify(args.limit)}`);
  return n;
}

/** `list` (and `search`): bd's filters, IssueWithCounts with labels and dependency records. */
export function listIssues(store: BeadsStore, args: Record<string, unknown>, operation = 'list'): IssueRecord[] {
  checkKnownArgs(operation, args, FILTER_KEYS);
  const { where, params } = filterSql(args);
  return withCounts(store, select(store, where, params, orderSql(args), limitOf(args)));
}

const COUNT_KEYS = [...FILTER_KEYS.filter((k) => k !== 'limit' && k !== 'sort' && k !== 'reverse'), 'group_by'];
const GROUPS: Record<string, string> = {
  status: `coalesce(i.status, 'open')`,
  priority: `'P' || i.priority`,
  type: `coalesce(i.issue_type, 'task')`,
  assignee: `CASE WHEN coalesce(i.assignee, '') = '' THEN '(unassigned)' ELSE i.assignee END`,
};

/** `count`: `{count}`, or `{total, groups}` by status, priority, type, assignee or label. */
export function countIssues(store: BeadsStore, args: Record<string, unknown>): { count: number } | { total: number; groups: Array<{ group: string; count: number }> } {
  checkKnownArgs('count', args, COUNT_KEYS);
  const { group_by: groupBy, ...filter } = args;
  const { where, params } = filterSql(filter);
  const whereSql = where.length ? ` WHERE ${where.join(' AND ')}` : '';
  const total = (store.compatSql.prepare(`SELECT count(*) AS n FROM issues i${whereSql}`).get(...params) as { n: number }).n;
  if (groupBy === undefined || groupBy === '') return { count: total };
  let sql: string;
  if (groupBy === 'label') {
    // An issue counts once per label it has; one without labels under "(no labels)".
    sql = `SELECT coalesce(l.label, '(no labels)') AS grp, count(*) AS n FROM issues i
      LEFT JOIN labels l ON l.issue_id = i.id${whereSql} GROUP BY grp ORDER BY grp`;
  } else {
    const expr = GROUPS[String(groupBy)];
    if (!expr) throw new ValidationError(`group_by "${String(groupBy)}" is not one of status, priority, type, assignee, label`);
    sql = `SELECT ${expr} AS grp, count(*) AS n FROM issues i${whereSql} GROUP BY grp ORDER BY grp`;
  }
  const groups = store.compatSql
    .prepare(sql)
    .all(...params)
    .map((r) => ({ group: String((r as { grp: unknown }).grp), count: (r as { n: number }).n }));
  return { total, groups };
}

const STALE_STATUSES = ['open', 'in_progress', 'blocked', 'deferred'];

/** `stale`: issues not closed whose last update is more than `days` (30) days ago, oldest first. */
export function staleIssues(store: BeadsStore, args: Record<string, unknown>): IssueRecord[] {
  checkKnownArgs('stale', args, ['days', 'status', 'limit']);
  const days = args.days === undefined || args.days === null ? 30 : Number(args.days);
  if (!Number.isInteger(days) || days < 0) throw new ValidationError(`days must be a whole number ≥ 0, got ${JSON.stringify(args.days)}`);
  const where = [`i.status NOT IN ('closed', 'tombstone')`, 'julianday(i.updated_at) < julianday(?)'];
  const params: unknown[] = [new Date(Date.now() - days * 86_400_000).toISOString()];
  if (args.status) {
    if (!STALE_STATUSES.includes(String(args.status))) {
      throw new ValidationError(`status "${String(args.status)}" is not one of ${STALE_STATUSES.join(', ')}`);
    }
    where.push('i.status = ?');
    params.push(args.status);
  }
  const limit = limitOf(args) ?? 50;
  return select(store, where, params, 'i.updated_at ASC, i.id ASC', limit).map(plainIssue);
}
