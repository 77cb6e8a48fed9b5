import type { IssueRecord } from '../../jsonl/parse-jsonl';
import type { BeadsStore } from '../beads-store';
import { recordComments, recordLabels } from '../issue-record';

/**
 * bd's Go types built from bd-rx's records (internal/types/types.go): what create, update, close
 * and reopen answer (the issue with its labels, without raw dependency records or comments),
 * IssueWithCounts for list/search/ready, IssueDetails for show.
 */

/**
 * The record as bd's `types.Issue` reads it: a line newer bd wrote as `{"_type":"issue",…}`
 * keeps that tag in the JSONL (so it round-trips byte for byte), but the tag is the file's, not
 * a field of the issue, and bd's answers never carry it.
 */
function issueFields(record: IssueRecord): IssueRecord {
  if (!('_type' in record)) return record;
  const { _type, ...rest } = record as IssueRecord & { _type?: unknown };
  void _type;
  return rest as IssueRecord;
}

/** The issue without the fields bd's write answers never carry. */
export function plainIssue(record: IssueRecord): IssueRecord {
  const { dependencies, comments, ...rest } = issueFields(record);
  void dependencies;
  void comments;
  return rest as IssueRecord;
}

/** Issue fields only: what bd loads for a linked issue (no labels, dependencies or comments). */
function linkedIssue(record: IssueRecord): IssueRecord {
  const { labels, ...rest } = plainIssue(record);
  void labels;
  return rest as IssueRecord;
}

/** Adds `dependency_count`, `dependent_count` and `comment_count` to each record. */
export function withCounts(store: BeadsStore, records: IssueRecord[]): IssueRecord[] {
  if (records.length === 0) return [];
  const counts = new Map<string, { deps: number; dependents: number }>();
  const ids = records.map((r) => r.id);
  // One pass per direction over the ids, in chunks that stay under SQLite's parameter limit.
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const marks = chunk.map(() => '?').join(',');
    for (const [column, key] of [['issue_id', 'deps'], ['depends_on_id', 'dependents']] as const) {
      const rows = store.compatSql
        .prepare<string[], { id: string; n: number }>(
          `SELECT ${column} AS id, count(*) AS n FROM dependencies WHERE ${column} IN (${marks}) GROUP BY ${column}`,
        )
        .all(...chunk);
      for (const r of rows) {
        const c = counts.get(r.id) ?? { deps: 0, dependents: 0 };
        c[key] = r.n;
        counts.set(r.id, c);
      }
    }
  }
  return records.map((r) => {
    const c = counts.get(r.id);
    return {
      ...issueFields(r),
      dependency_count: c?.deps ?? 0,
      dependent_count: c?.dependents ?? 0,
      comment_count: recordComments(r).length,
    };
  });
}

/** `types.IssueDetails`: linked issues in full with `dependency_type`, and `parent`. */
export function issueDetails(store: BeadsStore, id: string): IssueRecord {
  const rec = store.require(id);
  const linked = (sql: string) =>
    store.compatSql
      .prepare<[string], { line: string; dependency_type: string }>(sql)
      .all(id)
      .map((r) => ({ ...linkedIssue(JSON.parse(r.line) as IssueRecord), dependency_type: r.dependency_type }));
  const dependencies = linked(
    `SELECT t.line AS line, d.type AS dependency_type FROM dependencies d
     JOIN issues t ON t.id = d.depends_on_id WHERE d.issue_id = ? ORDER BY t.id`,
  );
  const dependents = linked(
    `SELECT s.line AS line, d.type AS dependency_type FROM dependencies d
     JOIN issues s ON s.id = d.issue_id WHERE d.depends_on_id = ? ORDER BY s.id`,
  );
  const labels = recordLabels(rec);
  const comments = recordComments(rec);
  const parent = dependencies.find((d) => d.dependency_type === 'parent-child')?.id;
  // omitempty: bd leaves out what is empty.
  return {
    ...plainIssue(rec),
    ...(labels.length ? { labels } : { labels: undefined }),
    ...(dependencies.length ? { dependencies } : {}),
    ...(dependents.length ? { dependents } : {}),
    ...(comments.length ? { comments } : {}),
    ...(parent ? { parent } : {}),
  };
}
