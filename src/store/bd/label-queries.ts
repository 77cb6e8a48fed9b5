import type { BeadsStore } from '../beads-store';

/** `label list ID`: the labels, sorted. */
export function labelList(store: BeadsStore, id: string): string[] {
  store.require(id);
  return store.compatSql
    .prepare<[string], { label: string }>('SELECT label FROM labels WHERE issue_id = ? ORDER BY label')
    .all(id)
    .map((r) => r.label);
}

/** `label list-all`: every label with how many issues (not tombstoned) carry it, by label. */
export function labelListAll(store: BeadsStore): Array<{ label: string; count: number }> {
  return store.compatSql
    .prepare<[], { label: string; count: number }>(
      `SELECT l.label AS label, count(*) AS count FROM labels l JOIN issues i ON i.id = l.issue_id
       WHERE coalesce(i.status, '') != 'tombstone' GROUP BY l.label ORDER BY l.label`,
    )
    .all();
}
