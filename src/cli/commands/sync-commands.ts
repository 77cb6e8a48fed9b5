import * as path from 'node:path';
import type { CommandModule } from 'yargs';
import type { EffectEvent } from '../../events/daemon-event';
import { exportReportOf, importReportOf } from '../../events/sync-report';
import type { ExportReport } from '../../sync/export-jsonl';
import type { ImportReport } from '../../sync/import-jsonl';
import { withBackend, type GlobalArgs } from '../cli-context';
import { escapeControls } from '../../text/escape-controls';
import { print, printJson } from '../render';

type ExportArgs = GlobalArgs & { output?: string; force?: boolean };
type ImportArgs = GlobalArgs & { input?: string; force?: boolean };

export const exportCommand: CommandModule<GlobalArgs, ExportArgs> = {
  command: 'export',
  describe: 'Write the issues to the JSONL (or -o FILE, - for stdout)',
  builder: (y) =>
    y
      .option('output', { alias: 'o', type: 'string', describe: 'Another file; - prints to stdout' })
      .option('force', { type: 'boolean', describe: 'Write even when clean; allow an empty export' }),
  handler: async (argv) => {
    if (argv.output === '-') {
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
      const output = argv.output ? path.resolve(argv.output) : undefined;
      const r = exportReportOf((await backend.call('export', { ...(output ? { output } : {}), force: argv.force === true })) as ExportReport | EffectEvent);
      if (argv.json) return printJson(r);
      if (r.skipped) return print(`Nothing to export: ${paths.jsonlPath} is already current.`);
      print(`✓ Exported ${r.issues} issues (${r.bytes} bytes) to ${output ?? paths.jsonlPath} in ${r.ms} ms`);
    });
  },
};

export const importCommand: CommandModule<GlobalArgs, ImportArgs> = {
  command: 'import',
  describe: 'Merge the JSONL (or -i FILE) into the database',
  builder: (y) =>
    y
      .option('input', { alias: 'i', type: 'string', describe: 'Another JSONL file to merge in' })
      .option('force', { type: 'boolean', describe: 'Read even if the file looks unchanged' }),
  handler: async (argv) =>
    withBackend(argv, async (backend, paths) => {
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
    }),
};
