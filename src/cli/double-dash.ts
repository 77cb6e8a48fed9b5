/**
 * yargs 17 does not fill a command's positionals from the arguments after `--` (they reach
 * `argv._` only after its positional check, which then fails: `bd-rx close -- -rf` would say
 * "Not enough non-option arguments"). An id pulled from a teammate's JSONL may well start with
 * `-`, and `--` is the one way to pass it. So before yargs sees them, the arguments after `--`
 * are swapped for tokens that cannot be options (a NUL, which no real argument can hold, then
 * their index), and put back once yargs has placed them.
 */
const TOKEN = '\u0000bd-rx-arg-';

export interface ShieldedArgs {
  /** What yargs parses: `--` gone, the arguments after it as tokens. */
  args: string[];
  /** Puts the original arguments back wherever yargs put their tokens (positionals, `_`). */
  restore<T extends Record<string, unknown>>(argv: T): T;
}

export function shieldDoubleDash(args: readonly string[]): ShieldedArgs {
  const at = args.indexOf('--');
  if (at === -1) return { args: [...args], restore: (argv) => argv };
  const after = args.slice(at + 1);
  const back = (v: unknown): unknown => {
    if (typeof v === 'string' && v.startsWith(TOKEN)) return after[Number(v.slice(TOKEN.length))];
    if (Array.isArray(v)) return v.map(back);
    return v;
  };
  return {
    args: [...args.slice(0, at), ...after.map((_, i) => `${TOKEN}${i}`)],
    restore: (argv) => {
      for (const key of Object.keys(argv)) (argv as Record<string, unknown>)[key] = back(argv[key]);
      return argv;
    },
  };
}
