import type { CommandModule } from 'yargs';
import type { BeadsStore as Store } from '../../store/beads-store';
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
      repair: { type: 'boolean', describe: 'Consolidate several prefixes into NEW: issues with another prefix get new ids' },
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
    const paths = workspaceFor(argv);
    const store = new BeadsStore(paths.dbPath);
    try {
      if (!globalFlags().noAutoImport) importJsonl(store, { jsonlPath: paths.jsonlPath });
      const old = store.prefix;
      const ids = [...store.idsAndLineBytes()].map(([id]) => id);
      if (argv.repair) {
        const exportJsonl = () => void new LeanExporter(store, paths.jsonlPath).export();
        return repairPrefixes(store, exportJsonl, next, ids, { dryRun, json: argv.json === true, actor: argv.actor });
      }
      const foreign = ids.filter((id) => !id.startsWith(`${old}-`));
      if (foreign.length) {
        throw new ValidationError(
          `cannot rename with multiple prefixes: ${foreign.length} issues do not start with "${old}-" (e.g. ${foreign.slice(0, 3).join(', ')}); ` +
            `use --repair to give them new ids under one prefix (bd-rx rename-prefix ${next} --repair)`,
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

/**
 * `rename-prefix NEW --repair`, as bd does it: issues whose id does not start with `NEW-` get a
 * new hash id under NEW (in order of their old prefix, then id), every reference to them is
 * rewritten in every issue, the prefix becomes NEW, and the JSONL is exported. Issues already
 * under NEW keep their ids.
 */
function repairPrefixes(
  store: Store,
  exportJsonl: () => void,
  target: string,
  ids: string[],
  opts: { dryRun: boolean; json: boolean; actor?: string },
): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { hashId } = require('../../store/hash-id') as typeof import('../../store/hash-id');
  const { defaultActor } = require('../../ops/operation-context') as typeof import('../../ops/operation-context');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const prefixOf = (id: string) => {
    const dash = id.lastIndexOf('-');
    return dash > 0 ? id.slice(0, dash) : id;
  };
  const correct = ids.filter((id) => id.startsWith(`${target}-`));
  const incorrect = ids
    .filter((id) => !id.startsWith(`${target}-`))
    .sort((a, b) => prefixOf(a).localeCompare(prefixOf(b)) || a.localeCompare(b));
  const prefixes = new Set(ids.map((id) => (id.startsWith(`${target}-`) ? target : prefixOf(id))));
  const used = new Set(ids);
  const renames = new Map<string, string>();
  for (const id of incorrect) {
    const rec = store.require(id);
    const next = hashId(
      {
        prefix: target,
        title: String(rec.title ?? ''),
        description: String(rec.description ?? ''),
        creator: String(rec.created_by ?? opts.actor ?? defaultActor()),
        createdAt: String(rec.created_at ?? ''),
      },
      (candidate) => used.has(candidate),
    );
    used.add(next);
    renames.set(id, next);
  }
  const result = { target_prefix: target, prefixes_found: prefixes.size, issues_repaired: incorrect.length, issues_unchanged: correct.length };
  if (opts.dryRun) {
    if (opts.json) return printJson(result);
    print(`DRY RUN: Would repair ${incorrect.length} issues with incorrect prefixes`);
    print();
    print(`Issues with correct prefix (${target}): ${correct.length}`);
    print(`Issues to repair: ${incorrect.length}`);
    if (renames.size) {
      print();
      print('Planned renames (showing first 10):');
      for (const [from, to] of [...renames].slice(0, 10)) print(`  ${from} -> ${to}`);
      if (renames.size > 10) print(`... and ${renames.size - 10} more`);
    }
    return;
  }
  store.renameIds(renames, target, correct);
  exportJsonl();
  if (opts.json) return printJson(result);
  for (const [from, to] of renames) print(`  Renamed ${from} -> ${to}`);
  print(`✓ Successfully consolidated ${prefixes.size} prefixes into ${target}`);
  print(`  ${incorrect.length} issues repaired, ${correct.length} issues unchanged`);
}

const sentence = (text: string): string => `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
