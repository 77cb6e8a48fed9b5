import type { CommandModule } from 'yargs';
import type { IssueRecord } from '../../jsonl/parse-jsonl';
import { withBackend, type GlobalArgs } from '../cli-context';
import { print, printIssueDetails, printJson } from '../render';
import { splitList } from './list-args';
import { UsageError } from '../report-error';

type ShowArgs = GlobalArgs & { ids?: string[]; id?: string[]; short?: boolean };

export const showCommand: CommandModule<GlobalArgs, ShowArgs> = {
  command: 'show [ids..]',
  aliases: ['view'],
  describe: 'Show issues with labels, dependencies, dependents and comments',
  builder: (y) =>
    y
      .positional('ids', { type: 'string', array: true })
      .option('id', { type: 'string', array: true, describe: 'An id (repeatable), as a flag' })
      .option('short', { type: 'boolean', describe: 'One line per issue' })
      .options({
        thread: { type: 'boolean', hidden: true },
        refs: { type: 'boolean', hidden: true },
        children: { type: 'boolean', hidden: true },
        'as-of': { type: 'string', hidden: true },
        'local-time': { type: 'boolean', hidden: true },
      }),
  handler: async (argv) => {
    const ids = [...(argv.ids ?? []), ...(splitList(argv.id) ?? [])];
    if (ids.length === 0) throw new UsageError('At least one issue ID is required. Run `bd-rx show ID…`.');
    await withBackend(argv, async (backend) => {
      const details: IssueRecord[] = [];
      // bd (direct mode) reports an id it cannot find and goes on with the others.
      for (const id of ids) {
        try {
          details.push((await backend.call('show', { id })) as IssueRecord);
        } catch (err) {
          if (!/no issue found|not found/i.test((err as Error).message)) throw err;
          process.stderr.write(`Error fetching ${id}: ${(err as Error).message}\n`);
        }
      }
      if (details.length === 0) {
        process.stderr.write(`no issue found matching ${ids.join(', ')}\n`);
        return;
      }
      if (argv.json && !argv.short) return printJson(details);
      details.forEach((d, i) => {
        if (argv.short) return print(`${d.id} [P${String(d.priority)}] ${String(d.status)} - ${String(d.title)}`);
        if (i > 0) print();
        printIssueDetails(d);
      });
    });
  },
};
