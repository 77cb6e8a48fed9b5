import type { IssueRecord } from '../../jsonl/parse-jsonl';
import type { BeadsStore } from '../beads-store';
import { ValidationError } from '../store-errors';
import { plainIssue } from './bd-shapes';

type Row = { line: string; type: string };

function linked(store: BeadsStore, id: string, direction: 'down' | 'up'): Array<{ issue: IssueRecord; type: string }> {
  const sql =
    direction === 'down'
      ? `SELECT t.line AS line, d.type AS type FROM dependencies d JOIN issues t ON t.id = d.depends_on_id WHERE d.issue_id = ?`
      : `SELECT s.line AS line, d.type AS type FROM dependencies d JOIN issues s ON s.id = d.issue_id WHERE d.depends_on_id = ?`;
  return store.compatSql
    .prepare<[string], Row>(sql)
    .all(id)
    .map((r) => ({ issue: JSON.parse(r.line) as IssueRecord, type: r.type }));
}

function direction(value: unknown, allowBoth: boolean): 'down' | 'up' | 'both' {
  const d = value === undefined || value === '' ? 'down' : String(value);
  if (d === 'down' || d === 'up' || (allowBoth && d === 'both')) return d;
  throw new ValidationError(`direction "${d}" is not one of down, up${allowBoth ? ', both' : ''}`);
}

/** `dep list`: what the issue depends on (down) or what depends on it (up), with dependency_type. */
export function depList(store: BeadsStore, args: { id: string; direction?: string; type?: string }): IssueRecord[] {
  store.require(args.id);
  const dir = direction(args.direction, false) as 'down' | 'up';
  return linked(store, args.id, dir)
    .filter((l) => !args.type || l.type === args.type)
    .sort((a, b) => (a.issue.id < b.issue.id ? -1 : 1))
    .map((l) => ({ ...plainIssue(l.issue), dependency_type: l.type }));
}

/**
 * `dep tree`: the issue (depth 0, its own id as parent_id) and everything reachable along any
 * dependency type, breadth first, each issue at its shallowest depth unless showAllPaths;
 * `truncated` marks nodes at maxDepth whose links were not followed.
 */
export function depTree(
  store: BeadsStore,
  args: { id: string; max_depth?: number; direction?: string; show_all_paths?: boolean; status?: string },
): IssueRecord[] {
  const root = store.require(args.id);
  const maxDepth = args.max_depth ?? 50;
  if (!Number.isInteger(maxDepth) || maxDepth < 1) throw new ValidationError(`max-depth must be a whole number ≥ 1, got ${JSON.stringify(args.max_depth)}`);
  const dir = direction(args.direction, true);
  const dirs: Array<'down' | 'up'> = dir === 'both' ? ['down', 'up'] : [dir];
  const node = (issue: IssueRecord, depth: number, parent: string) => {
    const { labels, created_by, ...rest } = plainIssue(issue);
    void labels;
    void created_by;
    return { ...rest, depth, parent_id: parent, truncated: depth === maxDepth } as IssueRecord;
  };
  const out: IssueRecord[] = [node(root, 0, root.id)];
  const seen = new Set([root.id]);
  let frontier = [root];
  for (let depth = 1; depth <= maxDepth && frontier.length; depth++) {
    const next: IssueRecord[] = [];
    for (const parent of frontier) {
      for (const d of dirs) {
        for (const l of linked(store, parent.id, d)) {
          if (seen.has(l.issue.id) && !args.show_all_paths) continue;
          if (args.show_all_paths && l.issue.id === parent.id) continue;
          const firstVisit = !seen.has(l.issue.id);
          seen.add(l.issue.id);
          out.push(node(l.issue, depth, parent.id));
          if (firstVisit) next.push(l.issue);
        }
      }
    }
    frontier = next;
  }
  const kept = args.status ? out.filter((n, i) => i === 0 || n.status === args.status) : out;
  return kept.sort((a, b) => (a.depth as number) - (b.depth as number) || (a.priority as number) - (b.priority as number) || (a.id < b.id ? -1 : 1));
}

/** `dep cycles`: each cycle of dependencies as the issues on it ([] when there is none). */
export function depCycles(store: BeadsStore): IssueRecord[][] {
  const edges = new Map<string, string[]>();
  for (const r of store.compatSql.prepare<[], { a: string; b: string }>('SELECT issue_id AS a, depends_on_id AS b FROM dependencies').all()) {
    edges.set(r.a, [...(edges.get(r.a) ?? []), r.b]);
  }
  const cycles: string[][] = [];
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (id: string) => {
    state.set(id, 1);
    stack.push(id);
    for (const next of edges.get(id) ?? []) {
      if (state.get(next) === 1) cycles.push(stack.slice(stack.indexOf(next)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(id, 2);
  };
  for (const id of [...edges.keys()].sort()) if (!state.has(id)) visit(id);
  return cycles.map((ids) => ids.map((id) => store.get(id)).filter((r): r is IssueRecord => r !== null).map(plainIssue));
}
