import { PRIORITY } from '../../store/issue-rules';
import { UsageError } from '../report-error';

/** `-l a,b -l c` → ['a', 'b', 'c']. */
export function splitList(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const items = (Array.isArray(value) ? value : [value])
    .flatMap((v) => String(v).split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  return items;
}

/** Copies the options that were given, renaming CLI names to operation arg names. */
export function pick(argv: Record<string, unknown>, names: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [cli, arg] of Object.entries(names)) if (argv[cli] !== undefined) out[arg] = argv[cli];
  return out;
}

/**
 * `-p/--priority` as a yargs option. yargs' number type turns `-p high` into NaN (and a list
 * filter on NaN silently matches nothing), losing the word the user typed; parsing the string
 * here keeps it for the message. The range (0–4) is the store's to check.
 */
export function priorityOption(describe?: string) {
  return {
    alias: 'p',
    type: 'string' as const,
    requiresArg: true,
    ...(describe ? { describe } : {}),
    coerce: (value: unknown): number => {
      return parsePriority(value);
    },
  };
}

/** bd's priority argument: `0`-`4` or `P0`-`P4` (words such as "high" are refused, as bd does). */
export function parsePriority(value: unknown): number {
  const text = String(Array.isArray(value) ? value[value.length - 1] : value).trim();
  const n = Number(text.replace(/^[Pp](?=\d)/, ''));
  if (text === '' || !Number.isFinite(n)) {
    throw new UsageError(`The priority "${text}" is not a number. Use ${PRIORITY.min} (highest) to ${PRIORITY.max}, or P${PRIORITY.min} to P${PRIORITY.max}.`);
  }
  return n;
}

/** A number option as typed, checked: yargs' number type would turn "abc" into NaN silently. */
export function intOption(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = String(Array.isArray(value) ? value[value.length - 1] : value).trim();
  const n = Number(text);
  if (text === '' || !Number.isInteger(n)) throw new UsageError(`--${name} "${text}" is not a whole number.`);
  return n;
}

/** Options bd takes that change nothing here; accepted so bd's callers are not refused. */
export function hiddenFlags(names: string[], type: 'boolean' | 'string' = 'boolean') {
  return Object.fromEntries(names.map((n) => [n, { type, hidden: true }])) as Record<string, { type: 'boolean' | 'string'; hidden: true }>;
}
