import type { CommandModule } from 'yargs';
import type { IssueRecord } from '../../jsonl/parse-jsonl';
import { withBackend, type GlobalArgs } from '../cli-context';
import { print, printJson } from '../render';
import { ISSUE_FLAGS, issueFieldArgs, splitList } from './issue-flags';
import { UsageError } from '../report-error';

/** bd's create flags that have no meaning here: accepted, and nothing else. */
const IGNORED = ['repo', 'rig', 'prefix', 'mol-type', 'wisp-type', 'agent-rig', 'event-category', 'event-actor', 'event-target',
  'event-payload', 'waits-for', 'waits-for-gate', 'file'];

export const createCommand: CommandModule<GlobalArgs, GlobalArgs & Record<string, unknown>> = {
  command: 'create [title]',
  aliases: ['new'],
  describe: 'Create an issue',
  builder: (y) =>
    y
      .positional('title', { type: 'string' })
      .options(ISSUE_FLAGS)
      .options({
        title: { type: 'string', describe: 'The title (instead of the positional)' },
        labels: { alias: ['l', 'label'], type: 'string', array: true, describe: 'Comma-separated labels' },
        deps: { type: 'string', array: true, describe: 'Dependencies, TYPE:ID or ID (blocks)' },
        id: { type: 'string', describe: 'Use this id instead of a generated one' },
        parent: { type: 'string', describe: 'Make it a child <parent>.N of this issue' },
        silent: { type: 'boolean', describe: 'Print only the new id' },
        'dry-run': { type: 'boolean', describe: 'Print the issue it would create; create nothing' },
        force: { type: 'boolean', hidden: true },
        ephemeral: { type: 'boolean', hidden: true },
        validate: { type: 'boolean', hidden: true },
        ...Object.fromEntries(IGNORED.map((n) => [n, { type: 'string', hidden: true }])),
      }),
  handler: async (argv) => {
    // The positional and --title share one key; given both, yargs makes it an array.
    const titles = [argv.title].flat().filter((t): t is string => typeof t === 'string');
    if (new Set(titles).size > 1) throw new UsageError(`The title is given twice, differently (${titles.map((t) => JSON.stringify(t)).join(' and ')}). Give one.`);
    const title = titles[0];
    if (!title || title.trim() === '') throw new UsageError('A title is required. Give it as `bd-rx create "Title"` or with --title "Title".');
    const args: Record<string, unknown> = { title, issue_type: 'task', priority: 2, ...issueFieldArgs(argv) };
    for (const k of ['id', 'parent'] as const) if (typeof argv[k] === 'string') args[k] = argv[k];
    if (argv.labels !== undefined) args.labels = splitList(argv.labels);
    if (argv.deps !== undefined) args.dependencies = splitList(argv.deps);
    if (argv['dry-run']) {
      // bd prints the issue as it would be created: no id yet, nothing written.
      const now = new Date().toISOString();
      const { title: t, priority, issue_type, ...rest } = args;
      const preview = { id: '', title: t, ...rest, status: 'open', priority, issue_type, created_at: now, updated_at: now };
      delete (preview as Record<string, unknown>).dependencies;
      if (argv.json) return printJson(preview);
      return print(`Would create: ${String(t)} [P${String(priority)}] [${String(issue_type)}]`);
    }
    await withBackend(argv, async (backend) => {
      const issue = (await backend.call('create', args)) as IssueRecord;
      if (argv.silent) return print(issue.id);
      if (argv.json) return printJson(issue);
      print(`✓ Created issue: ${issue.id}`);
      print(`  Title: ${String(issue.title)}`);
      print(`  Priority: P${String(issue.priority)}`);
      print(`  Status: ${String(issue.status)}`);
    });
  },
};
