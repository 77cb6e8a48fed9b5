import * as fs from 'node:fs';
import type { CommandModule } from 'yargs';
import type { IssueRecord } from '../../jsonl/parse-jsonl';
import { withBackend, type GlobalArgs } from '../cli-context';
import { issueLine, print, printJson } from '../render';
import { ISSUE_FLAGS, issueFieldArgs, splitList } from './issue-flags';
import { pick } from './list-args';
import { UsageError } from '../report-error';

type UpdateArgs = GlobalArgs & Record<string, unknown> & { ids?: string[] };

export const updateCommand: CommandModule<GlobalArgs, UpdateArgs> = {
  command: 'update [ids..]',
  describe: 'Change fields of issues',
  builder: (y) =>
    y
      .positional('ids', { type: 'string', array: true })
      .options(ISSUE_FLAGS)
      .options({
        status: { alias: 's', type: 'string' },
        title: { type: 'string' },
        'add-label': { type: 'string', array: true },
        'remove-label': { type: 'string', array: true },
        'set-labels': { type: 'string', array: true, describe: 'Replace all labels' },
        parent: { type: 'string', describe: 'New parent ("" removes it)' },
        claim: { type: 'boolean', describe: 'Assign to yourself and start (fails if someone has it)' },
        session: { type: 'string', describe: 'Session id stored when the status becomes closed' },
        metadata: { type: 'string', describe: 'JSON metadata, or @file' },
        'await-id': { type: 'string', hidden: true },
        ephemeral: { type: 'boolean', hidden: true },
        persistent: { type: 'boolean', hidden: true },
      }),
  handler: async (argv) => {
    const ids = argv.ids ?? [];
    if (ids.length === 0) throw new UsageError('No issue ID provided. Name the issues: `bd-rx update ID… --status in_progress`.');
    const fields: Record<string, unknown> = {
      ...issueFieldArgs(argv),
      ...pick(argv, { status: 'status', title: 'title', parent: 'parent' }),
    };
    if (argv['add-label'] !== undefined) fields.add_labels = splitList(argv['add-label']);
    if (argv['remove-label'] !== undefined) fields.remove_labels = splitList(argv['remove-label']);
    if (argv['set-labels'] !== undefined) fields.set_labels = splitList(argv['set-labels']);
    if (argv.claim) fields.claim = true;
    if (typeof argv.session === 'string' || process.env.CLAUDE_SESSION_ID) fields.session = argv.session ?? process.env.CLAUDE_SESSION_ID;
    if (typeof argv.metadata === 'string') {
      const text = argv.metadata.startsWith('@') ? fs.readFileSync(argv.metadata.slice(1), 'utf8') : argv.metadata;
      try {
        fields.metadata = JSON.parse(text);
      } catch {
        throw new UsageError('--metadata is not JSON. Give a JSON object, or @FILE holding one.');
      }
    }
    const appendNotes = typeof argv['append-notes'] === 'string' ? argv['append-notes'] : undefined;
    const changes = Object.keys(fields).filter((k) => k !== 'session');
    if (changes.length === 0 && appendNotes === undefined) return print('No updates specified');
    await withBackend(argv, async (backend) => {
      const out: IssueRecord[] = [];
      for (const id of ids) {
        const args: Record<string, unknown> = { id, ...fields };
        if (appendNotes !== undefined) {
          const current = (await backend.call('show', { id })) as IssueRecord;
          args.notes = current.notes ? `${String(current.notes)}\n${appendNotes}` : appendNotes;
        }
        out.push((await backend.call('update', args)) as IssueRecord);
      }
      if (argv.json) return printJson(out);
      for (const issue of out) print(`✓ Updated ${issueLine(issue)}`);
    });
  },
};
