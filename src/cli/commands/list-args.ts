import { PRIORITY } from '../../store/issue-rules';
import { ValidationError } from '../../store/store-errors';

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
 * here keeps it for the message. The range (`PRIORITY`) is the store's to check.
 */
export function priorityOption(describe?: string) {
  return {
    alias: 'p',
    type: 'string' as const,
    requiresArg: true,
    ...(describe ? { describe } : {}),
    coerce: (value: unknown): number => {
      const text = String(Array.isArray(value) ? value[value.length - 1] : value).trim();
      const n = Number(text);
      if (text === '' || !Number.isFinite(n)) {
        throw new ValidationError(`priority "${text}" is not a number: use ${PRIORITY.min} (highest) to ${PRIORITY.max}`);
      }
      return n;
    },
  };
}
