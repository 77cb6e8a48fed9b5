import type { CommandModule } from 'yargs';
import type { IssueRecord } from '../../jsonl/parse-jsonl';
import { withBackend, type GlobalArgs } from '../cli-context';
import { print, printJson } from '../render';

type CloseArgs = GlobalArgs & { ids: string[]; reason?: string };

/** bd prints the one issue for one id, an array for several. */
function output(argv: CloseArgs, issues: IssueRecord[], verb: string): void {
  if (argv.json) return printJson(issues.length === 1 ? issues[0] : issues);
  for (const i of issues) print(`✓ ${verb} ${i.id}: ${String(i.title)}`);
}

export const closeCommand: CommandModule<GlobalArgs, CloseArgs> = {
  command: 'close <ids..>',
  describe: 'Close issues',
  builder: (y) =>
    y
      .positional('ids', { type: 'string', array: true, demandOption: true })
      .option('reason', { alias: 'r', type: 'string', describe: 'Why (default "Closed")' }),
  handler: async (argv) =>
    withBackend(argv, async (backend) => {
      const out: IssueRecord[] = [];
      for (const id of argv.ids) out.push((await backend.call('close', { id, reason: argv.reason })) as IssueRecord);
      output(argv, out, 'Closed');
    }),
};

export const reopenCommand: CommandModule<GlobalArgs, CloseArgs> = {
  command: 'reopen <ids..>',
  describe: 'Reopen closed issues',
  builder: (y) => y.positional('ids', { type: 'string', array: true, demandOption: true }),
  handler: async (argv) =>
    withBackend(argv, async (backend) => {
      const out: IssueRecord[] = [];
      for (const id of argv.ids) out.push((await backend.call('reopen', { id })) as IssueRecord);
      output(argv, out, 'Reopened');
    }),
};

export const deleteCommand: CommandModule<GlobalArgs, CloseArgs> = {
  command: 'delete <ids..>',
  describe: 'Delete issues (removed from the JSONL at the next export)',
  builder: (y) => y.positional('ids', { type: 'string', array: true, demandOption: true }),
  handler: async (argv) =>
    withBackend(argv, async (backend) => {
      const out: unknown[] = [];
      for (const id of argv.ids) out.push(await backend.call('delete', { id }));
      if (argv.json) return printJson(out.length === 1 ? out[0] : out);
      for (const id of argv.ids) print(`✓ Deleted ${id}`);
    }),
};
