import type { IssueRecord } from '../jsonl/parse-jsonl';
import { nowRfc3339 } from '../jsonl/rfc3339';
import { serializeRecord } from '../jsonl/serialize-record';
import type { BeadsStore } from './beads-store';
import { patchRecord } from './issue-record';

/**
 * Sets fields of an issue that BeadsStore.update does not know (issue_type, spec_id, due_at,
 * defer_until, closed_by_session, …): read, patch in bd's key order (empty = removed), write
 * back dirty, report the mutation. No fields changed = nothing written.
 */
export function patchIssue(store: BeadsStore, id: string, changes: Record<string, unknown>, op = 'update'): IssueRecord {
  let changed = false;
  const result = store.inTransaction(() => {
    const rec = store.require(id);
    const real = Object.fromEntries(Object.entries(changes).filter(([k, v]) => v !== undefined && rec[k] !== v));
    if (Object.keys(real).length === 0) return rec;
    const next = patchRecord(rec, { ...real, updated_at: nowRfc3339(new Date()) });
    const row = store.getRow(id);
    store.writeIssue(next, serializeRecord(next), { dirty: true, synced: row ? row.synced === 1 : false });
    changed = true;
    return next;
  });
  if (changed) store.notifyMutation(op, id);
  return result;
}
