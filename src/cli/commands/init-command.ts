import type { CommandModule } from 'yargs';
import type { GlobalArgs } from '../cli-context';
import { print, printJson } from '../render';

interface InitArgs extends GlobalArgs {
  prefix?: string;
}

export const initCommand: CommandModule<GlobalArgs, InitArgs> = {
  command: 'init',
  describe: 'Create .beads/ here (or import the JSONL of a fresh clone)',
  builder: (y) => y.option('prefix', { type: 'string', describe: 'Issue id prefix (default: directory name)' }),
  handler: async (argv) => {
    const { initWorkspace } = await import('../../workspace/init-workspace');
    const root = argv.workspace ?? process.cwd();
    const r = initWorkspace(root, { prefix: argv.prefix });
    if (argv.json) {
      printJson({ workspace: r.paths.root, database: r.paths.dbPath, jsonl: r.paths.jsonlPath, prefix: r.prefix,
        created: r.created, imported: r.imported?.created ?? 0 });
      return;
    }
    print(`${r.created || r.imported ? 'Initialized' : 'Already initialized:'} bd-rx workspace in ${r.paths.beadsDir}`);
    print(`  Prefix: ${r.prefix}  (new ids look like ${r.prefix}-a1b2)`);
    if (r.imported) print(`  Imported ${r.imported.created} issues from ${r.paths.jsonlPath}`);
  },
};
