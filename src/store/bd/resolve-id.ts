import type { BeadsStore } from '../beads-store';
import { IssueNotFoundError, ValidationError } from '../store-errors';

/** An id that matches no issue (bd's wording, so tools matching on it still do). */
export class NoIssueFoundError extends ValidationError {
  constructor(readonly input: string) {
    super(`no issue found matching "${input}": run \`bd-rx list\` to see existing ids`);
    this.name = 'NoIssueFoundError';
  }
}

export class AmbiguousIdError extends ValidationError {
  constructor(readonly input: string, readonly matches: string[]) {
    super(`ambiguous ID "${input}" matches ${matches.length} issues: ${matches.slice(0, 10).join(', ')}; give more of the id`);
    this.name = 'AmbiguousIdError';
  }
}

/**
 * bd's partial ids: the exact id, else `<prefix>-<input>`, else the one issue whose hash part
 * (after `<prefix>-`) contains the input. `external:…` references are not issue ids.
 */
export function resolveId(store: BeadsStore, input: string): string {
  if (store.exists(input) || input.startsWith('external:')) return input;
  const prefix = store.prefix;
  if (store.exists(`${prefix}-${input}`)) return `${prefix}-${input}`;
  const needle = input.startsWith(`${prefix}-`) ? input.slice(prefix.length + 1) : input;
  if (needle === '') throw new NoIssueFoundError(input);
  const matches = store.compatSql
    .prepare<[string, string, string, string], { id: string }>(
      `SELECT id FROM issues WHERE instr(CASE WHEN substr(id, 1, length(?) + 1) = ? || '-'
         THEN substr(id, length(?) + 2) ELSE id END, ?) > 0 ORDER BY id LIMIT 11`,
    )
    .all(prefix, prefix, prefix, needle)
    .map((r) => r.id);
  if (matches.length === 1) return matches[0] as string;
  if (matches.length === 0) throw new NoIssueFoundError(input);
  throw new AmbiguousIdError(input, matches);
}

const ID_ARGS = ['id', 'from_id', 'to_id', 'parent_id', 'parent'] as const;

/** The args with every id in them resolved (`ids` too); the rest untouched. */
export function resolveIdArgs(store: BeadsStore, operation: string, args: Record<string, unknown>): Record<string, unknown> {
  // create's `id` is the id to give the new issue, not one to look up.
  if (operation === 'create' || operation === 'resolve_id') return args;
  let out = args;
  for (const key of ID_ARGS) {
    const v = args[key];
    if (typeof v !== 'string' || v === '') continue;
    try {
      out = { ...out, [key]: resolveId(store, v) };
    } catch (err) {
      // bd's daemon answers show for a missing id with "issue not found".
      if (operation === 'show' && err instanceof NoIssueFoundError) throw new IssueNotFoundError(v);
      throw err;
    }
  }
  if (Array.isArray(args.ids) && operation !== 'list' && operation !== 'count') {
    out = { ...out, ids: args.ids.map((v) => (typeof v === 'string' ? resolveId(store, v) : v)) };
  }
  return out;
}
