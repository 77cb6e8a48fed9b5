import type { CommandModule } from 'yargs';
import type { IssueRecord } from '../../jsonl/parse-jsonl';
import { PRIORITY } from '../../store/issue-rules';
import { withBackend, type GlobalArgs } from '../cli-context';
import { print, printJson } from '../render';
import { editableFieldArgs, editableFieldOptions, issueTypeOption, PRIORITY_RANGE } from './issue-options';
import { pick, splitList } from './list-args';

export const createCommand: CommandModule<GlobalArgs, GlobalArgs & Record<string, unknown>> = {
  command: 'create <title>',
  describe: 'Create an issue',
  builder: (y) =>
    y
      .positional('title', { type: 'string', demandOption: true })
      .options(editableFieldOptions({ priority: `${PRIORITY_RANGE} (default ${PRIORITY.default})` }))
      .option('type', issueTypeOption(true))
      .option('labels', { alias: 'l', type: 'string', array: true, describe: 'Comma-separated labels' })
      .option('deps', { type: 'string', array: true, describe: 'Dependencies, TYPE:ID or ID (blocks)' })
      .option('id', { type: 'string', describe: 'Use this id instead of a generated one' }),
  handler: async (argv) =>
    withBackend(argv, async (backend) => {
      const args = {
        title: argv.title,
        issue_type: argv.type,
        ...editableFieldArgs(argv),
        ...pick(argv, { id: 'id' }),
        ...(argv.labels !== undefined ? { labels: splitList(argv.labels) } : {}),
        ...(argv.deps !== undefined ? { dependencies: splitList(argv.deps) } : {}),
      };
      const issue = (await backend.call('create', args)) as IssueRecord;
      if (argv.json) return printJson(issue);
      print(`✓ Created issue: ${issue.id}`);
      print(`  Title: ${String(issue.title)}`);
      print(`  Priority: P${String(issue.priority)}`);
      print(`  Status: ${String(issue.status)}`);
    }),
};
