import * as fs from 'node:fs';
import type { CommandModule } from 'yargs';
import type { IssueRecord } from '../../jsonl/parse-jsonl';
import { withBackend, type GlobalArgs } from '../cli-context';
import { print, printJson } from '../render';
import { UsageError } from '../report-error';

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
  if (!argv.ids || argv.ids.length === 0) throw new UsageError(`No issue ID provided. Name the issues: \`bd-rx ${command} ID…\`.`);
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
      force: { alias: 'f', type: 'boolean', describe: 'Really delete (dependents outside the set are orphaned)' },
      'from-file': { type: 'string', describe: 'Ids to delete, one per line' },
      'dry-run': { type: 'boolean', describe: 'Show what would be deleted, change nothing' },
      cascade: { type: 'boolean', describe: 'Also delete every issue that depends on these, transitively' },
      hard: { type: 'boolean', describe: 'Accepted: bd-rx keeps no tombstones, every delete is hard' },
      reason: { type: 'string', describe: 'Accepted: bd-rx keeps no tombstones to store it in' },
    }),
  handler: async (argv) => {
    const ids = [...(argv.ids ?? [])];
    if (argv['from-file']) ids.push(...fs.readFileSync(argv['from-file'], 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')));
    if (ids.length === 0) throw new UsageError('No issue ID provided. Give the ids (`bd-rx delete ID… --force`) or --from-file FILE.');
    const cascade = argv.cascade === true;
    await withBackend(argv, async (backend) => {
      if (!argv.force || argv['dry-run']) {
        // bd's direct mode previews and changes nothing (even with --json: a person must look).
        const plan = (await backend.call('delete', { ids, cascade, force: true, dry_run: true })) as Record<string, any>;
        const doomed: string[] = plan.would_delete ?? [plan.deleted];
        print('⚠️  DELETE PREVIEW');
        print();
        print(`Issues to delete (${doomed.length}):`);
        for (const id of doomed) print(`  ${id}: ${String(((await backend.call('show', { id })) as IssueRecord).title)}`);
        print(`Would remove: ${plan.dependencies_removed} dependencies${plan.labels_removed !== undefined ? `, ${plan.labels_removed} labels` : ''}`);
        if (plan.orphaned_issues?.length) print(`Would orphan: ${plan.orphaned_issues.length} issues (${plan.orphaned_issues.join(', ')})`);
        print();
        if (argv['dry-run']) return print('(Dry-run mode - no changes made)');
        print('This operation cannot be undone!');
        return print(`To proceed, run: bd-rx delete ${ids.join(' ')}${cascade ? ' --cascade' : ''} --force`);
      }
      const result = (await backend.call('delete', {
        ids,
        force: true,
        ...(cascade ? { cascade } : {}),
        ...(argv.hard ? { hard: true } : {}),
        ...(argv.reason !== undefined ? { reason: argv.reason } : {}),
      })) as Record<string, any>;
      if (argv.json) return printJson(result);
      if (typeof result.deleted === 'string') {
        print(`✓ Deleted ${result.deleted}`);
        print(`  Removed ${result.dependencies_removed} dependency link(s)`);
        return print(`  Updated text references in ${result.references_updated} issue(s)`);
      }
      print(`✓ Deleted ${result.deleted_count} issue(s)`);
      print(`  Removed ${result.dependencies_removed} dependency link(s)`);
      print(`  Removed ${result.labels_removed} label(s)`);
      print(`  Updated text references in ${result.references_updated} issue(s)`);
      if (result.orphaned_issues.length) print(`  ⚠ Orphaned ${result.orphaned_issues.length} issue(s): ${result.orphaned_issues.join(', ')}`);
    });
  },
};
