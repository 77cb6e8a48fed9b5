import type { CommandModule, Options } from 'yargs';
import type { IssueRecord } from '../../jsonl/parse-jsonl';
import { withBackend, type GlobalArgs } from '../cli-context';
import { print, printIssueList, printJson } from '../render';
import { pick, priorityOption } from './list-args';

/** Also read by the fast path (fast-path.ts). */
export const READY_OPTIONS = {
  assignee: { alias: 'a', type: 'string' },
  priority: priorityOption(),
  limit: { alias: 'n', type: 'number' },
} satisfies Record<string, Options>;

export const readyCommand: CommandModule<GlobalArgs, GlobalArgs & Record<string, unknown>> = {
  command: 'ready',
  describe: 'Open issues with no open blocker',
  builder: (y) => y.options(READY_OPTIONS),
  handler: async (argv) =>
    withBackend(argv, async (backend) => {
      const issues = (await backend.call('ready', pick(argv, { assignee: 'assignee', priority: 'priority', limit: 'limit' }))) as IssueRecord[];
      if (argv.json) return printJson(issues);
      printIssueList(issues, 'No ready work: every open issue is blocked (see `bd-rx blocked`).');
    }),
};

export const blockedCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'blocked',
  describe: 'Issues waiting on an open blocker',
  handler: async (argv) =>
    withBackend(argv, async (backend) => {
      const issues = (await backend.call('blocked', {})) as Array<IssueRecord & { blocked_by: string[] }>;
      if (argv.json) return printJson(issues);
      if (issues.length === 0) return print('No blocked issues.');
      for (const i of issues) print(`${i.id} [P${String(i.priority)}] ${String(i.title)}  ← blocked by ${i.blocked_by.join(', ')}`);
    }),
};

export const statsCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'stats',
  describe: 'Counts of issues by state',
  handler: async (argv) =>
    withBackend(argv, async (backend) => {
      const stats = (await backend.call('stats', {})) as Record<string, number>;
      if (argv.json) return printJson(stats);
      for (const [k, v] of Object.entries(stats)) print(`${k.replace(/_/g, ' ').padEnd(20)} ${v}`);
    }),
};
