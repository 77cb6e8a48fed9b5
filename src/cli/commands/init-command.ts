import type { CommandModule } from 'yargs';
import type { GlobalArgs } from '../cli-context';
import { print, printJson } from '../render';

interface InitArgs extends GlobalArgs {
  prefix?: string;
  hooks?: boolean;
}

export const initCommand: CommandModule<GlobalArgs, InitArgs> = {
  command: 'init',
  describe: 'Create .beads/ here (or import the JSONL of a fresh clone)',
  builder: (y) =>
    y
      .option('prefix', { type: 'string', describe: 'Issue id prefix (default: directory name)' })
      .option('hooks', { type: 'boolean', describe: 'Also install the git hooks and merge driver (--no-hooks: do not suggest them)' }),
  handler: async (argv) => {
    const { initWorkspace } = await import('../../workspace/init-workspace');
    const root = argv.workspace ?? process.cwd();
    const r = initWorkspace(root, { prefix: argv.prefix });
    const hooks = argv.hooks === true ? await (await import('../../git/git-hooks')).installHooks(r.paths.root) : undefined;
    // Offered, not imposed: without a choice, say how to get them when they are missing.
    const offer = argv.hooks === undefined && !argv.json ? await hooksMissing(r.paths.root) : false;
    if (argv.json) {
      printJson({ workspace: r.paths.root, database: r.paths.dbPath, jsonl: r.paths.jsonlPath, prefix: r.prefix,
        created: r.created, imported: r.imported?.created ?? 0, ...(hooks ? { hooks } : {}) });
      return;
    }
    print(`${r.created || r.imported ? 'Initialized' : 'Already initialized:'} bd-rx workspace in ${r.paths.beadsDir}`);
    print(`  Prefix: ${r.prefix}  (new ids look like ${r.prefix}-a1b2)`);
    if (r.imported) print(`  Imported ${r.imported.created} issues from ${r.paths.jsonlPath}`);
    if (hooks) {
      print('  Git hooks and merge driver installed:');
      (await import('./hooks-command')).printHooksChange(hooks);
    }
    if (offer) print('  Tip: `bd-rx hooks install` (or `bd-rx init --hooks`) adds git hooks and a merge driver for the JSONL');
  },
};

/** In a git work tree whose bd-rx hooks or merge driver are not (all) installed. */
async function hooksMissing(root: string): Promise<boolean> {
  const { hooksStatus, HooksError } = await import('../../git/git-hooks');
  try {
    const s = await hooksStatus(root);
    return !s.driver.configured || s.hooks.some((h) => h.state !== 'installed');
  } catch (err) {
    if (err instanceof HooksError) return false; // not in git: nothing to offer
    throw err;
  }
}
