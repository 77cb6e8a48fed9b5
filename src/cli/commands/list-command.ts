import type { CommandModule, Options } from 'yargs';
import type { IssueRecord } from '../../jsonl/parse-jsonl';
import { withBackend, type GlobalArgs } from '../cli-context';
import { printIssueList, printJson } from '../render';
import { issueTypeOption, statusOption } from './issue-options';
import { hiddenFlags, intOption, pick, priorityOption, splitList } from './list-args';

/** Also read by the fast path (fast-path.ts), so both parsers know the same options. */
export const LIST_OPTIONS = {
  status: { ...statusOption, describe: `${statusOption.describe}|all` },
  priority: priorityOption(),
  type: issueTypeOption(false),
  // `--no-assignee` arrives as assignee=false (yargs' negation), so the type is left open.
  assignee: { alias: 'a', describe: 'Assigned to (--no-assignee: nobody)' },
  label: { alias: 'l', type: 'string', array: true, describe: 'Has all of these labels' },
  'label-any': { type: 'string', array: true, describe: 'Has any of these labels' },
  'label-pattern': { type: 'string', describe: 'A label matching this glob' },
  'label-regex': { type: 'string', describe: 'A label matching this regular expression' },
  title: { type: 'string', describe: 'Title contains' },
  spec: { type: 'string', describe: 'spec_id starts with' },
  id: { type: 'string', describe: 'Only these ids (comma-separated)' },
  limit: { alias: 'n', type: 'string', describe: 'At most N (default 50; 0 = all)' },
  all: { type: 'boolean', describe: 'Include closed issues, no default limit' },
  sort: { type: 'string', describe: 'priority|created|updated|closed|status|id|title|type|assignee' },
  reverse: { alias: 'r', type: 'boolean' },
  'title-contains': { type: 'string' },
  'desc-contains': { type: 'string' },
  'notes-contains': { type: 'string' },
  'created-after': { type: 'string' },
  'created-before': { type: 'string' },
  'updated-after': { type: 'string' },
  'updated-before': { type: 'string' },
  'closed-after': { type: 'string' },
  'closed-before': { type: 'string' },
  'empty-description': { type: 'boolean' },
  labels: { type: 'boolean', hidden: true, describe: '--no-labels: issues without labels' },
  'priority-min': { type: 'string' },
  'priority-max': { type: 'string' },
  pinned: { type: 'boolean', describe: 'Pinned only (--no-pinned: none pinned)' },
  'include-templates': { type: 'boolean' },
  'include-gates': { type: 'boolean' },
  parent: { alias: 'filter-parent', type: 'string', describe: 'Children of this issue' },
  'mol-type': { type: 'string' },
  'wisp-type': { type: 'string' },
  deferred: { type: 'boolean' },
  'defer-after': { type: 'string' },
  'defer-before': { type: 'string' },
  'due-after': { type: 'string' },
  'due-before': { type: 'string' },
  overdue: { type: 'boolean' },
  ready: { type: 'boolean', describe: 'Open issues only' },
  pretty: { alias: 'tree', type: 'boolean', describe: 'Text output, even with --json (as bd)' },
  format: { type: 'string', describe: 'Text output, even with --json (as bd)' },
  long: { type: 'boolean' },
  watch: { alias: 'w', type: 'boolean', hidden: true },
  ...hiddenFlags(['pager']),
} satisfies Record<string, Options>;

/** bd's list defaults: 50 issues (20 for agents; none with --all), closed and gates left out. */
export function listArgs(argv: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const given = intOption('limit', argv.limit);
  const agent = env.BD_AGENT_MODE === '1' || env.CLAUDE_CODE !== undefined;
  const limit = given ?? (argv.all ? 0 : agent ? 20 : 50);
  const status = argv.ready ? 'open' : (argv.status as string | undefined);
  const args: Record<string, unknown> = {
    ...pick(argv, {
      priority: 'priority', type: 'issue_type', title: 'title', spec: 'spec_id_prefix', sort: 'sort', 'label-pattern': 'label_pattern',
      'label-regex': 'label_regex', 'title-contains': 'title_contains', 'desc-contains': 'description_contains',
      'notes-contains': 'notes_contains', 'created-after': 'created_after', 'created-before': 'created_before',
      'updated-after': 'updated_after', 'updated-before': 'updated_before', 'closed-after': 'closed_after',
      'closed-before': 'closed_before', 'priority-min': 'priority_min', 'priority-max': 'priority_max', pinned: 'pinned',
      parent: 'parent_id', 'mol-type': 'mol_type', 'wisp-type': 'wisp_type', 'defer-after': 'defer_after',
      'defer-before': 'defer_before', 'due-after': 'due_after', 'due-before': 'due_before',
    }),
    limit,
  };
  if (status !== undefined) args.status = status;
  else if (!argv.all) args.exclude_status = ['closed'];
  if (!argv['include-gates'] && argv.type === undefined) args.exclude_types = ['gate'];
  if (typeof argv.assignee === 'string') args.assignee = argv.assignee;
  if (argv.assignee === false) args.no_assignee = true;
  if (argv.labels === false) args.no_labels = true;
  if (argv.label !== undefined) args.labels = splitList(argv.label);
  if (argv['label-any'] !== undefined) args.labels_any = splitList(argv['label-any']);
  if (argv.id !== undefined) args.ids = splitList(argv.id);
  for (const flag of ['empty-description', 'include-templates', 'deferred', 'overdue', 'reverse'] as const) {
    if (argv[flag] === true) args[flag.replace(/-/g, '_')] = true;
  }
  for (const k of ['priority_min', 'priority_max'] as const) if (args[k] !== undefined) args[k] = intOrPriority(args[k]);
  return args;
}

const intOrPriority = (v: unknown) => Number(String(v).replace(/^[Pp](?=\d)/, ''));

export const listCommand: CommandModule<GlobalArgs, GlobalArgs & Record<string, unknown>> = {
  command: 'list',
  describe: 'List issues (50, closed hidden: --all for everything)',
  builder: (y) => y.options(LIST_OPTIONS),
  handler: async (argv) =>
    withBackend(argv, async (backend) => {
      const issues = (await backend.call('list', listArgs(argv))) as IssueRecord[];
      // bd: --pretty/--tree/--format print text even with --json.
      if (argv.json && !argv.pretty && !argv.format) return printJson(issues);
      printIssueList(issues, 'No issues found.');
    }),
};
