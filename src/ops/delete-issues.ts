import type { BeadsStore } from '../store/beads-store';
import { recordLabels } from '../store/issue-record';
import { ValidationError } from '../store/store-errors';
import { checkKnownArgs } from '../store/bd/issue-filter';
import { patchIssue } from '../store/patch-issue';
import type { OperationContext } from './operation-context';

type Args = Record<string, unknown>;

/** bd's answer for one issue deleted without --cascade. */
export interface SingleDeleteResult {
  deleted: string;
  dependencies_removed: number;
  references_updated: number;
}

/** bd's answer for a batch (several ids, or --cascade); with `dry_run`, what would go. */
export interface BatchDeleteResult {
  deleted: string[];
  deleted_count: number;
  dependencies_removed: number;
  labels_removed: number;
  events_removed: number;
  references_updated: number;
  orphaned_issues: string[];
  dry_run?: true;
  /** With `dry_run`: every id that would go, cascade included (for the CLI's preview). */
  would_delete?: string[];
}

/** The text fields in which bd marks a reference to a deleted issue `[deleted:ID]`. */
const REFERENCE_FIELDS = ['description', 'notes', 'design', 'acceptance_criteria'] as const;

const dependents = (store: BeadsStore, id: string): string[] =>
  store.compatSql.prepare<[string], { id: string }>('SELECT DISTINCT issue_id AS id FROM dependencies WHERE depends_on_id = ? ORDER BY issue_id').all(id).map((r) => r.id);

const linked = (store: BeadsStore, id: string): string[] =>
  store.compatSql
    .prepare<[string, string], { id: string }>(
      'SELECT depends_on_id AS id FROM dependencies WHERE issue_id = ? UNION SELECT issue_id FROM dependencies WHERE depends_on_id = ?',
    )
    .all(id, id)
    .map((r) => r.id);

const countLinks = (store: BeadsStore, ids: string[]): number => {
  const set = JSON.stringify(ids);
  return (
    store.compatSql
      .prepare<[string, string], { n: number }>(
        'SELECT count(*) AS n FROM dependencies WHERE issue_id IN (SELECT value FROM json_each(?)) OR depends_on_id IN (SELECT value FROM json_each(?))',
      )
      .get(set, set)?.n ?? 0
  );
};

/** `ids` and, with `cascade`, every issue that depends on one of them, transitively (bd's order: as asked, then found). */
function deleteSet(store: BeadsStore, ids: string[], cascade: boolean): string[] {
  const out = new Set(ids);
  if (!cascade) return [...out];
  const queue = [...ids];
  while (queue.length) {
    for (const d of dependents(store, queue.shift() as string)) {
      if (!out.has(d)) {
        out.add(d);
        queue.push(d);
      }
    }
  }
  return [...out];
}

/** Issues outside the set that depend on one inside it: they lose that dependency. */
const orphansOf = (store: BeadsStore, set: string[]): string[] => {
  const inSet = new Set(set);
  return [...new Set(set.flatMap((id) => dependents(store, id)).filter((d) => !inSet.has(d)))].sort();
};

/** bd's `updateTextReferencesInIssues`: the deleted ids, mentioned in connected issues, become `[deleted:ID]`. */
function markReferences(store: BeadsStore, deleted: string[], connected: string[]): number {
  let updated = 0;
  for (const cid of connected) {
    const rec = store.get(cid);
    if (!rec) continue;
    const changes: Record<string, string> = {};
    for (const field of REFERENCE_FIELDS) {
      const before = rec[field];
      if (typeof before !== 'string' || before === '') continue;
      let text = before;
      for (const id of deleted) {
        const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        text = text.replace(new RegExp(`(^|[^A-Za-z0-9_-])(${escaped})(?=$|[^A-Za-z0-9_-])`, 'g'), `$1[deleted:${id}]`);
      }
      if (text !== before) changes[field] = text;
    }
    if (Object.keys(changes).length) {
      patchIssue(store, cid, changes);
      updated++;
    }
  }
  return updated;
}

/**
 * bd's delete (direct mode's answers, also through the daemon: see README): one id → the single
 * answer; several ids or `cascade` → the batch answer. `cascade` deletes every dependent too;
 * otherwise a batch without `force` is refused when an issue outside it depends on one inside
 * (a single delete always orphans, as bd's single delete does). `dry_run` changes nothing and
 * answers what would go. bd-rx keeps no tombstones: a delete removes the issue from the JSONL
 * (what bd's `--hard` asks for), so `hard` changes nothing and `reason` is not stored.
 */
export function deleteIssues(ctx: OperationContext, args: Args): SingleDeleteResult | BatchDeleteResult {
  checkKnownArgs('delete', args, ['id', 'ids', 'force', 'reason', 'dry_run', 'cascade', 'hard']);
  const asked = Array.isArray(args.ids) ? args.ids.map(String) : args.id !== undefined ? [String(args.id)] : [];
  if (asked.length === 0) throw new ValidationError('delete needs at least one issue id: give ids: ["bd-1", …]');
  const { store, actor } = ctx;
  const missing = asked.filter((id) => !store.exists(id));
  if (missing.length) throw new ValidationError(`issues not found: ${missing.join(', ')}`);
  const cascade = args.cascade === true;
  const batch = asked.length > 1 || cascade;
  return store.inTransaction(() => {
    const set = deleteSet(store, asked, cascade);
    const orphans = orphansOf(store, set);
    if (batch && !cascade && args.force !== true && orphans.length) {
      const id = set.find((i) => dependents(store, i).some((d) => orphans.includes(d)));
      throw new ValidationError(`issue ${id} has dependents not in deletion set; use --cascade to delete them or --force to orphan them`);
    }
    const links = countLinks(store, set);
    const labels = set.reduce((n, id) => n + recordLabels(store.require(id)).length, 0);
    const inSet = new Set(set);
    const connected = [...new Set(set.flatMap((id) => linked(store, id)))].filter((id) => !inSet.has(id)).sort();
    let references = 0;
    if (args.dry_run !== true) {
      for (const id of set) store.delete(id, actor);
      references = markReferences(store, set, connected);
    }
    if (!batch) return { deleted: set[0] as string, dependencies_removed: links, references_updated: references };
    return {
      // As bd: the ids asked for; the count includes what --cascade added.
      deleted: asked,
      deleted_count: set.length,
      dependencies_removed: links,
      labels_removed: labels,
      events_removed: 0,
      references_updated: references,
      orphaned_issues: orphans,
      ...(args.dry_run === true ? { dry_run: true as const, would_delete: set } : {}),
    };
  });
}
