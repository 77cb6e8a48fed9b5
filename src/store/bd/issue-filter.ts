import { ValidationError } from '../store-errors';

/**
 * bd's issue filter (rpc.ListArgs / rpc.CountArgs, types.IssueFilter) as SQL over the working
 * copy: indexed columns where the schema has them, `json_extract` over the stored line for the
 * rest. Shared by list, search and count, so a filter means the same everywhere.
 */

/** Every filter key bd's ListArgs define, plus bd-rx's `sort`/`reverse` (bd sorts in the CLI). */
export const FILTER_KEYS = [
  'query', 'status', 'priority', 'issue_type', 'assignee', 'label', 'labels', 'labels_any', 'label_pattern',
  'label_regex', 'ids', 'spec_id_prefix', 'limit', 'title', 'title_contains', 'description_contains', 'notes_contains',
  'created_after', 'created_before', 'updated_after', 'updated_before', 'closed_after', 'closed_before',
  'empty_description', 'no_assignee', 'no_labels', 'priority_min', 'priority_max', 'pinned', 'include_templates',
  'parent_id', 'ephemeral', 'mol_type', 'wisp_type', 'exclude_status', 'exclude_types', 'deferred', 'defer_after',
  'defer_before', 'due_after', 'due_before', 'overdue', 'allow_stale', 'sort', 'reverse',
] as const;

export class UnsupportedArgumentError extends ValidationError {
  constructor(operation: string, names: string[]) {
    super(
      `${operation} does not take ${names.map((n) => JSON.stringify(n)).join(', ')}: ` +
        'bd-rx refuses an argument it cannot honour rather than answer without it',
    );
    this.name = 'UnsupportedArgumentError';
  }
}

/** Refuses any key of `args` not in `known`, naming it. */
export function checkKnownArgs(operation: string, args: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(args).filter((k) => !known.includes(k) && args[k] !== undefined && args[k] !== null);
  if (unknown.length) throw new UnsupportedArgumentError(operation, unknown);
}

const field = (name: string) => `json_extract(i.line, '$.${name}')`;
const text = (name: string) => `coalesce(${field(name)}, '')`;

/** A date argument as bd takes it: RFC 3339, `YYYY-MM-DD` (local midnight) or `YYYY-MM-DD HH:MM:SS`. */
export function parseDateArg(name: string, value: unknown): string {
  const s = String(value).trim();
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  let ms: number;
  if (day) ms = new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3])).getTime();
  else if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(s)) ms = new Date(s.replace(' ', 'T')).getTime();
  else ms = Date.parse(s);
  if (!Number.isFinite(ms)) {
    throw new ValidationError(`${name} "${s}" is not a date: use YYYY-MM-DD or an RFC 3339 time like 2025-01-15T10:00:00Z`);
  }
  return new Date(ms).toISOString();
}

function intArg(name: string, v: unknown): number {
  const n = typeof v === 'string' ? Number(v.replace(/^[Pp]/, '')) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new ValidationError(`${name} must be an integer, got ${JSON.stringify(v)}`);
  return n;
}

const list = (v: unknown): string[] =>
  (Array.isArray(v) ? v : v === undefined || v === null || v === '' ? [] : [v]).map(String).filter((s) => s !== '');


/** The WHERE clause and parameters for a filter. Tombstones only when asked for by status. */
export function filterSql(args: Record<string, unknown>): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, ...p: unknown[]) => {
    where.push(sql);
    params.push(...p);
  };
  const status = typeof args.status === 'string' && args.status !== 'all' ? args.status : undefined;
  if (status) add('i.status = ?', status);
  else where.push(`(i.status IS NULL OR i.status != 'tombstone')`);
  for (const s of list(args.exclude_status)) add('coalesce(i.status, \'\') != ?', s);
  for (const t of list(args.exclude_types)) add('coalesce(i.issue_type, \'\') != ?', t);
  if (args.priority !== undefined && args.priority !== null) add('i.priority = ?', intArg('priority', args.priority));
  if (args.priority_min !== undefined && args.priority_min !== null) add('i.priority >= ?', intArg('priority_min', args.priority_min));
  if (args.priority_max !== undefined && args.priority_max !== null) add('i.priority <= ?', intArg('priority_max', args.priority_max));
  if (args.issue_type) add('i.issue_type = ?', args.issue_type);
  if (args.assignee) add('i.assignee = ?', args.assignee);
  if (args.no_assignee === true) where.push(`coalesce(i.assignee, '') = ''`);
  const all = [...list(args.label), ...list(args.labels)];
  for (const l of all) add('EXISTS (SELECT 1 FROM labels l WHERE l.issue_id = i.id AND l.label = ?)', l);
  const any = list(args.labels_any);
  if (any.length) add(`EXISTS (SELECT 1 FROM labels l WHERE l.issue_id = i.id AND l.label IN (${any.map(() => '?').join(',')}))`, ...any);
  if (args.label_pattern) add('EXISTS (SELECT 1 FROM labels l WHERE l.issue_id = i.id AND l.label GLOB ?)', args.label_pattern);
  if (args.label_regex) {
    try {
      new RegExp(String(args.label_regex));
    } catch (err) {
      throw new ValidationError(`label_regex ${JSON.stringify(args.label_regex)} is not a regular expression: ${(err as Error).message}`);
    }
    add('EXISTS (SELECT 1 FROM labels l WHERE l.issue_id = i.id AND bd_regexp(?, l.label))', args.label_regex);
  }
  if (args.no_labels === true) where.push('NOT EXISTS (SELECT 1 FROM labels l WHERE l.issue_id = i.id)');
  const ids = list(args.ids);
  if (ids.length) {
    if (ids.length > 1000) throw new ValidationError(`ids: at most 1000 ids per query, got ${ids.length}`);
    add(`i.id IN (${ids.map(() => '?').join(',')})`, ...ids);
  }
  if (args.spec_id_prefix) add(`substr(${text('spec_id')}, 1, length(?)) = ?`, args.spec_id_prefix, args.spec_id_prefix);
  if (args.query) {
    const q = String(args.query);
    add(`(instr(lower(coalesce(i.title, '')), lower(?)) > 0 OR instr(lower(${text('description')}), lower(?)) > 0 OR instr(lower(i.id), lower(?)) > 0)`, q, q, q);
  }
  if (args.title) add(`instr(lower(coalesce(i.title, '')), lower(?)) > 0`, args.title);
  if (args.title_contains) add(`instr(lower(coalesce(i.title, '')), lower(?)) > 0`, args.title_contains);
  if (args.description_contains) add(`instr(lower(${text('description')}), lower(?)) > 0`, args.description_contains);
  if (args.notes_contains) add(`instr(lower(${text('notes')}), lower(?)) > 0`, args.notes_contains);
  if (args.empty_description === true) where.push(`${text('description')} = ''`);
  const dates: Array<[string, string, string]> = [
    ['created_after', 'i.created_at', '>'], ['created_before', 'i.created_at', '<'],
    ['updated_after', 'i.updated_at', '>'], ['updated_before', 'i.updated_at', '<'],
    ['closed_after', field('closed_at'), '>'], ['closed_before', field('closed_at'), '<'],
    ['defer_after', field('defer_until'), '>'], ['defer_before', field('defer_until'), '<'],
    ['due_after', field('due_at'), '>'], ['due_before', field('due_at'), '<'],
  ];
  for (const [key, column, op] of dates) {
    if (args[key]) add(`${column} IS NOT NULL AND julianday(${column}) ${op} julianday(?)`, parseDateArg(key, args[key]));
  }
  if (args.deferred === true) where.push(`${field('defer_until')} IS NOT NULL`);
  if (args.overdue === true) {
    add(`${field('due_at')} IS NOT NULL AND julianday(${field('due_at')}) < julianday(?) AND coalesce(i.status, '') != 'closed'`, new Date().toISOString());
  }
  if (args.pinned === true) where.push(`coalesce(${field('pinned')}, 0) = 1`);
  if (args.pinned === false) where.push(`coalesce(${field('pinned')}, 0) = 0`);
  if (args.include_templates !== true) where.push(`coalesce(${field('is_template')}, 0) = 0`);
  if (args.ephemeral === true) where.push(`coalesce(${field('ephemeral')}, 0) = 1`);
  if (args.ephemeral === false) where.push(`coalesce(${field('ephemeral')}, 0) = 0`);
  if (args.mol_type) {
    // An issue without a mol_type is a plain work item ("work" is bd's default).
    add(`coalesce(${field('mol_type')}, 'work') = ?`, args.mol_type);
  }
  if (args.wisp_type) add(`${field('wisp_type')} = ?`, args.wisp_type);
  if (args.parent_id) {
    add(`EXISTS (SELECT 1 FROM dependencies p WHERE p.issue_id = i.id AND p.type = 'parent-child' AND p.depends_on_id = ?)`, args.parent_id);
  }
  return { where, params };
}

const SORTS: Record<string, string> = {
  priority: 'i.priority',
  created: 'i.created_at',
  updated: 'i.updated_at',
  closed: field('closed_at'),
  status: 'i.status',
  id: 'i.id',
  title: 'lower(i.title)',
  type: 'i.issue_type',
  assignee: 'i.assignee',
};

/** bd's list order: priority, newest first; `--sort FIELD` (and `-r`) as bd's CLI sorts. */
export function orderSql(args: Record<string, unknown>): string {
  const reverse = args.reverse === true;
  if (args.sort === undefined || args.sort === '') {
    return reverse ? 'i.priority DESC, i.created_at ASC, i.id DESC' : 'i.priority ASC, i.created_at DESC, i.id ASC';
  }
  const column = SORTS[String(args.sort)];
  if (!column) throw new ValidationError(`sort "${String(args.sort)}" is not one of ${Object.keys(SORTS).join(', ')}`);
  // bd sorts priority and text fields ascending, times newest first.
  const timeField = ['created', 'updated', 'closed'].includes(String(args.sort));
  const asc = timeField ? reverse : !reverse;
  return `${column} ${asc ? 'ASC' : 'DESC'}, i.id ${asc ? 'ASC' : 'DESC'}`;
}
