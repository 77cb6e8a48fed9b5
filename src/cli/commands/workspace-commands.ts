import type { CommandModule } from 'yargs';
import { BD_COMPAT_VERSION, BD_RX_VERSION, versionLine } from '../../version';
import { findWorkspaceRoot } from '../../workspace/workspace-paths';
import { openBackend, withBackend, type GlobalArgs } from '../cli-context';
import { globalFlags } from '../global-flags';
import { print, printJson } from '../render';

type Args = GlobalArgs & Record<string, unknown>;

export class NoBeadsDirectoryError extends Error {
  constructor() {
    super('no beads directory found');
    this.name = 'NoBeadsDirectoryError';
  }
}

export const versionCommand: CommandModule<GlobalArgs, Args> = {
  command: 'version',
  describe: "The version, in bd's shape (bd-rx reproduces bd " + BD_COMPAT_VERSION + ')',
  handler: async (argv) => {
    if (argv.json) return printJson({ version: BD_COMPAT_VERSION, build: `bd-rx-${BD_RX_VERSION}` });
    print(versionLine());
  },
};

export const whereCommand: CommandModule<GlobalArgs, Args> = {
  command: 'where',
  describe: 'The .beads directory in use',
  handler: async (argv) => {
    if (!argv.workspace && !process.env.BEADS_DIR && !globalFlags().db && !findWorkspaceRoot(process.cwd())) throw new NoBeadsDirectoryError();
    await withBackend(argv, async (backend, paths) => {
      const prefix = ((await backend.call('get_config', { key: 'issue_prefix' })) as { value: string }).value;
      const out = { path: paths.beadsDir, ...(prefix ? { prefix } : {}), database_path: paths.dbPath };
      if (argv.json) return printJson(out);
      print(out.path);
    });
  },
};

export const infoCommand: CommandModule<GlobalArgs, Args> = {
  command: 'info',
  describe: 'The database, the mode (daemon or direct) and the config',
  builder: (y) => y.options({ schema: { type: 'boolean', hidden: true }, 'whats-new': { type: 'boolean', hidden: true }, thanks: { type: 'boolean', hidden: true } }) as never,
  handler: async (argv) => {
    const { backend, paths } = await openBackend(argv);
    try {
      const info: Record<string, unknown> = { database_path: paths.dbPath, mode: backend.mode, daemon_connected: backend.mode === 'daemon' };
      if (backend.mode === 'daemon') {
        const { socketPathFor } = await import('../../rpc/socket-path');
        const h = (await backend.call('health', {})) as { version?: string; status?: string; compatible?: boolean; uptime_seconds?: number };
        Object.assign(info, { socket_path: socketPathFor(paths.root), daemon_version: h.version, daemon_status: h.status, daemon_compatible: h.compatible, daemon_uptime: h.uptime_seconds });
      } else {
        const flags = globalFlags();
        info.daemon_fallback_reason = argv.daemon === false || flags.sandbox ? 'flag_no_daemon' : 'connect_failed';
        info.daemon_detail = argv.daemon === false || flags.sandbox ? 'direct mode asked for' : 'no daemon answers on the workspace socket';
      }
      info.issue_count = ((await backend.call('count', {})) as { count: number }).count;
      info.config = await backend.call('config_list', {});
      if (argv.json) return printJson(info);
      for (const [k, v] of Object.entries(info)) print(`${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
    } finally {
      backend.close();
    }
  },
};

type ConfigArgs = GlobalArgs & { key?: string; value?: string };

function configSub(name: 'get' | 'set' | 'unset', op: string, describe: string): CommandModule<GlobalArgs, ConfigArgs> {
  return {
    command: name === 'set' ? 'set <key> <value>' : `${name} <key>`,
    describe,
    handler: async (argv) =>
      withBackend(argv, async (backend) => {
        const r = (await backend.call(op as 'get_config', { key: argv.key, ...(name === 'set' ? { value: String(argv.value) } : {}) })) as { key: string; value?: string };
        if (argv.json) return printJson(r);
        if (name === 'get') return print(r.value ?? '');
        print(name === 'set' ? `Set ${r.key} = ${String(r.value)}` : `Unset ${r.key}`);
      }),
  };
}

export const configCommand: CommandModule<GlobalArgs, ConfigArgs> = {
  command: 'config <command>',
  describe: 'Workspace settings: get, set, list, unset',
  builder: (y) =>
    y
      .command(configSub('get', 'get_config', 'The value of KEY ("" when unset)'))
      .command(configSub('set', 'config_set', 'Set KEY to VALUE'))
      .command(configSub('unset', 'config_unset', 'Remove KEY'))
      .command<ConfigArgs>({
        command: 'list',
        describe: 'Every key and value',
        handler: async (argv) =>
          withBackend(argv, async (backend) => {
            const all = (await backend.call('config_list', {})) as Record<string, string>;
            if (argv.json) return printJson(all);
            for (const [k, v] of Object.entries(all)) print(`${k} = ${v}`);
          }),
      })
      .demandCommand(1, 'config needs a subcommand: get, set, list or unset.'),
  handler: () => undefined,
};

export const epicCommand: CommandModule<GlobalArgs, Args> = {
  command: 'epic <command>',
  describe: 'Epics: status, close-eligible',
  builder: (y) =>
    y
      .command<Args>({
        command: 'status',
        describe: 'Each open epic with how many of its children are closed',
        builder: (b) => b.option('eligible-only', { type: 'boolean' }) as never,
        handler: async (argv) =>
          withBackend(argv, async (backend) => {
            const list = ((await backend.call('epic_status', { eligible_only: argv['eligible-only'] === true })) as Array<Record<string, any>> | null) ?? [];
            if (argv.json) return printJson(list);
            if (list.length === 0) return print('No open epics.');
            for (const e of list) print(`${e.epic.id} ${e.closed_children}/${e.total_children} closed${e.eligible_for_close ? ' (eligible to close)' : ''} - ${e.epic.title}`);
          }),
      })
      .command<Args>({
        command: 'close-eligible',
        describe: 'Close every epic whose children are all closed',
        builder: (b) => b.option('dry-run', { type: 'boolean' }) as never,
        handler: async (argv) =>
          withBackend(argv, async (backend) => {
            const eligible = ((await backend.call('epic_status', { eligible_only: true })) as Array<Record<string, any>> | null) ?? [];
            if (argv['dry-run']) {
              if (argv.json) return printJson(eligible);
              return print(eligible.length ? `Would close: ${eligible.map((e) => e.epic.id).join(', ')}` : 'No epics are eligible to close.');
            }
            const closed: string[] = [];
            for (const e of eligible) {
              await backend.call('close', { id: e.epic.id, reason: 'All children completed' });
              closed.push(e.epic.id);
            }
            if (argv.json) return printJson({ closed, count: closed.length });
            print(closed.length ? `✓ Closed ${closed.length} epics: ${closed.join(', ')}` : 'No epics are eligible to close.');
          }),
      })
      .demandCommand(1, 'epic needs a subcommand: status or close-eligible.'),
  handler: () => undefined,
};
