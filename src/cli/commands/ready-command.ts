import type { CommandModule, Options } from 'yargs';
import type { IssueRecord } from '../../jsonl/parse-jsonl';
import { defaultActor } from '../../ops/operation-context';
import { withBackend, type GlobalArgs } from '../cli-context';
import { print, printIssueList, printJson } from '../render';
import { intOption, pick, splitList } from './list-args';

/** Also read by the fast path (fast-path.ts). */
export const READY_OPTIONS = {
  limit: { alias: 'n', type: 'string', describe: 'At most N (default 10)' },
  priority: { alias: 'p', type: 'string', describe: 'Priority (an integer, as bd takes it)' },
  assignee: { alias: 'a', type: 'string' },
  unassigned: { alias: 'u', type: 'boolean' },
  sort: { alias: 's', type: 'string', describe: 'hybrid (default)|priority|oldest' },
  label: { alias: 'l', type: 'string', array: true },
  'label-any': { type: 'string', array: true },
  type: { alias: 't', type: 'string' },
  parent: { type: 'string', describe: 'Descendants of this issue' },
  mol: { type: 'string', hidden: true },
  'mol-type': { type: 'string' },
  pretty: { type: 'boolean' },
  'include-deferred': { type: 'boolean' },
  gated: { type: 'boolean', hidden: true },
} satisfies Record<string, Options>;

export const readyCommand: CommandModule<GlobalArgs, GlobalArgs & Record<string, unknown>> = {
  command: 'ready',
  describe: 'Open issues with no open blocker (10, newest work first by priority)',
  builder: (y) => y.options(READY_OPTIONS),
  handler: async (argv) =>
    withBackend(argv, async (backend) => {
      // bd's CLI asks for open issues only (in_progress is already someone's).
      const args: Record<string, unknown> = {
        status: 'open',
        limit: intOption('limit', argv.limit) ?? 10,
        sort_policy: argv.sort ?? 'hybrid',
        ...pick(argv, { assignee: 'assignee', type: 'type', parent: 'parent_id', 'mol-type': 'mol_type' }),
      };
      const priority = intOption('priority', argv.priority);
      if (priority !== undefined) args.priority = priority;
      if (argv.unassigned) args.unassigned = true;
      if (argv['include-deferred']) args.include_deferred = true;
      if (argv.label !== undefined) args.labels = splitList(argv.label);
      if (argv['label-any'] !== undefined) args.labels_any = splitList(argv['label-any']);
      const issues = (await backend.call('ready', args)) as IssueRecord[];
      if (argv.json && !argv.pretty) return printJson(issues);
      printIssueList(issues, 'No ready work: every open issue is blocked (see `bd-rx blocked`).');
    }),
};

export const blockedCommand: CommandModule<GlobalArgs, GlobalArgs & { parent?: string }> = {
  command: 'blocked',
  describe: 'Issues waiting on an open blocker, or blocked/deferred',
  builder: (y) => y.option('parent', { type: 'string', describe: 'Descendants of this issue' }),
  handler: async (argv) =>
    withBackend(argv, async (backend) => {
      const issues = (await backend.call('blocked', argv.parent ? { parent_id: argv.parent } : {})) as Array<IssueRecord & { blocked_by: string[] }> | null;
      const list = issues ?? [];
      if (argv.json) return printJson(list);
      if (list.length === 0) return print('No blocked issues.');
      for (const i of list) print(`${i.id} [P${String(i.priority)}] ${String(i.title)}  ← blocked by ${i.blocked_by.join(', ') || String(i.status)}`);
    }),
};

export const statsCommand: CommandModule<GlobalArgs, GlobalArgs & Record<string, unknown>> = {
  command: 'stats',
  aliases: ['status'],
  describe: 'Counts of issues by state',
  builder: (y) =>
    y.options({
      all: { type: 'boolean', hidden: true },
      assigned: { type: 'boolean', describe: 'Only issues assigned to the actor' },
      activity: { type: 'boolean', describe: 'With --no-activity: leave out the recent git activity' },
    }),
  handler: async (argv) =>
    withBackend(argv, async (backend, paths) => {
      const answer = (await backend.call('stats', argv.assigned ? { assignee: argv.actor ?? defaultActor() } : {})) as Record<string, number> & { summary?: Record<string, number> };
      const { summary, ...stats } = answer;
      const s = summary ?? stats;
      // As in bd: the JSONL's git log of the last 24 h, left out with --no-activity or when git
      // has nothing to say (no repository, no commits).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { recentActivity } = require('../../git/recent-activity') as typeof import('../../git/recent-activity');
      const activity = argv.activity === false ? null : recentActivity(paths.root, paths.jsonlPath);
      if (argv.json) return printJson(activity ? { summary: s, recent_activity: activity } : { summary: s });
      for (const [k, v] of Object.entries(s)) print(`${k.replace(/_/g, ' ').padEnd(28)} ${v}`);
      if (activity) {
        print();
        print(`Recent activity (last ${activity.hours_tracked} hours, ${activity.commit_count} commits):`);
        for (const k of ['issues_created', 'issues_closed', 'issues_updated', 'total_changes'] as const) {
          print(`  ${k.replace(/_/g, ' ').padEnd(26)} ${activity[k]}`);
        }
      }
    }),
};
