import type { IssueRecord } from '../jsonl/parse-jsonl';
import { nowRfc3339 } from '../jsonl/rfc3339';
import { serializeRecord } from '../jsonl/serialize-record';
import { patchRecord, recordComments, recordDependencies } from './issue-record';
import type { StoreContext } from './store-context';
import { ValidationError } from './store-errors';

/** The free-text fields in which bd rewrites a renamed id. */
const TEXT_FIELDS = ['title', 'description', 'design', 'acceptance_criteria', 'notes'] as const;
/** Fields that name one other issue by id. */
const ID_FIELDS = ['duplicate_of', 'superseded_by', 'replies_to', 'parent'] as const;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Gives issues a new id (`renames`: old → new) in one transaction: its own id, the ids in
 * its dependencies and comments, the fields naming another issue, and whole-word mentions of a
 * renamed id in its text. The old ids are recorded as deletions, so the next export drops their
 * lines and an import of the old JSONL cannot bring them back; the new rows are local changes.
 * A new id that is already taken (by an issue not itself renamed) refuses the whole rename.
 * `alsoRewrite`: issues that keep their id but may name a renamed one (`rename-prefix
 * --repair` renames only some); each is rewritten only if one of its references changes.
 */
export function renameIds(ctx: StoreContext, renames: ReadonlyMap<string, string>, prefix: string, alsoRewrite: readonly string[] = []): number {
  const at = nowRfc3339(ctx.now());
  const mention = renames.size
    ? new RegExp(`(?<![A-Za-z0-9_.-])(?:${[...renames.keys()].sort((a, b) => b.length - a.length).map(escape).join('|')})(?![A-Za-z0-9_-]|\\.\\d)`, 'g')
    : null;
  const map = (id: unknown) => (typeof id === 'string' ? (renames.get(id) ?? id) : id);
  const rewritten: string[] = [];
  const rewrite = (text: unknown) => (typeof text === 'string' && mention ? text.replace(mention, (m) => renames.get(m) ?? m) : text);
  ctx.tx.inTransaction(() => {
    for (const next of renames.values()) {
      if (ctx.rows.exists(next) && !renames.has(next)) {
        throw new ValidationError(`cannot rename to ${next}: an issue with that id already exists; pick another prefix`);
      }
    }
    const references = (rec: IssueRecord): Record<string, unknown> => {
      const changes: Record<string, unknown> = {};
      for (const f of TEXT_FIELDS) if (rec[f] !== undefined) changes[f] = rewrite(rec[f]);
      for (const f of ID_FIELDS) if (rec[f] !== undefined) changes[f] = map(rec[f]);
      if (Array.isArray(rec.dependencies)) {
        changes.dependencies = recordDependencies(rec).map((d) => ({ ...d, issue_id: map(d.issue_id), depends_on_id: map(d.depends_on_id) }));
      }
      if (Array.isArray(rec.comments)) {
        changes.comments = recordComments(rec).map((c) => ({ ...c, issue_id: map(c.issue_id), text: rewrite(c.text) }));
      }
      return changes;
    };
    const renamed: IssueRecord[] = [];
    for (const [oldId, newId] of renames) {
      const rec = ctx.queries.require(oldId);
      renamed.push(patchRecord(rec, { ...references(rec), id: newId, updated_at: at }));
      ctx.rows.remove(oldId);
      ctx.sync.recordDeletion(oldId, at);
    }
    for (const rec of renamed) {
      ctx.rows.write(rec, serializeRecord(rec), { dirty: true, synced: false }, true);
      ctx.sync.forgetDeletion(rec.id);
    }
    for (const id of alsoRewrite) {
      if (renames.has(id)) continue;
      const rec = ctx.queries.require(id);
      const changes = references(rec);
      if (serializeRecord(patchRecord(rec, changes)) === serializeRecord(rec)) continue;
      const next = patchRecord(rec, { ...changes, updated_at: at });
      ctx.rows.write(next, serializeRecord(next), { dirty: true, synced: false }, true);
      rewritten.push(id);
    }
    ctx.sync.setMeta('issue_prefix', prefix);
  });
  for (const [oldId, newId] of renames) {
    ctx.feed.emit('delete', oldId);
    ctx.feed.emit('create', newId);
  }
  for (const id of rewritten) ctx.feed.emit('update', id);
  return renames.size;
}

/** bd's prefix rule (`validatePrefix`): trailing hyphens trimmed, then `^[a-z][a-z0-9-]*$`. */
export function normalizePrefix(input: string): string {
  const prefix = input.replace(/-+$/, '');
  if (prefix === '') throw new ValidationError('the new prefix is empty: give one like `kw` or `kw-`');
  if (!/^[a-z][a-z0-9-]*$/.test(prefix) || prefix.endsWith('--')) {
    throw new ValidationError(`the prefix "${prefix}" must start with a lower-case letter and hold only a-z, 0-9 and hyphens`);
  }
  return prefix;
}
