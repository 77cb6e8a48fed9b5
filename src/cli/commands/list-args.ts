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
