import * as path from 'node:path';
import type { CommandModule, Options } from 'yargs';
import type { EffectEvent } from '../../events/daemon-event';
import { exportReportOf, importReportOf } from '../../events/sync-report';
import type { ExportReport } from '../../sync/export-jsonl';
import type { ImportReport } from '../../sync/import-jsonl';
import { ValidationError } from '../../store/store-errors';
import { withBackend, type GlobalArgs } from '../cli-context';
import { escapeControls } from '../../text/escape-controls';
import { print, printJson } from '../render';
import { UsageError } from '../report-error';

type ExportArgs = GlobalArgs & { output?: string; force?: boolean };
type ImportArgs = GlobalArgs & { input?: string; force?: boolean };

export const exportCommand: CommandModule<GlobalArgs, ExportArgs> = {
  command: 'export',
  describe: 'Print the issues as JSONL (bd: stdout), or write them with -o FILE (-o .beads/issues.jsonl flushes)',
  builder: (y) =>
    y
      .option('output', { alias: 'o', type: 'string', describe: 'A file to write; - or none prints to stdout' })
      .option('format', { alias: 'f', type: 'string', describe: 'jsonl (the only format bd-rx writes)' })
      .option('force', { type: 'boolean', describe: 'Write even when clean; allow an empty export' }),
  handler: async (argv) => {
    const format = (argv as Record<string, unknown>).format;
    if (format !== undefined && format !== 'jsonl') {
      throw new UsageError(`The export format "${String(format)}" is not supported. bd-rx writes jsonl only: drop --format or give --format jsonl.`);
    }
    if (argv.output === undefined || argv.output === '-') {
      const { BeadsStore } = await import('../../store/beads-store');
      const { renderJsonl } = await import('../../sync/export-jsonl');
      const { importJsonl } = await import('../../sync/import-jsonl');
      const { workspaceFor } = await import('../cli-context');
      const paths = workspaceFor(argv);
      const store = new BeadsStore(paths.dbPath);
      try {
        // As every other command does, start from the JSONL as it is now (a pull included).
        importJsonl(store, { jsonlPath: paths.jsonlPath });
        process.stdout.write(renderJsonl(store).data);
      } finally {
        store.dispose();
      }
      return;
    }
    await withBackend(argv, async (backend, paths) => {
      const output = path.resolve(argv.output as string);
      // The workspace JSONL goes through the daemon's lane (or direct mode's own export).
      const workspaceFile = output === path.resolve(paths.jsonlPath);
      const r = exportReportOf(
        (await backend.call('export', { ...(workspaceFile ? {} : { output }), force: argv.force === true })) as ExportReport | EffectEvent,
      );
      if (argv.json) {
        // bd prints its export stats on stderr, keeping stdout for the data.
        process.stderr.write(JSON.stringify({ success: true, exported: r.issues, skipped: r.skipped ? 1 : 0, total_issues: r.issues, output_file: output }, null, 2) + '\n');
        return;
      }
      if (r.skipped) return print(`Nothing to export: ${paths.jsonlPath} is already current.`);
      print(`✓ Exported ${r.issues} issues (${r.bytes} bytes) to ${output} in ${r.ms} ms`);
    });
  },
};

/** Also read by the fast path (fast-path.ts), so both parsers know the same options. */
export const IMPORT_OPTIONS = {
  input: { alias: 'i', type: 'string', describe: 'Another JSONL file to merge in' },
  force: { type: 'boolean', describe: 'Read even if the file looks unchanged' },
  // bd's flags: refused (refuseUnsupportedImportFlags) or taken as what bd-rx does anyway.
  'skip-existing': { alias: 's', type: 'boolean', hidden: true },
  strict: { type: 'boolean', hidden: true },
  'dedupe-after': { type: 'boolean', hidden: true },
  'dry-run': { type: 'boolean', hidden: true },
  'rename-on-import': { type: 'boolean', hidden: true },
  'clear-duplicate-external-refs': { type: 'boolean', hidden: true },
  'orphan-handling': { type: 'string', hidden: true },
  'protect-left-snapshot': { type: 'boolean', hidden: true },
  'git-history': { type: 'boolean', hidden: true },
} satisfies Record<string, Options>;

export const importCommand: CommandModule<GlobalArgs, ImportArgs> = {
  command: 'import',
  describe: 'Merge the JSONL (or -i FILE) into the database',
  builder: (y) => y.options(IMPORT_OPTIONS),
  handler: async (argv) => {
    refuseUnsupportedImportFlags(argv as Record<string, unknown>);
    // `-i` with nothing after it: yargs gives '', which would import the workspace's own file instead.
    if (argv.input === '') throw new UsageError('-i/--input needs a file: give the JSONL to merge in (`bd-rx import -i other.jsonl`), or leave -i out to import .beads/issues.jsonl.');
    await withBackend(argv, async (backend, paths) => {
      const input = argv.input ? path.resolve(argv.input) : undefined;
      const r = importReportOf((await backend.call('import', { ...(input ? { input } : {}), force: argv.force === true })) as ImportReport | EffectEvent);
      if (argv.json) return printJson(r);
      if (r.skipped) return print(`Nothing to import: ${input ?? paths.jsonlPath} is ${r.skipped}.`);
      print(`✓ Imported ${input ?? paths.jsonlPath}: ${r.created} created, ${r.updated} updated, ${r.deleted} deleted, ${r.unchanged} unchanged (${r.ms} ms)`);
      for (const d of r.duplicates ?? []) process.stderr.write(`warning: ${escapeControls(d.id)} appears on lines ${d.lines.join(', ')}; kept line ${d.kept_line} (newest updated_at)\n`);
      const w = r.warnings;
      if (w && (w.unknown_status || w.unknown_type || w.unusual_priority)) {
        process.stderr.write(`warning: kept as-is: ${w.unknown_status} unusual statuses, ${w.unknown_type} unusual/missing issue types, ${w.unusual_priority} unusual/missing priorities\n`);
      }
      if (w && (w.future_timestamp || w.bad_timestamp)) {
        process.stderr.write(`warning: ${w.future_timestamp} records dated more than a day ahead of this clock, ${w.bad_timestamp} with a malformed timestamp (counted as oldest): check the clock of the machine that wrote them\n`);
      }
      if (r.kept_local?.length) process.stderr.write(`note: kept the newer local copy of ${escapeControls(r.kept_local.join(', '))}\n`);
      if (r.overwritten_local?.length) process.stderr.write(`warning: unexported local changes replaced by newer incoming versions: ${r.overwritten_local.join(', ')}\n`);
    });
  },
};

/**
 * bd's import flags that would change what an import does: bd-rx's import cannot honour them,
 * and ignoring one (a dry run that writes, say) would be worse than refusing it.
 */
function refuseUnsupportedImportFlags(argv: Record<string, unknown>): void {
  const given = ['dry-run', 'skip-existing', 'rename-on-import', 'dedupe-after', 'clear-duplicate-external-refs'].filter((f) => argv[f]);
  const orphans = argv['orphan-handling'];
  if (orphans !== undefined && orphans !== 'allow') given.push(`orphan-handling ${String(orphans)}`);
  if (given.length) {
    throw new ValidationError(
      `import does not support ${given.map((f) => `--${f}`).join(', ')} in bd-rx: it merges the file by updated_at, keeping orphans; run it without ${given.length > 1 ? 'them' : 'it'}`,
    );
  }
}
