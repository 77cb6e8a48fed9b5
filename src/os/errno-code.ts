/** The errno code of a Node system error (`ENOENT`, `EPERM` …), if `err` carries one. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}
