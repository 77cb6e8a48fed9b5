import { parseArgs } from 'node:util';
import type { Options } from 'yargs';
import { GLOBAL_OPTIONS } from './global-options';

type OptionTable = Record<string, Options>;
type Handler = (argv: Record<string, unknown>) => Promise<void> | void;

interface FastCommand {
  options: () => OptionTable;
  /** The positional the command takes (`show <ids..>`), or none. */
  positional?: string;
  handler: () => Handler;
}

/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * The read commands agents run most, and `import`. Their option tables are the ones yargs is given, so both
 * parsers accept the same options; command modules are required only when their command runs.
 */
const FAST_COMMANDS: Record<string, FastCommand> = {
  list: {
    options: () => (require('./commands/list-command') as typeof import('./commands/list-command')).LIST_OPTIONS,
    handler: () => (require('./commands/list-command') as typeof import('./commands/list-command')).listCommand.handler as Handler,
  },
  ready: {
    options: () => (require('./commands/ready-command') as typeof import('./commands/ready-command')).READY_OPTIONS,
    handler: () => (require('./commands/ready-command') as typeof import('./commands/ready-command')).readyCommand.handler as Handler,
  },
  blocked: {
    options: () => ({}),
    handler: () => (require('./commands/ready-command') as typeof import('./commands/ready-command')).blockedCommand.handler as Handler,
  },
  stats: {
    options: () => ({}),
    handler: () => (require('./commands/ready-command') as typeof import('./commands/ready-command')).statsCommand.handler as Handler,
  },
  show: {
    options: () => ({}),
    positional: 'ids',
    handler: () => (require('./commands/show-command') as typeof import('./commands/show-command')).showCommand.handler as Handler,
  },
  // Not a read, but a long one whose start-up comes before its read of the file.
  import: {
    options: () => (require('./commands/sync-commands') as typeof import('./commands/sync-commands')).IMPORT_OPTIONS,
    handler: () => (require('./commands/sync-commands') as typeof import('./commands/sync-commands')).importCommand.handler as Handler,
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */

const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The subset of yargs' option semantics the fast commands use, for node:util's parseArgs. */
function toParseArgsOptions(table: OptionTable) {
  const out: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {};
  for (const [name, o] of Object.entries(table)) {
    const alias = typeof o.alias === 'string' && o.alias.length === 1 ? o.alias : undefined;
    out[name] = {
      type: o.type === 'boolean' ? 'boolean' : 'string',
      ...(o.array ? { multiple: true } : {}),
      ...(alias ? { short: alias } : {}),
    };
  }
  return out;
}

/**
 * Runs `list`, `ready`, `blocked`, `stats`, `show` or `import` without loading yargs (about half of a
 * command's start-up). Anything it does not fully understand (help, unknown or camelCase
 * options, stray arguments, a number that is not one) returns false, and yargs handles the
 * command as usual, with its messages. Same handlers, same option tables, same output.
 */
export async function runFastPath(args: string[]): Promise<boolean> {
  const command = FAST_COMMANDS[args[0] ?? ''];
  if (!command || process.env.BD_RX_NO_FAST_PATH) return false;
  const table: OptionTable = { ...GLOBAL_OPTIONS, ...command.options() };
  let parsed;
  try {
    parsed = parseArgs({
      args: args.slice(1),
      options: { ...toParseArgsOptions(table), 'no-daemon': { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
  } catch {
    return false;
  }
  const { values, positionals } = parsed;
  if (command.positional ? positionals.length === 0 : positionals.length > 0) return false;
  const argv: Record<string, unknown> = { _: [args[0]], $0: 'bd-rx' };
  for (const [name, o] of Object.entries(table)) {
    let value: unknown = (values as Record<string, unknown>)[name];
    if (value === undefined) value = o.default;
    if (value === undefined) continue;
    if (o.type === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n) || String(value).trim() === '') return false;
      value = n;
    }
    if (o.coerce) value = o.coerce(value);
    argv[name] = value;
    argv[camel(name)] = value;
  }
  if (values['no-daemon']) argv.daemon = false;
  if (command.positional) argv[command.positional] = positionals;
  await command.handler()(argv);
  return true;
}
