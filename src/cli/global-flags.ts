/**
 * bd's persistent flags, taken out of the command line wherever they stand (before or after the
 * command, as cobra allows), so neither yargs nor the fast path has to know them. `--json`,
 * `--actor`, `--no-daemon` and `-C/--workspace` stay for the parsers: every command reads those.
 */

export interface GlobalFlags {
  /** `--db PATH` / BEADS_DB / BD_DB: the database file; its `.beads/` names the workspace. */
  db?: string;
  /** `--readonly` / BD_READONLY: every write fails before it changes anything. */
  readonly: boolean;
  /** `--sandbox`: no daemon, no auto-import (the JSONL is still written, as bd-rx always does). */
  sandbox: boolean;
  /** `--no-auto-import` / BD_NO_AUTO_IMPORT: direct mode does not import a newer JSONL first. */
  noAutoImport: boolean;
  quiet: boolean;
  verbose: boolean;
  /** `-V/--version` before any command. */
  version: boolean;
}

/** Flags bd takes that mean nothing to bd-rx; accepted and dropped (the value too, if any). */
const NO_OP_BOOLEANS = new Set(['--no-auto-flush', '--allow-stale', '--no-db', '--profile']);
const NO_OP_VALUED = new Set(['--dolt-auto-commit', '--lock-timeout']);

const truthy = (v: string | undefined) => v !== undefined && /^(1|true|yes|on)$/i.test(v);

let current: GlobalFlags = { readonly: false, sandbox: false, noAutoImport: false, quiet: false, verbose: false, version: false };

/** The flags of this process's command line (set once by main). */
export function globalFlags(): GlobalFlags {
  return current;
}

export class MissingFlagValueError extends Error {
  constructor(readonly flag: string) {
    super(`${flag} needs a value: write it as ${flag} VALUE or ${flag}=VALUE.`);
    this.name = 'MissingFlagValueError';
  }
}

/** Splits bd's global flags from the rest of the arguments; `--` ends the scan. */
export function extractGlobalFlags(args: string[], env: NodeJS.ProcessEnv = process.env): { flags: GlobalFlags; rest: string[] } {
  const flags: GlobalFlags = {
    db: env.BEADS_DB || env.BD_DB || undefined,
    readonly: truthy(env.BD_READONLY),
    sandbox: false,
    noAutoImport: truthy(env.BD_NO_AUTO_IMPORT),
    quiet: false,
    verbose: false,
    version: false,
  };
  const rest: string[] = [];
  let sawCommand = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--') {
      rest.push(...args.slice(i));
      break;
    }
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const inline = a.startsWith('--') && eq > 0 ? a.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = args[i + 1];
      if (next === undefined) throw new MissingFlagValueError(name);
      i++;
      return next;
    };
    if (name === '--db') flags.db = value();
    else if (a === '--readonly') flags.readonly = true;
    else if (a === '--sandbox') flags.sandbox = true;
    else if (a === '--no-auto-import') flags.noAutoImport = true;
    else if (a === '--quiet' || a === '-q') flags.quiet = true;
    else if (a === '--verbose' || a === '-v') flags.verbose = true;
    else if ((a === '--version' || a === '-V') && !sawCommand) flags.version = true;
    else if (NO_OP_BOOLEANS.has(a)) continue;
    else if (NO_OP_VALUED.has(name)) value();
    else {
      if (!a.startsWith('-')) sawCommand = true;
      rest.push(a);
    }
  }
  if (flags.sandbox) flags.noAutoImport = true;
  return { flags, rest };
}

/** Records the flags for the rest of the process (main calls it once). */
export function setGlobalFlags(flags: GlobalFlags): void {
  current = flags;
}
