import type { CommandModule } from 'yargs';
import type { IssueRecord } from '../../jsonl/parse-jsonl';
import { withBackend, type GlobalArgs } from '../cli-context';
import { print, printIssueDetails, printJson } from '../render';

export const showCommand: CommandModule<GlobalArgs, GlobalArgs & { ids: string[] }> = {
  command: 'show <ids..>',
  describe: 'Show issues with labels, dependencies, dependents and comments',
  builder: (y) => y.positional('ids', { type: 'string', array: true, demandOption: true }),
  handler: async (argv) =>
    withBackend(argv, async (backend) => {
      const details: IssueRecord[] = [];
      for (const id of argv.ids) details.push((await backend.call('show', { id })) as IssueRecord);
      if (argv.json) return printJson(details);
      details.forEach((d, i) => {
        if (i > 0) print();
        printIssueDetails(d);
      });
    }),
};
