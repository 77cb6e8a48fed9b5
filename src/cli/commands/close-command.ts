import * as fs from 'node:fs';
import type { CommandModule } from 'yargs';
import type { IssueRecord } from '../../jsonl/parse-jsonl';
import { ValidationError } from '../../store/store-errors';
import { withBackend, type GlobalArgs } from '../cli-context';
import { print, printJson } from '../render';

type IdsArgs = GlobalArgs & { ids?: string[]; reason?: string } & Record<string, unknown>;

/**
 * bd's multi-id writes: every id is tried; one that fails is reported on stderr and skipped
 * (exit stays 0); the JSON array holds the ones that succeeded, and is not printed if none did.
 */
async function eachId(argv: IdsArgs, verb: string, run: (id: string) => Promise<IssueRecord>): Promise<void> {
  const ids = argv.ids ?? [];
  const out: IssueRecord[] = [];
  for (const id of ids) {
    try {
      out.push(await run(id));
    } catch (err) {
      // One id: its error is the command's error (bd's JSON error for a single target).
      if (ids.length === 1) throw err;
      process.stderr.write(`Error: ${id}: ${(err as Error).message}\n`);
    }
  }
  if (out.length === 0) return;
  if (argv.json) return printJson(out);
  for (const i of out) print(`✓ ${verb} ${i.id}: ${String(i.title)}`);
}

function needIds(argv: IdsArgs, command: string): void {
  if (!argv.ids || argv.ids.length === 0) throw new ValidationError(`no issue ID provided: \`bd-rx ${command} ID…\``);
}

export const closeCommand: CommandModule<GlobalArgs, IdsArgs> = {
  command: 'close [ids..]',
  describe: 'Close issues',
  builder: (y) =>
    y.positional('ids', { type: 'string', array: true }).options({
      reason: { alias: ['r', 'resolution', 'm', 'message'], type: 'string', describe: 'Why (default "Closed")' },
      force: { alias: 'f', type: 'boolean', describe: 'Close even when open issues block it' },
      session: { type: 'string' },
      continue: { type: 'boolean', hidden: true },
      auto: { type: 'boolean', hidden: true },
      'suggest-next': { type: 'boolean', hidden: true },
    }),
  handler: async (argv) => {
    needIds(argv, 'close');
    await withBackend(argv, (backend) =>
      eachId(argv, 'Closed', async (id) => {
        const args: Record<string, unknown> = { id, reason: argv.reason ?? 'Closed' };
        if (argv.force) args.force = true;
        const session = (argv.session as string | undefined) ?? process.env.CLAUDE_SESSION_ID;
        if (session) args.session = session;
        return (await backend.call('close', args)) as IssueRecord;
      }),
    );
  },
};

export const reopenCommand: CommandModule<GlobalArgs, IdsArgs> = {
  command: 'reopen [ids..]',
  describe: 'Reopen closed issues (-r REASON is added as a comment)',
  builder: (y) => y.positional('ids', { type: 'string', array: true }).option('reason', { alias: 'r', type: 'string' }),
  handler: async (argv) => {
    needIds(argv, 'reopen');
    await withBackend(argv, (backend) =>
      eachId(argv, 'Reopened', async (id) => {
        const issue = (await backend.call('reopen', { id })) as IssueRecord;
        if (argv.reason) await backend.call('comment_add', { id: issue.id, text: argv.reason });
        return issue;
      }),
    );
  },
};

export const deferCommand: CommandModule<GlobalArgs, IdsArgs & { until?: string }> = {
  command: 'defer [ids..]',
  describe: 'Put issues on ice (status deferred; --until hides them from ready until then)',
  builder: (y) => y.positional('ids', { type: 'string', array: true }).option('until', { type: 'string' }),
  handler: async (argv) => {
    needIds(argv, 'defer');
    await withBackend(argv, (backend) =>
      eachId(argv, 'Deferred', async (id) =>
        (await backend.call('update', { id, status: 'deferred', ...(argv.until ? { defer_until: argv.until } : {}) })) as IssueRecord,
      ),
    );
  },
};

export const undeferCommand: CommandModule<GlobalArgs, IdsArgs> = {
  command: 'undefer [ids..]',
  describe: 'Back to open, the defer date cleared',
  builder: (y) => y.positional('ids', { type: 'string', array: true }),
  handler: async (argv) => {
    needIds(argv, 'undefer');
    await withBackend(argv, (backend) =>
      eachId(argv, 'Undeferred', async (id) => (await backend.call('update', { id, status: 'open', defer_until: '' })) as IssueRecord),
    );
  },
};

type DeleteArgs = IdsArgs & { force?: boolean; 'from-file'?: string; 'dry-run'?: boolean; cascade?: boolean; hard?: boolean };

export const deleteCommand: CommandModule<GlobalArgs, DeleteArgs> = {
  command: 'delete [ids..]',
  describe: 'Delete issues: a preview, unless --force',
  builder: (y) =>
    y.positional('ids', { type: 'string', array: true }).options({
      force: { alias: 'f', type: 'boolean', describe: 'Really delete' },
      'from-file': { type: 'string', describe: 'Ids to delete, one per line' },
      'dry-run': { type: 'boolean' },
      cascade: { type: 'boolean', describe: 'Also delete dependents (not supported: refused)' },
      hard: { type: 'boolean', hidden: true },
      reason: { type: 'string', hidden: true },
    }),
  handler: async (argv) => {
    const ids = [...(argv.ids ?? [])];
    if (argv['from-file']) ids.push(...fs.readFileSync(argv['from-file'], 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')));
    if (ids.length === 0) throw new ValidationError('no issue ID provided: `bd-rx delete ID… --force`');
    await withBackend(argv, async (backend) => {
      if (!argv.force || argv['dry-run']) {
        // bd's direct mode previews and changes nothing (even with --json: a person must look).
        print('⚠️  DELETE PREVIEW');
        for (const id of ids) {
          const d = (await backend.call('show', { id })) as IssueRecord & { dependencies?: unknown[]; dependents?: unknown[] };
          print(`  ${d.id}: ${String(d.title)} (${d.dependencies?.length ?? 0} dependencies, ${d.dependents?.length ?? 0} dependents)`);
        }
        print('Run again with --force to delete.');
        return;
      }
      const out: unknown[] = [];
      for (const id of ids) out.push(await backend.call('delete', { id, ...(argv.cascade ? { cascade: true } : {}) }));
      if (argv.json) return printJson(out.length === 1 ? out[0] : out);
      for (const id of ids) print(`✓ Deleted ${id}`);
    });
  },
};
