import type { BeadsStore } from '../beads-store';

/** Facts about one issue that bd's write rules ask for before they write (close, create --parent, delete). */

/** The next child id of `parent`: `<parent>.<n>`, one more than its highest child so far. */
export function nextChildId(store: BeadsStore, parent: string): string {
  const rows = store.compatSql
    .prepare<[string, string], { id: string }>(`SELECT id FROM issues WHERE substr(id, 1, length(?) + 1) = ? || '.'`)
    .all(parent, parent);
  const n = rows.reduce((max, r) => {
    const rest = r.id.slice(parent.length + 1);
    return /^\d+$/.test(rest) ? Math.max(max, Number(rest)) : max;
  }, 0);
  return `${parent}.${n + 1}`;
}

/** Open issues that block `id` (a `blocks` dependency on something not closed). */
export function openBlockers(store: BeadsStore, id: string): string[] {
  return store.compatSql
    .prepare<[string], { id: string }>(
      `SELECT b.id AS id FROM dependencies d JOIN issues b ON b.id = d.depends_on_id
       WHERE d.issue_id = ? AND d.type = 'blocks' AND b.status NOT IN ('closed', 'tombstone') ORDER BY b.id`,
    )
    .all(id)
    .map((r) => r.id);
}

/** Dependency records that name `id`, either way. */
export function dependencyLinks(store: BeadsStore, id: string): number {
  return store.compatSql
    .prepare<[string, string], { n: number }>('SELECT count(*) AS n FROM dependencies WHERE issue_id = ? OR depends_on_id = ?')
    .get(id, id)?.n ?? 0;
}
