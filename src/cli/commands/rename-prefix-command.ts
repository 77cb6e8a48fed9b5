import type { CommandModule } from 'yargs';
import { ValidationError } from '../../store/store-errors';
import { workspaceFor, type GlobalArgs } from '../cli-context';
import { globalFlags } from '../global-flags';
import { print, printJson } from '../render';
import { ReadonlyError, UsageError } from '../report-error';

type RenameArgs = GlobalArgs & { prefix?: string; 'dry-run'?: boolean; repair?: boolean };

/**
 * `rename-prefix NEW`: every issue id `OLD-x` becomes `NEW-x`, with every reference to it (see
 * `renameIds`). Like bd, it runs against the DB directly even while a daemon runs (the daemon
 * serves no such operation): the JSONL is imported first, so nothing only in the file is lost,
 * and exported after, under the export's write lock, so a running daemon sees one new file.
 */
export const renamePrefixCommand: CommandModule<GlobalArgs, RenameArgs> = {
  command: 'rename-prefix <prefix>',
  describe: 'Change the id prefix of every issue, and every reference to those ids',
  builder: (y) =>
    y.positional('prefix', { type: 'string', demandOption: true }).options({
      'dry-run': { type: 'boolean', describe: 'Show what would be renamed, change nothing' },
      repair: { type: 'boolean', describe: 'Consolidate several prefixes (not supported: refused)' },
    }) as never,
  handler: (argv) => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { normalizePrefix } = require('../../store/rename-ids') as typeof import('../../store/rename-ids');
    const { BeadsStore } = require('../../store/beads-store') as typeof import('../../store/beads-store');
    const { importJsonl } = require('../../sync/import-jsonl') as typeof import('../../sync/import-jsonl');
    const { LeanExporter } = require('../../sync/lean-exporter') as typeof import('../../sync/lean-exporter');
    /* eslint-enable @typescript-eslint/no-require-imports */
    let next: string;
    try {
      next = normalizePrefix(String(argv.prefix));
    } catch (err) {
      throw new UsageError(sentence((err as Error).message));
    }
    const dryRun = argv['dry-run'] === true;
    if (!dryRun && globalFlags().readonly) throw new ReadonlyError('rename-prefix');
    if (argv.repair) {
      throw new UsageError('--repair (merging several prefixes into one) is not supported by bd-rx. Rename each prefix’s issues with bd, or leave them as they are.');
    }
    const paths = workspaceFor(argv);
    const store = new BeadsStore(paths.dbPath);
    try {
      if (!globalFlags().noAutoImport) importJsonl(store, { jsonlPath: paths.jsonlPath });
      const old = store.prefix;
      const ids = [...store.idsAndLineBytes()].map(([id]) => id);
      const foreign = ids.filter((id) => !id.startsWith(`${old}-`));
      if (foreign.length) {
        throw new ValidationError(
          `cannot rename with multiple prefixes: ${foreign.length} issues do not start with "${old}-" (e.g. ${foreign.slice(0, 3).join(', ')}); ` +
            'bd-rx has no --repair: rename or remove those first',
        );
      }
      if (next === old && ids.length) throw new ValidationError(`new prefix is the same as current prefix: ${old}`);
      const renames = new Map(ids.map((id) => [id, `${next}-${id.slice(old.length + 1)}`]));
      if (ids.length === 0) {
        if (!dryRun) store.setMeta('issue_prefix', next);
        if (argv.json) return printJson({ old_prefix: old, new_prefix: next, issues_count: 0 });
        return print(`No issues to rename. Updating prefix to ${next}`);
      }
      if (dryRun) {
        if (argv.json) return printJson({ old_prefix: old, new_prefix: next, issues_count: ids.length, dry_run: true });
        print(`DRY RUN: Would rename ${ids.length} issues from prefix '${old}' to '${next}'`);
        print();
        print('Sample changes:');
        for (const [from, to] of [...renames].slice(0, 5)) print(`  ${from} -> ${to}`);
        if (ids.length > 5) print(`... and ${ids.length - 5} more issues`);
        return;
      }
      store.renameIds(renames, next);
      new LeanExporter(store, paths.jsonlPath).export();
      if (argv.json) return printJson({ old_prefix: old, new_prefix: next, issues_count: ids.length });
      print(`Renaming ${ids.length} issues from prefix '${old}' to '${next}'...`);
      print(`✓ Successfully renamed prefix from ${old} to ${next}`);
    } finally {
      store.dispose();
    }
  },
};

const sentence = (text: string): string => `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
