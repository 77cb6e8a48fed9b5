import type { CommandModule } from 'yargs';
import type { IssueRecord } from '../../jsonl/parse-jsonl';
import { ValidationError } from '../../store/store-errors';
import { withBackend, type GlobalArgs } from '../cli-context';
import { print, printJson } from '../render';
import { dependencyTypeOption } from './issue-options';
import { intOption } from './list-args';
import { UsageError } from '../report-error';

type DepArgs = GlobalArgs & Record<string, unknown> & { issue?: string; dependsOn?: string; type: string };

const depAdd: CommandModule<GlobalArgs, DepArgs> = {
  command: 'add <issue> [dependsOn]',
  describe: 'ISSUE depends on (is blocked by) DEPENDS_ON',
  builder: (b) =>
    b
      .positional('issue', { type: 'string', demandOption: true })
      .positional('dependsOn', { type: 'string' })
      .option('blocked-by', { type: 'string', describe: 'Instead of the second argument' })
      .option('depends-on', { type: 'string', describe: 'Instead of the second argument' })
      .option('type', dependencyTypeOption) as never,
  handler: async (argv) => {
    const target = argv.dependsOn ?? (argv['blocked-by'] as string | undefined) ?? (argv['depends-on'] as string | undefined);
    if (!target) throw new UsageError('dep add needs what the issue depends on. Run `bd-rx dep add ISSUE DEPENDS_ON`.');
    await withBackend(argv, async (backend) => {
      const r = (await backend.call('dep_add', { from_id: argv.issue, to_id: target, dep_type: argv.type })) as Record<string, string>;
      if (argv.json) return printJson(r);
      print(`✓ Added dependency: ${r.issue_id} depends on ${r.depends_on_id} (${r.type})`);
    });
  },
};

const depRemove: CommandModule<GlobalArgs, DepArgs> = {
  command: 'remove <issue> <dependsOn>',
  aliases: ['rm'],
  describe: 'Remove the dependency of ISSUE on DEPENDS_ON',
  builder: (b) => b.positional('issue', { type: 'string', demandOption: true }).positional('dependsOn', { type: 'string', demandOption: true }) as never,
  handler: async (argv) =>
    withBackend(argv, async (backend) => {
      const r = (await backend.call('dep_remove', { from_id: argv.issue, to_id: argv.dependsOn })) as Record<string, string>;
      if (argv.json) return printJson(r);
      print(`✓ Removed dependency: ${r.issue_id} no longer depends on ${r.depends_on_id}`);
    }),
};

const depList: CommandModule<GlobalArgs, DepArgs> = {
  command: 'list <issue>',
  describe: 'What ISSUE depends on (--direction up: what depends on it)',
  builder: (b) =>
    b
      .positional('issue', { type: 'string', demandOption: true })
      .option('direction', { type: 'string', default: 'down', describe: 'down|up' })
      .option('type', { alias: 't', type: 'string' }) as never,
  handler: async (argv) =>
    withBackend(argv, async (backend) => {
      const list = (await backend.call('dep_list', { id: argv.issue, direction: argv.direction, ...(argv.type ? { type: argv.type } : {}) })) as Array<IssueRecord & { dependency_type: string }>;
      if (argv.json) return printJson(list);
      if (list.length === 0) return print(`${argv.issue} has no ${argv.direction === 'up' ? 'dependents' : 'dependencies'}.`);
      for (const d of list) print(`  ${d.id} (${d.dependency_type}) ${String(d.status)} - ${String(d.title)}`);
    }),
};

const depTree: CommandModule<GlobalArgs, DepArgs> = {
  command: 'tree <issue>',
  describe: 'The tree of everything ISSUE depends on (--reverse / --direction up: its dependents)',
  builder: (b) =>
    b
      .positional('issue', { type: 'string', demandOption: true })
      .options({
        'show-all-paths': { type: 'boolean' },
        'max-depth': { alias: 'd', type: 'string', describe: 'Default 50' },
        reverse: { type: 'boolean' },
        direction: { type: 'string', describe: 'down|up|both' },
        status: { type: 'string' },
        format: { type: 'string', describe: 'mermaid' },
        type: { alias: 't', type: 'string', hidden: true },
      }) as never,
  handler: async (argv) =>
    withBackend(argv, async (backend) => {
      const nodes = (await backend.call('dep_tree', {
        id: argv.issue,
        max_depth: intOption('max-depth', argv['max-depth']) ?? 50,
        direction: argv.reverse ? 'up' : ((argv.direction as string | undefined) ?? 'down'),
        ...(argv['show-all-paths'] ? { show_all_paths: true } : {}),
        ...(argv.status ? { status: argv.status } : {}),
      })) as Array<IssueRecord & { depth: number }>;
      if (argv.json) return printJson(nodes);
      if (argv.format === 'mermaid') {
        print('flowchart TD');
        for (const n of nodes) print(`  ${JSON.stringify(n.id)}[${JSON.stringify(String(n.title))}]`);
        for (const n of nodes) if (n.depth > 0) print(`  ${JSON.stringify(n.parent_id)} --> ${JSON.stringify(n.id)}`);
        return;
      }
      for (const n of nodes) print(`${'  '.repeat(n.depth)}${n.id} [P${String(n.priority)}] ${String(n.status)} - ${String(n.title)}`);
    }),
};

const depCycles: CommandModule<GlobalArgs, DepArgs> = {
  command: 'cycles',
  describe: 'Dependency cycles',
  handler: async (argv) =>
    withBackend(argv, async (backend) => {
      const cycles = (await backend.call('dep_cycles', {})) as IssueRecord[][];
      if (argv.json) return printJson(cycles);
      if (cycles.length === 0) return print('✓ No dependency cycles.');
      for (const c of cycles) print(`cycle: ${c.map((i) => i.id).join(' → ')}`);
    }),
};

export const depCommand: CommandModule<GlobalArgs, GlobalArgs & Record<string, unknown>> = {
  command: 'dep [blocker]',
  describe: 'Dependencies: add, remove (rm), list, tree, cycles; `dep BLOCKER --blocks ID`',
  builder: (y) =>
    y
      .command(depAdd)
      .command(depRemove)
      .command(depList)
      .command(depTree)
      .command(depCycles)
      .positional('blocker', { type: 'string' })
      .option('blocks', { alias: 'b', type: 'string', describe: 'BLOCKER blocks this issue' }) as never,
  handler: async (argv) => {
    const blocker = argv.blocker as string | undefined;
    const blocked = argv.blocks as string | undefined;
    if (!blocker || !blocked) {
      throw new UsageError('dep needs a subcommand (add, remove, list, tree, cycles) or the form `bd-rx dep BLOCKER --blocks ID`.');
    }
    await withBackend(argv, async (backend) => {
      const r = (await backend.call('dep_add', { from_id: blocked, to_id: blocker, dep_type: 'blocks' })) as Record<string, string>;
      const out = { status: 'added', blocker_id: r.depends_on_id, blocked_id: r.issue_id, type: 'blocks' };
      if (argv.json) return printJson(out);
      print(`✓ ${out.blocker_id} now blocks ${out.blocked_id}`);
    });
  },
};

type LabelArgs = GlobalArgs & { args?: string[]; id?: string };

/** `label add ID… LABEL`: the last argument is the label. */
function idsAndLabel(argv: LabelArgs, verb: string): { ids: string[]; label: string } {
  const args = (argv.args ?? []).map(String);
  if (args.length < 2) throw new UsageError(`label ${verb} needs at least one id and a label. Run \`bd-rx label ${verb} ID… LABEL\`.`);
  const label = args[args.length - 1] as string;
  if (label.startsWith('provides:')) throw new ValidationError(`labels starting with "provides:" are reserved (bd ship sets them)`);
  return { ids: args.slice(0, -1), label };
}

function labelWrite(verb: 'add' | 'remove'): CommandModule<GlobalArgs, LabelArgs> {
  return {
    command: `${verb} <args..>`,
    describe: verb === 'add' ? 'Add LABEL to each ID' : 'Remove LABEL from each ID',
    builder: (b) => b.positional('args', { type: 'string', array: true }) as never,
    handler: async (argv) => {
      const { ids, label } = idsAndLabel(argv, verb);
      await withBackend(argv, async (backend) => {
        const out: Array<{ status: string; issue_id: string; label: string }> = [];
        for (const input of ids) {
          const id = (await backend.call('show', { id: input }) as IssueRecord).id;
          await backend.call(verb === 'add' ? 'label_add' : 'label_remove', { id, label });
          out.push({ status: verb === 'add' ? 'added' : 'removed', issue_id: id, label });
        }
        if (argv.json) return printJson(out);
        for (const o of out) print(`✓ ${verb === 'add' ? 'Added' : 'Removed'} label '${label}' ${verb === 'add' ? 'to' : 'from'} ${o.issue_id}`);
      });
    },
  };
}

export const labelCommand: CommandModule<GlobalArgs, LabelArgs> = {
  command: 'label <command>',
  describe: 'Labels: add, remove, list, list-all',
  builder: (y) =>
    y
      .command(labelWrite('add'))
      .command(labelWrite('remove'))
      .command<LabelArgs>({
        command: 'list <id>',
        describe: 'The labels of ID',
        builder: (b) => b.positional('id', { type: 'string', demandOption: true }) as never,
        handler: async (argv) =>
          withBackend(argv, async (backend) => {
            const labels = (await backend.call('label_list', { id: argv.id })) as string[];
            if (argv.json) return printJson(labels);
            if (labels.length === 0) return print(`${argv.id} has no labels.`);
            for (const l of labels) print(`  ${l}`);
          }),
      })
      .command<LabelArgs>({
        command: 'list-all',
        describe: 'Every label and how many issues have it',
        handler: async (argv) =>
          withBackend(argv, async (backend) => {
            const labels = (await backend.call('label_list_all', {})) as Array<{ label: string; count: number }>;
            if (argv.json) return printJson(labels);
            if (labels.length === 0) return print('No labels.');
            for (const l of labels) print(`  ${l.label} (${l.count})`);
          }),
      })
      .demandCommand(1, 'label needs a subcommand: add, remove, list or list-all.'),
  handler: () => undefined,
};
