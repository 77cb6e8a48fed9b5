import type { CommandModule } from 'yargs';
import type { IssueRecord } from '../../jsonl/parse-jsonl';
import { withBackend, type GlobalArgs } from '../cli-context';
import { print, printJson } from '../render';
import { dependencyTypeOption } from './issue-options';

type DepArgs = GlobalArgs & { issue: string; dependsOn: string; type: string };

export const depCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'dep <command>',
  describe: 'Add or remove dependencies (ISSUE is blocked by DEPENDS_ON)',
  builder: (y) =>
    y
      .command<DepArgs>({
        command: 'add <issue> <dependsOn>',
        describe: 'ISSUE depends on DEPENDS_ON',
        builder: (b) =>
          b
            .positional('issue', { type: 'string', demandOption: true })
            .positional('dependsOn', { type: 'string', demandOption: true })
            .option('type', dependencyTypeOption) as never,
        handler: async (argv) =>
          withBackend(argv, async (backend) => {
            const issue = (await backend.call('dep_add', { from_id: argv.issue, to_id: argv.dependsOn, dep_type: argv.type })) as IssueRecord;
            if (argv.json) return printJson(issue);
            print(`✓ Added dependency: ${argv.issue} depends on ${argv.dependsOn} (${argv.type})`);
          }),
      })
      .command<DepArgs>({
        command: 'remove <issue> <dependsOn>',
        describe: 'Remove the dependency of ISSUE on DEPENDS_ON',
        builder: (b) =>
          b.positional('issue', { type: 'string', demandOption: true }).positional('dependsOn', { type: 'string', demandOption: true }) as never,
        handler: async (argv) =>
          withBackend(argv, async (backend) => {
            const issue = (await backend.call('dep_remove', { from_id: argv.issue, to_id: argv.dependsOn })) as IssueRecord;
            if (argv.json) return printJson(issue);
            print(`✓ Removed dependency: ${argv.issue} no longer depends on ${argv.dependsOn}`);
          }),
      })
      .demandCommand(1, 'dep needs a subcommand: add or remove'),
  handler: () => undefined,
};

type LabelArgs = GlobalArgs & { id: string; label: string };

export const labelCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'label <command>',
  describe: 'Add or remove labels',
  builder: (y) =>
    y
      .command<LabelArgs>({
        command: 'add <id> <label>',
        describe: 'Add LABEL to issue ID',
        builder: (b) => b.positional('id', { type: 'string' }).positional('label', { type: 'string' }) as never,
        handler: async (argv) =>
          withBackend(argv, async (backend) => {
            const issue = await backend.call('label_add', { id: argv.id, label: argv.label });
            if (argv.json) return printJson(issue);
            print(`✓ Added label '${argv.label}' to ${argv.id}`);
          }),
      })
      .command<LabelArgs>({
        command: 'remove <id> <label>',
        describe: 'Remove LABEL from issue ID',
        builder: (b) => b.positional('id', { type: 'string' }).positional('label', { type: 'string' }) as never,
        handler: async (argv) =>
          withBackend(argv, async (backend) => {
            const issue = await backend.call('label_remove', { id: argv.id, label: argv.label });
            if (argv.json) return printJson(issue);
            print(`✓ Removed label '${argv.label}' from ${argv.id}`);
          }),
      })
      .demandCommand(1, 'label needs a subcommand: add or remove'),
  handler: () => undefined,
};
