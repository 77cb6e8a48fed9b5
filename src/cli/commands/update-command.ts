import type { CommandModule } from 'yargs';
import type { IssueRecord } from '../../jsonl/parse-jsonl';
import { ValidationError } from '../../store/store-errors';
import { withBackend, type GlobalArgs } from '../cli-context';
import { issueLine, print, printJson } from '../render';
import { editableFieldArgs, editableFieldOptions, statusOption } from './issue-options';
import { pick, splitList } from './list-args';

export const updateCommand: CommandModule<GlobalArgs, GlobalArgs & Record<string, unknown> & { id: string }> = {
  command: 'update <id>',
  describe: 'Change fields of an issue',
  builder: (y) =>
    y
      .positional('id', { type: 'string', demandOption: true })
      .option('status', statusOption)
      .option('title', { type: 'string' })
      .options(editableFieldOptions())
      .option('add-label', { type: 'string', array: true })
      .option('remove-label', { type: 'string', array: true }),
  handler: async (argv) =>
    withBackend(argv, async (backend) => {
      const args: Record<string, unknown> = {
        id: argv.id,
        ...pick(argv, { status: 'status', title: 'title' }),
        ...editableFieldArgs(argv),
        ...(argv['add-label'] !== undefined ? { add_labels: splitList(argv['add-label']) } : {}),
        ...(argv['remove-label'] !== undefined ? { remove_labels: splitList(argv['remove-label']) } : {}),
      };
      if (Object.keys(args).length === 1) {
        throw new ValidationError('nothing to update: give at least one of --status, --priority, --title, --assignee, …');
      }
      const issue = (await backend.call('update', args)) as IssueRecord;
      if (argv.json) return printJson(issue);
      print(`✓ Updated ${issueLine(issue)}`);
    }),
};
