import type { Argv, CommandModule } from 'yargs';
import type { HooksChange } from '../../git/git-hooks';
import { workspaceFor, type GlobalArgs } from '../cli-context';
import { print, printJson } from '../render';

const SAID: Record<HooksChange['hooks'][number]['action'], string> = {
  created: 'installed',
  chained: 'installed (the hook that was there runs first)',
  updated: 'updated',
  unchanged: 'already installed',
  removed: 'removed',
  restored: 'removed (the earlier hook is back)',
  absent: 'not installed',
  'left-alone': 'not bd-rx\'s: left alone',
};

/** Prints what install/uninstall did; shared so both read the same. */
export function printHooksChange(change: HooksChange): void {
  for (const h of change.hooks) print(`  ${h.name}: ${SAID[h.action]}`);
  print(`  .gitattributes (${'.beads/issues.jsonl merge=bd-rx'}): ${change.attributes}`);
  print(`  merge driver config (merge.bd-rx.*): ${change.driver}`);
}

async function install(argv: GlobalArgs): Promise<void> {
  const { installHooks } = await import('../../git/git-hooks');
  const change = await installHooks(workspaceFor(argv).root);
  if (argv.json) return printJson(change);
  print('✓ bd-rx git hooks and merge driver installed');
  printHooksChange(change);
}

async function uninstall(argv: GlobalArgs): Promise<void> {
  const { uninstallHooks } = await import('../../git/git-hooks');
  const change = await uninstallHooks(workspaceFor(argv).root);
  if (argv.json) return printJson(change);
  print('✓ bd-rx git hooks and merge driver removed');
  printHooksChange(change);
}

async function list(argv: GlobalArgs): Promise<void> {
  const { hooksStatus } = await import('../../git/git-hooks');
  const s = await hooksStatus(workspaceFor(argv).root);
  if (argv.json) {
    return printJson({
      hooks_dir: s.repo.hooksDir,
      hooks: s.hooks,
      gitattributes: s.attributes,
      merge_driver: s.driver,
    });
  }
  print(`Hooks in ${s.repo.hooksDir}:`);
  for (const h of s.hooks) {
    const state = { installed: 'installed', outdated: 'installed, outdated (run `bd-rx hooks install`)', missing: 'not installed', other: 'another hook (not bd-rx)' }[h.state];
    print(`  ${h.name.padEnd(13)} ${state}${h.chained ? `, runs ${h.name}.bd-rx-chained first` : ''}`);
  }
  print(`Merge driver: ${s.driver.configured ? 'configured' : 'not configured'} (merge.bd-rx.driver), .gitattributes ${s.attributes.present ? 'has' : 'lacks'} the JSONL line`);
}

const sub = (command: string, describe: string, handler: (argv: GlobalArgs) => Promise<void>): CommandModule<GlobalArgs, GlobalArgs> => ({
  command,
  describe,
  handler,
});

export const hooksCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'hooks <action>',
  describe: 'Git hooks and the JSONL merge driver: install|uninstall|list',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .command(sub('install', 'Install the hooks (chaining existing ones), .gitattributes line and merge driver; idempotent', install))
      .command(sub('uninstall', 'Remove exactly what install added, putting chained hooks back', uninstall))
      .command(sub('list', 'Show the state of each hook and of the merge driver', list))
      .demandCommand(1, 'Name an action: install, uninstall or list'),
  handler: () => undefined,
};
