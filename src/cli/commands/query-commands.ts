import type { CommandModule } from 'yargs';
import type { IssueRecord } from '../../jsonl/parse-jsonl';
import { withBackend, type GlobalArgs } from '../cli-context';
import { print, printIssueList, printJson } from '../render';
import { intOption, pick, priorityOption, splitList } from './list-args';
import { UsageError } from '../report-error';

type QueryArgs = GlobalArgs & Record<string, unknown>;

const DATE_FLAGS = {
  'created-after': 'created_after', 'created-before': 'created_before', 'updated-after': 'updated_after',
  'updated-before': 'updated_before', 'closed-after': 'closed_after', 'closed-before': 'closed_before',
} as const;

const FILTER_OPTIONS = {
  status: { alias: 's', type: 'string' },
  assignee: { alias: 'a', describe: '(--no-assignee: nobody)' },
  type: { alias: 't', type: 'string' },
  label: { alias: 'l', type: 'string', array: true },
  'label-any': { type: 'string', array: true },
  'title-contains': { type: 'string' },
  'desc-contains': { type: 'string' },
  'notes-contains': { type: 'string' },
  'empty-description': { type: 'boolean' },
  labels: { type: 'boolean', hidden: true },
  'priority-min': { type: 'string' },
  'priority-max': { type: 'string' },
  ...Object.fromEntries(Object.keys(DATE_FLAGS).map((k) => [k, { type: 'string' }])),
} as const;

/** The filter flags count and search share, as operation args. */
function filterArgs(argv: QueryArgs): Record<string, unknown> {
  const args: Record<string, unknown> = pick(argv, {
    status: 'status', type: 'issue_type', 'title-contains': 'title_contains', 'desc-contains': 'description_contains',
    'notes-contains': 'notes_contains', ...DATE_FLAGS,
  });
  if (typeof argv.assignee === 'string') args.assignee = argv.assignee;
  if (argv.assignee === false) args.no_assignee = true;
  if (argv.labels === false) args.no_labels = true;
  if (argv['empty-description']) args.empty_description = true;
  if (argv.label !== undefined) args.labels = splitList(argv.label);
  if (argv['label-any'] !== undefined) args.labels_any = splitList(argv['label-any']);
  for (const [flag, key] of [['priority-min', 'priority_min'], ['priority-max', 'priority_max']] as const) {
    if (argv[flag] !== undefined) args[key] = Number(String(argv[flag]).replace(/^[Pp](?=\d)/, ''));
  }
  return args;
}

const GROUP_FLAGS = { 'by-status': 'status', 'by-priority': 'priority', 'by-type': 'type', 'by-assignee': 'assignee', 'by-label': 'label' } as const;

export const countCommand: CommandModule<GlobalArgs, QueryArgs> = {
  command: 'count',
  describe: 'How many issues match (closed included); --by-status|priority|type|assignee|label to group',
  builder: (y) =>
    y.options({
      ...FILTER_OPTIONS,
      priority: priorityOption(),
      title: { type: 'string' },
      id: { type: 'string' },
      ...Object.fromEntries(Object.keys(GROUP_FLAGS).map((k) => [k, { type: 'boolean' }])),
    }) as never,
  handler: async (argv) => {
    const groups = Object.entries(GROUP_FLAGS).filter(([flag]) => argv[flag]);
    if (groups.length > 1) throw new UsageError(`Give one of ${Object.keys(GROUP_FLAGS).map((f) => `--${f}`).join(', ')}, not ${groups.length}.`);
    const args = { ...filterArgs(argv), ...pick(argv, { priority: 'priority', title: 'title' }) };
    if (argv.id !== undefined) args.ids = splitList(argv.id);
    if (groups[0]) args.group_by = groups[0][1];
    await withBackend(argv, async (backend) => {
      const r = (await backend.call('count', args)) as { count?: number; total?: number; groups?: Array<{ group: string; count: number }> };
      if (argv.json) return printJson(r);
      if (r.groups) {
        print(`Total: ${r.total}`);
        for (const g of r.groups) print(`  ${g.group}: ${g.count}`);
        return;
      }
      print(String(r.count));
    });
  },
};

export const searchCommand: CommandModule<GlobalArgs, QueryArgs & { query?: string | string[] }> = {
  command: 'search [query..]',
  describe: 'Issues whose title, description or id contains the text (closed included)',
  builder: (y) =>
    y.positional('query', { type: 'string', array: true }).options({
      ...FILTER_OPTIONS,
      limit: { alias: 'n', type: 'string', describe: 'At most N (default 50)' },
      sort: { type: 'string' },
      reverse: { alias: 'r', type: 'boolean' },
      long: { type: 'boolean' },
    }) as never,
  handler: async (argv) => {
    const query = [argv.query].flat().filter((q): q is string => typeof q === 'string' && q !== '').join(' ');
    if (query === '') throw new UsageError('search needs a query. Run `bd-rx search WORDS` or give --query TEXT.');
    const args: Record<string, unknown> = { ...filterArgs(argv), query, limit: intOption('limit', argv.limit) ?? 50 };
    if (argv.sort) args.sort = argv.sort;
    if (argv.reverse) args.reverse = true;
    await withBackend(argv, async (backend) => {
      const issues = (await backend.call('list', args)) as IssueRecord[];
      if (argv.json) return printJson(issues);
      printIssueList(issues, `No issues match "${query}".`);
    });
  },
};

export const staleCommand: CommandModule<GlobalArgs, QueryArgs> = {
  command: 'stale',
  describe: 'Issues not closed and not updated for DAYS days (default 30), oldest first',
  builder: (y) =>
    y.options({
      days: { alias: 'd', type: 'string', describe: 'Default 30' },
      status: { alias: 's', type: 'string', describe: 'open|in_progress|blocked|deferred' },
      limit: { alias: 'n', type: 'string', describe: 'Default 50' },
    }) as never,
  handler: async (argv) =>
    withBackend(argv, async (backend) => {
      const args: Record<string, unknown> = { days: intOption('days', argv.days) ?? 30, limit: intOption('limit', argv.limit) ?? 50 };
      if (argv.status) args.status = argv.status;
      const issues = ((await backend.call('stale', args)) as IssueRecord[] | null) ?? [];
      if (argv.json) return printJson(issues);
      printIssueList(issues, `No stale issues (none untouched for ${String(args.days)} days).`);
    }),
};
