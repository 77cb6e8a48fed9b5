import type { CommandModule } from 'yargs';
import type { IssueRecord } from '../../jsonl/parse-jsonl';
import { withBackend, type GlobalArgs } from '../cli-context';
import { print, printJson } from '../render';
import { pick, priorityOption, splitList } from './list-args';

export const createCommand: CommandModule<GlobalArgs, GlobalArgs & Record<string, unknown>> = {
  command: 'create <title>',
  describe: 'Create an issue',
  builder: (y) =>
    y
      .positional('title', { type: 'string', demandOption: true })
      .option('priority', priorityOption('0 (highest) to 4 (default 2)'))
      .option('type', { alias: 't', type: 'string', describe: 'bug|feature|task|epic|chore', default: 'task' })
      .option('description', { alias: 'd', type: 'string' })
      .option('assignee', { alias: 'a', type: 'string' })
      .option('labels', { alias: 'l', type: 'string', array: true, describe: 'Comma-separated labels' })
      .option('design', { type: 'string' })
      .option('acceptance', { type: 'string', describe: 'Acceptance criteria' })
      .option('notes', { type: 'string' })
      .option('external-ref', { type: 'string' })
      .option('estimate', { alias: 'e', type: 'number', describe: 'Estimated minutes' })
      .option('deps', { type: 'string', array: true, describe: 'Dependencies, TYPE:ID or ID (blocks)' })
      .option('id', { type: 'string', describe: 'Use this id instead of a generated one' }),
  handler: async (argv) =>
    withBackend(argv, async (backend) => {
      const args = {
        title: argv.title,
        issue_type: argv.type,
        ...pick(argv, {
          priority: 'priority',
          description: 'description',
          assignee: 'assignee',
          design: 'design',
          acceptance: 'acceptance_criteria',
          notes: 'notes',
          'external-ref': 'external_ref',
          estimate: 'estimated_minutes',
          id: 'id',
        }),
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
