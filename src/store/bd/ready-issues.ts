import type { IssueRecord } from '../../jsonl/parse-jsonl';
import type { BeadsStore } from '../beads-store';
import { ValidationError } from '../store-errors';
import { withCounts } from './bd-shapes';
import { checkKnownArgs } from './issue-filter';

/** rpc.ReadyArgs. */
const READY_KEYS = ['status', 'assignee', 'unassigned', 'priority', 'type', 'limit', 'sort_policy', 'labels', 'labels_any',
  'parent_id', 'mol_type', 'include_deferred'];
/** Types that are not work to pick up (bd's ready leaves them out unless `type` asks for one). */
const NOT_WORK = ['merge-request', 'gate', 'molecule', 'message', 'agent', 'role', 'rig'];
const SORT_POLICIES = ['hybrid', 'priority', 'oldest'];

const field = (name: string) => `json_extract(i.line, '$.${name}')`;

/**
 * Blocked issues, transitively: an open `blocks` blocker, or a parent (parent-child) that is
 * itself blocked. A recursive CTE, so a deep hierarchy costs one query.
 */
const BLOCKED_CTE = `WITH RECURSIVE blocked(id) AS (
  SELECT d.issue_id FROM dependencies d JOIN issues b ON b.id = d.depends_on_id
    WHERE d.type = 'blocks' AND b.status NOT IN ('closed', 'tombstone')
  UNION
  SELECT d.issue_id FROM dependencies d JOIN blocked p ON p.id = d.depends_on_id WHERE d.type = 'parent-child'
)`;

/** Descendants of a parent through parent-child links. */
const DESCENDANTS_CTE = `, descendants(id) AS (
  SELECT issue_id FROM dependencies WHERE type = 'parent-child' AND depends_on_id = ?
  UNION
  SELECT d.issue_id FROM dependencies d JOIN descendants p ON p.id = d.depends_on_id WHERE d.type = 'parent-child'
)`;

/**
 * bd's ready work: unblocked, not pinned or ephemeral, not deferred to the future, in the
 * requested order. `status` empty = open and in_progress (the CLI asks for open only).
 * Hybrid: issues created in the last 48 h first by priority, then older ones oldest first.
 */
export function readyIssues(store: BeadsStore, args: Record<string, unknown>): IssueRecord[] {
  checkKnownArgs('ready', args, READY_KEYS);
  const sort = args.sort_policy === undefined || args.sort_policy === '' ? 'hybrid' : String(args.sort_policy);
  if (!SORT_POLICIES.includes(sort)) {
    throw new ValidationError(`sort_policy "${sort}" is not one of ${SORT_POLICIES.join(', ')}`);
  }
  const where: string[] = ['i.id NOT IN (SELECT id FROM blocked)'];
  const params: unknown[] = [];
  const add = (sql: string, ...p: unknown[]) => {
    where.push(sql);
    params.push(...p);
  };
  if (args.status) add('i.status = ?', args.status);
  else where.push(`i.status IN ('open', 'in_progress')`);
  where.push(`coalesce(${field('pinned')}, 0) = 0`, `coalesce(${field('ephemeral')}, 0) = 0`);
  where.push(`i.id NOT LIKE '%-mol-%'`, `i.id NOT LIKE '%-wisp-%'`);
  if (args.type) add('i.issue_type = ?', args.type);
  else where.push(`coalesce(i.issue_type, '') NOT IN (${NOT_WORK.map((t) => `'${t}'`).join(',')})`);
  if (args.include_deferred !== true) {
    add(`(${field('defer_until')} IS NULL OR julianday(${field('defer_until')}) <= julianday(?))`, new Date().toISOString());
  }
  if (args.assignee) add('i.assignee = ?', args.assignee);
  if (args.unassigned === true) where.push(`coalesce(i.assignee, '') = ''`);
  if (args.priority !== undefined && args.priority !== null) {
    if (!Number.isInteger(args.priority)) throw new ValidationError(`priority must be an integer 0-4, got ${JSON.stringify(args.priority)}`);
    add('i.priority = ?', args.priority);
  }
  const labels = Array.isArray(args.labels) ? (args.labels as string[]) : [];
  for (const l of labels) add('EXISTS (SELECT 1 FROM labels l WHERE l.issue_id = i.id AND l.label = ?)', l);
  const any = Array.isArray(args.labels_any) ? (args.labels_any as string[]) : [];
  if (any.length) add(`EXISTS (SELECT 1 FROM labels l WHERE l.issue_id = i.id AND l.label IN (${any.map(() => '?').join(',')}))`, ...any);
  if (args.mol_type) add(`coalesce(${field('mol_type')}, 'work') = ?`, args.mol_type);
  let cte = BLOCKED_CTE;
  const cteParams: unknown[] = [];
  if (args.parent_id) {
    cte += DESCENDANTS_CTE;
    cteParams.push(args.parent_id);
    where.push('i.id IN (SELECT id FROM descendants)');
  }
  const recent = new Date(Date.now() - 48 * 3_600_000).toISOString();
  const order =
    sort === 'priority'
      ? 'i.priority ASC, i.created_at ASC, i.id ASC'
      : sort === 'oldest'
        ? 'i.created_at ASC, i.id ASC'
        : `CASE WHEN julianday(i.created_at) >= julianday('${recent}') THEN 0 ELSE 1 END,
           CASE WHEN julianday(i.created_at) >= julianday('${recent}') THEN i.priority ELSE 0 END,
           i.created_at ASC, i.id ASC`;
  let sql = `${cte} SELECT i.line AS line FROM issues i WHERE ${where.join(' AND ')} ORDER BY ${order}`;
  const limit = args.limit === undefined || args.limit === null ? 0 : Number(args.limit);
  if (!Number.isInteger(limit) || limit < 0) throw new ValidationError(`limit must be a whole number ≥ 0, got ${JSON.stringify(args.limit)}`);
  if (limit > 0) sql += ` LIMIT ${limit}`;
  const records = store.compatSql
    .prepare<unknown[], { line: string }>(sql)
    .all(...cteParams, ...params)
    .map((r) => JSON.parse(r.line) as IssueRecord);
  return withCounts(store, records);
}
