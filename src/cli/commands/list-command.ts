import type { CommandModule, Options } from 'yargs';
import type { IssueRecord } from '../../jsonl/parse-jsonl';
import { withBackend, type GlobalArgs } from '../cli-context';
import { printIssueList, printJson } from '../render';
import { issueTypeOption, statusOption } from './issue-options';
import { pick, priorityOption, splitList } from './list-args';

/** Also read by the fast path (fast-path.ts), so both parsers know the same options. */
export const LIST_OPTIONS = {
  status: statusOption,
  priority: priorityOption(),
  type: issueTypeOption(false),
  assignee: { alias: 'a', type: 'string' },
  label: { alias: 'l', type: 'string', array: true, describe: 'Has all of these labels' },
  'label-any': { type: 'string', array: true, describe: 'Has any of these labels' },
  query: { alias: 'q', type: 'string', describe: 'Text in title or id' },
  limit: { alias: 'n', type: 'number' },
} satisfies Record<string, Options>;

export const listCommand: CommandModule<GlobalArgs, GlobalArgs & Record<string, unknown>> = {
  command: 'list',
  describe: 'List issues (tombstones hidden unless --status tombstone)',
  builder: (y) => y.options(LIST_OPTIONS),
  handler: async (argv) =>
    withBackend(argv, async (backend) => {
      const args = {
        ...pick(argv, { status: 'status', priority: 'priority', type: 'issue_type', assignee: 'assignee', query: 'query', limit: 'limit' }),
        ...(argv.label !== undefined ? { labels: splitList(argv.label) } : {}),
        ...(argv['label-any'] !== undefined ? { labels_any: splitList(argv['label-any']) } : {}),
      };
      const issues = (await backend.call('list', args)) as IssueRecord[];
      if (argv.json) return printJson(issues);
      printIssueList(issues, 'No issues found.');
    }),
};
