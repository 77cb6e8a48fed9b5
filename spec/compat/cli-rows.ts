/**
 * bd's CLI surface as rows: command words × flags → exit code and the JSON shape bd prints
 * (bd-surface.md §1–§3, settled from bd 0.49.6's cmd/bd/*.go where the summary leaves it open).
 * Rows run in order against one seeded workspace (SEED), so a row may rely on what an earlier
 * row wrote. `check` adds bd's semantics that a shape cannot say (defaults, filters).
 */
import {
  BlockedIssue,
  Comment,
  ConfigUnset,
  ConfigValue,
  CountGroups,
  CountOutput,
  DeleteBatch,
  DeleteSingle,
  DepAdded,
  DepBlocks,
  DepRemoved,
  EpicClosed,
  EpicStatus,
  ErrorOutput,
  Info,
  Issue,
  IssueDetails,
  IssueNoDeps,
  IssueWithCounts,
  IssueWithDependencyMetadata,
  LabelAdded,
  LabelCount,
  LabelRemoved,
  RenamePrefix,
  RepairPrefix,
  S,
  StatsOutput,
  TreeNode,
  Version,
  Where,
  arr,
  obj,
  type Shape,
} from './bd-types';

export interface CliRow {
  /** The command line after `bd-rx`. `{db}` is the workspace DB path, `{tmp}` a scratch dir. */
  args: string[];
  exit: number;
  /** The shape of stdout parsed as JSON; `'text'` = not JSON; `'empty'` = nothing; `'any'` = not checked. */
  stdout: Shape | 'text' | 'empty' | 'any';
  /** Run from a directory with no `.beads/` above it. */
  outside?: boolean;
  env?: Record<string, string>;
  /** A substring stderr must contain. */
  stderr?: string;
  check?: (json: any, stdout: string) => void;
  /**
   * Where bd-rx deliberately differs from bd (listed in README's compatibility section): the row
   * then asserts bd-rx's documented behaviour, and says what bd does.
   */
  differs?: string;
}

/** The seed, run in direct mode before any row: ids are fixed so rows can name them. */
export const SEED: string[][] = [
  ['create', 'Epic one', '--id', 'cp-e1', '-t', 'epic', '-p', '1', '-d', 'The epic'],
  ['create', 'Alpha', '--id', 'cp-a1', '-p', '1', '-l', 'web,api', '-a', 'alice', '-d', 'Alpha <desc> & more', '--notes', 'note a'],
  ['create', 'Bravo', '--id', 'cp-b2', '-t', 'bug', '-p', '2', '-d', 'Bravo desc'],
  ['create', 'Charlie', '--id', 'cp-c3', '-p', '3', '-d', 'Charlie desc'],
  ['create', 'Delta', '--id', 'cp-d4', '-p', '2', '-d', 'Delta desc'],
  ['create', 'Hash like', '--id', 'cp-k7x9q', '-p', '4', '-d', 'Hash desc'],
  ['dep', 'add', 'cp-b2', 'cp-a1'],
  ['dep', 'add', 'cp-c3', 'cp-e1', '--type', 'parent-child'],
  ['close', 'cp-d4', '-r', 'done'],
  ['comments', 'add', 'cp-a1', 'First comment', '--author', 'bob'],
];

const ids = (json: Array<{ id: string }>) => json.map((i) => i.id);
const expectEvery = (json: Array<Record<string, unknown>>, pred: (i: Record<string, unknown>) => boolean, what: string) => {
  const bad = json.filter((i) => !pred(i));
  if (bad.length) throw new Error(`expected every issue ${what}; not: ${bad.map((i) => i.id).join(', ')}`);
};
const expectIds = (json: Array<{ id: string }>, want: string[]) => {
  const got = ids(json).sort();
  if (JSON.stringify(got) !== JSON.stringify([...want].sort())) throw new Error(`expected ids ${want.join(',')}, got ${got.join(',')}`);
};
const expectIncludes = (json: Array<{ id: string }>, id: string) => {
  if (!ids(json).includes(id)) throw new Error(`expected ${id} among ${ids(json).join(',')}`);
};
const expectLength = (json: unknown[], n: number) => {
  if (json.length !== n) throw new Error(`expected ${n} items, got ${json.length}`);
};
const expectTrue = (cond: boolean, what: string) => {
  if (!cond) throw new Error(what);
};

const list = (...flags: string[]): CliRow => ({ args: ['list', ...flags, '--json'], exit: 0, stdout: arr(IssueWithCounts) });

export const CLI_ROWS: CliRow[] = [
  // ---- version and global flags (§1) ----
  { args: ['--version'], exit: 0, stdout: 'text', check: (_j, out) => expectTrue(/version \d+\.\d+\.\d+/.test(out), `bd's "bd version X.Y.Z (build)", got ${out}`) },
  { args: ['-V'], exit: 0, stdout: 'text', check: (_j, out) => expectTrue(/version \d+\.\d+\.\d+/.test(out), `got ${out}`) },
  { args: ['version'], exit: 0, stdout: 'text', check: (_j, out) => expectTrue(/version \d+\.\d+\.\d+/.test(out), `got ${out}`) },
  { args: ['version', '--json'], exit: 0, stdout: Version },
  { args: ['--json', 'version'], exit: 0, stdout: Version },
  list('--no-auto-flush', '--no-auto-import', '--allow-stale', '--lock-timeout', '30s', '--dolt-auto-commit', 'off', '--profile', '-v'),
  { args: ['--no-auto-flush', '--no-auto-import', '--sandbox', '--allow-stale', '-q', '--verbose', '--quiet', 'list', '--json'], exit: 0, stdout: arr(IssueWithCounts) },
  { args: ['--actor', 'carol', '--no-daemon', 'list', '--json'], exit: 0, stdout: arr(IssueWithCounts) },
  { args: ['list', '--json', '--lock-timeout=5s', '--dolt-auto-commit=on', '--no-db'], exit: 0, stdout: arr(IssueWithCounts) },
  { args: ['--readonly', 'list', '--json'], exit: 0, stdout: arr(IssueWithCounts) },
  { args: ['--readonly', 'create', 'Nope', '--json'], exit: 1, stdout: 'empty', stderr: "not allowed in read-only mode" },
  { args: ['update', 'cp-a1', '--notes', 'x', '--readonly', '--json'], exit: 1, stdout: 'empty', stderr: "operation 'update' is not allowed in read-only mode" },
  { args: ['--db', '{db}', 'list', '--json'], exit: 0, stdout: arr(IssueWithCounts), outside: true, check: (j) => expectIncludes(j, 'cp-a1') },
  { args: ['list', '--json'], exit: 0, stdout: arr(IssueWithCounts), outside: true, env: { BEADS_DB: '{db}' }, check: (j) => expectIncludes(j, 'cp-a1') },

  // ---- list (§2): limit 50, closed hidden, IssueWithCounts with labels and dependencies ----
  {
    ...list(),
    check: (j) => {
      expectEvery(j, (i) => i.status !== 'closed', 'not closed');
      const b2 = j.find((i: any) => i.id === 'cp-b2');
      expectTrue(b2 && b2.dependency_count === 1 && Array.isArray(b2.dependencies), 'cp-b2 with dependency_count 1 and its dependency records');
      const a1 = j.find((i: any) => i.id === 'cp-a1');
      expectTrue(a1 && a1.dependent_count === 1 && a1.comment_count === 1 && a1.labels.length === 2, 'cp-a1 with 1 dependent, 1 comment, 2 labels');
    },
  },
  { ...list('--all'), check: (j) => expectIncludes(j, 'cp-d4') },
  { ...list('-s', 'all'), check: (j) => expectIncludes(j, 'cp-d4') },
  { ...list('--status', 'closed'), check: (j) => expectIds(j, ['cp-d4']) },
  { ...list('-p', '1'), check: (j) => expectIds(j, ['cp-e1', 'cp-a1']) },
  { ...list('--priority', 'P1'), check: (j) => expectIds(j, ['cp-e1', 'cp-a1']) },
  { ...list('-t', 'bug'), check: (j) => expectIds(j, ['cp-b2']) },
  { ...list('--type', 'epic'), check: (j) => expectIds(j, ['cp-e1']) },
  { ...list('-a', 'alice'), check: (j) => expectIds(j, ['cp-a1']) },
  { ...list('-l', 'web'), check: (j) => expectIds(j, ['cp-a1']) },
  { ...list('--label', 'web,api'), check: (j) => expectIds(j, ['cp-a1']) },
  { ...list('--label-any', 'web,nope'), check: (j) => expectIds(j, ['cp-a1']) },
  { ...list('--label-pattern', 'w*'), check: (j) => expectIds(j, ['cp-a1']) },
  { ...list('--label-regex', '^a.i$'), check: (j) => expectIds(j, ['cp-a1']) },
  { ...list('--title', 'Alpha'), check: (j) => expectIds(j, ['cp-a1']) },
  { ...list('--id', 'cp-a1,cp-b2'), check: (j) => expectIds(j, ['cp-a1', 'cp-b2']) },
  { ...list('-n', '1'), check: (j) => expectLength(j, 1) },
  { ...list('--limit', '0'), check: (j) => expectLength(j, 5) },
  { ...list('--sort', 'priority', '-r'), check: (j) => expectTrue(j[0].id === 'cp-k7x9q', 'reverse priority: P4 first') },
  { ...list('--sort', 'id'), check: (j) => expectTrue(j[0].id === 'cp-a1', 'sorted by id') },
  { ...list('--title-contains', 'lph'), check: (j) => expectIds(j, ['cp-a1']) },
  { ...list('--desc-contains', 'Bravo'), check: (j) => expectIds(j, ['cp-b2']) },
  { ...list('--notes-contains', 'note'), check: (j) => expectIds(j, ['cp-a1']) },
  { ...list('--created-after', '2000-01-01'), check: (j) => expectLength(j, 5) },
  { ...list('--created-before', '2000-01-01'), check: (j) => expectLength(j, 0) },
  { ...list('--updated-after', '2000-01-01T00:00:00Z', '--updated-before', '2999-01-01') },
  { ...list('--closed-after', '2000-01-01', '--all'), check: (j) => expectIds(j, ['cp-d4']) },
  { ...list('--closed-before', '2999-01-01', '--all'), check: (j) => expectIds(j, ['cp-d4']) },
  { ...list('--empty-description'), check: (j) => expectLength(j, 0) },
  { ...list('--no-assignee'), check: (j) => expectEvery(j, (i) => !i.assignee, 'unassigned') },
  { ...list('--no-labels'), check: (j) => expectEvery(j, (i) => !i.labels, 'without labels') },
  { ...list('--priority-min', '0', '--priority-max', '1'), check: (j) => expectIds(j, ['cp-e1', 'cp-a1']) },
  { ...list('--pinned'), check: (j) => expectLength(j, 0) },
  { ...list('--no-pinned'), check: (j) => expectLength(j, 5) },
  list('--include-templates'),
  list('--include-gates'),
  { ...list('--parent', 'cp-e1'), check: (j) => expectIds(j, ['cp-c3']) },
  { ...list('--filter-parent', 'cp-e1'), check: (j) => expectIds(j, ['cp-c3']) },
  { ...list('--deferred'), check: (j) => expectLength(j, 0) },
  list('--defer-after', '2000-01-01', '--defer-before', '2999-01-01'),
  list('--due-after', '2000-01-01', '--due-before', '2999-01-01'),
  { ...list('--overdue'), check: (j) => expectLength(j, 0) },
  { ...list('--ready'), check: (j) => expectEvery(j, (i) => i.status === 'open', 'open') },
  list('--long'),
  list('--no-pager'),
  list('--mol-type', 'work'),
  list('--spec', 'none'),
  { args: ['list', '--pretty'], exit: 0, stdout: 'text' },
  { args: ['list', '--tree'], exit: 0, stdout: 'text' },
  { args: ['list', 'stray'], exit: 2, stdout: 'empty' },

  // ---- show (alias view), partial ids ----
  {
    args: ['show', 'cp-b2', '--json'],
    exit: 0,
    stdout: arr(IssueDetails),
    check: (j) => {
      const dep = j[0].dependencies?.[0];
      expectTrue(dep && dep.id === 'cp-a1' && dep.dependency_type === 'blocks' && typeof dep.created_at === 'string', 'the blocker in full with dependency_type');
    },
  },
  {
    args: ['show', 'cp-c3', 'cp-e1', '--json'],
    exit: 0,
    stdout: arr(IssueDetails),
    check: (j) => {
      expectTrue(j[0].parent === 'cp-e1', "cp-c3's parent is cp-e1");
      expectTrue(j[1].dependents?.[0]?.id === 'cp-c3' && j[1].dependents[0].dependency_type === 'parent-child', "cp-e1's child as a dependent");
    },
  },
  { args: ['show', 'a1', '--json'], exit: 0, stdout: arr(IssueDetails), check: (j) => expectIds(j, ['cp-a1']) },
  { args: ['show', '7x9', '--json'], exit: 0, stdout: arr(IssueDetails), check: (j) => expectIds(j, ['cp-k7x9q']) },
  { args: ['view', 'cp-a1', '--json'], exit: 0, stdout: arr(IssueDetails), check: (j) => expectIds(j, ['cp-a1']) },
  { args: ['show', '--id', 'cp-a1', '--json'], exit: 0, stdout: arr(IssueDetails), check: (j) => expectIds(j, ['cp-a1']) },
  { args: ['show', 'cp-a1', '--thread', '--short', '--refs', '--children', '--local-time', '--json'], exit: 0, stdout: 'any' },
  { args: ['show', 'cp-nope', '--json'], exit: 0, stdout: 'empty', stderr: 'no issue found' },
  { args: ['show', '--json'], exit: 2, stdout: ErrorOutput, differs: 'a usage error: bd exits 1; the {"error"} on stdout is the same' },

  // ---- create (alias new): an Issue object, not an array ----
  { args: ['create', 'Echo', '--id', 'cp-e5', '-p', 'P3', '-t', 'feature', '-d', 'Echo desc', '--json'], exit: 0, stdout: IssueNoDeps, check: (j) => expectTrue(j.id === 'cp-e5' && j.priority === 3, 'cp-e5 at P3') },
  { args: ['new', 'Foxtrot', '--id', 'cp-f6', '--body', 'F body', '--json'], exit: 0, stdout: IssueNoDeps, check: (j) => expectTrue(j.description === 'F body', '--body is the description') },
  { args: ['create', '--title', 'Golf', '--id', 'cp-g7', '-m', 'G msg', '--json'], exit: 0, stdout: IssueNoDeps, check: (j) => expectTrue(j.title === 'Golf' && j.description === 'G msg', '--title and -m') },
  {
    args: ['create', 'Hotel', '--id', 'cp-h8', '--description', 'H', '--design', 'D', '--acceptance', 'A', '--notes', 'N', '--external-ref', 'gh-8', '-e', '15', '-a', 'dave', '--label', 'x', '-l', 'y', '--deps', 'cp-a1', '--spec-id', 'SPEC-1', '--json'],
    exit: 0,
    stdout: IssueNoDeps,
  },
  { args: ['create', 'India', '--parent', 'cp-e1', '-d', 'child', '--json'], exit: 0, stdout: IssueNoDeps, check: (j) => expectTrue(j.id === 'cp-e1.1', `the first child id cp-e1.1, got ${j.id}`) },
  { args: ['create', 'Juliet', '--id', 'cp-j0', '--parent', 'cp-e1', '--json'], exit: 1, stdout: 'empty', stderr: 'parent' },
  { args: ['create', 'Juliet', '--silent', '-d', 'j'], exit: 0, stdout: 'text', check: (_j, out) => expectTrue(/^cp-[0-9a-z.]+\n$/.test(out), `--silent prints only the id, got ${out}`) },
  { args: ['create', 'Kilo', '--dry-run', '-d', 'k', '--json'], exit: 0, stdout: IssueNoDeps },
  { args: ['create', 'Lima', '-p', 'high', '--json'], exit: 2, stdout: 'empty', stderr: 'is not a number. Use 0 (highest) to 4', differs: 'a usage error: bd exits 1' },
  { args: ['create', 'Mike', '-t', 'enhancement', '-d', 'm', '--due', '2099-01-01', '--defer', '2099-01-01', '--json'], exit: 0, stdout: IssueNoDeps, check: (j) => expectTrue(j.issue_type === 'feature', 'enhancement → feature') },

  // ---- update, close, reopen: arrays of Issue ----
  { args: ['update', 'cp-k7x9q', '-s', 'in_progress', '--json'], exit: 0, stdout: arr(IssueNoDeps), check: (j) => expectTrue(j[0].status === 'in_progress', 'in_progress') },
  { args: ['update', 'k7x9q', '--acceptance-criteria', 'AC', '--body', 'B', '--json'], exit: 0, stdout: arr(IssueNoDeps), check: (j) => expectTrue(j[0].acceptance_criteria === 'AC' && j[0].description === 'B', 'hidden aliases') },
  { args: ['update', 'cp-k7x9q', '--add-label', 'p', '--json'], exit: 0, stdout: arr(IssueNoDeps), check: (j) => expectTrue(j[0].labels?.includes('p'), 'labels in the answer') },
  { args: ['update', 'cp-k7x9q', '--set-labels', 'q,r', '--remove-label', 'r', '--append-notes', 'more', '--json'], exit: 0, stdout: arr(IssueNoDeps) },
  { args: ['update', 'cp-k7x9q', 'cp-e5', '-p', '1', '-t', 'chore', '--due', '2099-01-01', '--json'], exit: 0, stdout: arr(IssueNoDeps), check: (j) => expectLength(j, 2) },
  { args: ['update', 'cp-k7x9q', '--json'], exit: 0, stdout: 'text', check: (_j, out) => expectTrue(out.includes('No updates specified'), `got ${out}`) },
  { args: ['update', 'cp-nope', '-s', 'open', '--json'], exit: 1, stdout: ErrorOutput },
  { args: ['close', 'cp-k7x9q', '-r', 'done', '--json'], exit: 0, stdout: arr(IssueNoDeps), check: (j) => expectTrue(j[0].status === 'closed' && j[0].close_reason === 'done', 'closed with the reason') },
  { args: ['close', 'cp-b2', '--json'], exit: 1, stdout: ErrorOutput },
  { args: ['close', 'cp-f6', '--resolution', 'wontfix', '--json'], exit: 0, stdout: arr(IssueNoDeps) },
  { args: ['close', 'cp-g7', '-m', 'dup', '--session', 's1', '--json'], exit: 0, stdout: arr(IssueNoDeps) },
  { args: ['reopen', 'cp-k7x9q', '-r', 'again', '--json'], exit: 0, stdout: arr(IssueNoDeps), check: (j) => expectTrue(j[0].status === 'open' && !j[0].closed_at, 'open, closed_at cleared') },
  { args: ['reopen', 'cp-f6', 'cp-g7', '--json'], exit: 0, stdout: arr(IssueNoDeps), check: (j) => expectLength(j, 2) },

  // ---- ready (limit 10, open only, hybrid) and blocked ----
  { args: ['ready', '--json'], exit: 0, stdout: arr(IssueWithCounts), check: (j) => {
    expectEvery(j, (i) => i.status === 'open', 'open');
    expectTrue(!ids(j).includes('cp-b2'), 'cp-b2 is blocked');
    expectTrue(j.length <= 10, 'at most 10');
  } },
  { args: ['ready', '-n', '1', '--json'], exit: 0, stdout: arr(IssueWithCounts), check: (j) => expectLength(j, 1) },
  { args: ['ready', '-u', '--json'], exit: 0, stdout: arr(IssueWithCounts), check: (j) => expectEvery(j, (i) => !i.assignee, 'unassigned') },
  { args: ['ready', '-s', 'priority', '--json'], exit: 0, stdout: arr(IssueWithCounts) },
  { args: ['ready', '--sort', 'oldest', '--json'], exit: 0, stdout: arr(IssueWithCounts) },
  { args: ['ready', '-l', 'web', '--json'], exit: 0, stdout: arr(IssueWithCounts), check: (j) => expectIds(j, ['cp-a1']) },
  { args: ['ready', '--label-any', 'web,x', '--json'], exit: 0, stdout: arr(IssueWithCounts) },
  { args: ['ready', '-t', 'epic', '--json'], exit: 0, stdout: arr(IssueWithCounts), check: (j) => expectIds(j, ['cp-e1']) },
  { args: ['ready', '-p', '1', '-a', 'alice', '--json'], exit: 0, stdout: arr(IssueWithCounts), check: (j) => expectIds(j, ['cp-a1']) },
  { args: ['ready', '--parent', 'cp-e1', '--json'], exit: 0, stdout: arr(IssueWithCounts), check: (j) => expectIncludes(j, 'cp-c3') },
  { args: ['ready', '--include-deferred', '--mol-type', 'work', '--json'], exit: 0, stdout: arr(IssueWithCounts) },
  { args: ['ready', '--pretty'], exit: 0, stdout: 'text' },
  { args: ['blocked', '--json'], exit: 0, stdout: arr(BlockedIssue), check: (j) => expectIncludes(j, 'cp-b2') },
  { args: ['blocked', '--parent', 'cp-e1', '--json'], exit: 0, stdout: arr(BlockedIssue), check: (j) => expectLength(j, 0) },

  // ---- dep ----
  { args: ['dep', 'add', 'cp-c3', 'cp-a1', '--json'], exit: 0, stdout: DepAdded },
  { args: ['dep', 'add', 'cp-e5', '--blocked-by', 'cp-a1', '--json'], exit: 0, stdout: DepAdded },
  { args: ['dep', 'add', 'cp-f6', '--depends-on', 'cp-a1', '-t', 'related', '--json'], exit: 0, stdout: DepAdded, check: (j) => expectTrue(j.type === 'related', 'related') },
  { args: ['dep', 'cp-a1', '--blocks', 'cp-g7', '--json'], exit: 0, stdout: DepBlocks },
  { args: ['dep', 'remove', 'cp-f6', 'cp-a1', '--json'], exit: 0, stdout: DepRemoved },
  { args: ['dep', 'rm', 'cp-g7', 'cp-a1', '--json'], exit: 0, stdout: DepRemoved },
  { args: ['dep', 'add', 'cp-nope', 'cp-a1', '--json'], exit: 1, stdout: ErrorOutput },
  { args: ['dep', 'list', 'cp-b2', '--json'], exit: 0, stdout: arr(IssueWithDependencyMetadata), check: (j) => expectIds(j, ['cp-a1']) },
  { args: ['dep', 'list', 'cp-a1', '--direction', 'up', '--json'], exit: 0, stdout: arr(IssueWithDependencyMetadata), check: (j) => expectIncludes(j, 'cp-b2') },
  { args: ['dep', 'list', 'cp-a1', '--direction', 'up', '-t', 'blocks', '--json'], exit: 0, stdout: arr(IssueWithDependencyMetadata) },
  { args: ['dep', 'tree', 'cp-b2', '--json'], exit: 0, stdout: arr(TreeNode), check: (j) => expectTrue(j[0].id === 'cp-b2' && j[0].depth === 0 && j[0].parent_id === 'cp-b2', 'the root first, depth 0, its own parent_id') },
  { args: ['dep', 'tree', 'cp-a1', '--reverse', '-d', '2', '--show-all-paths', '--json'], exit: 0, stdout: arr(TreeNode) },
  { args: ['dep', 'tree', 'cp-a1', '--direction', 'both', '--status', 'open', '-t', 'blocks', '--json'], exit: 0, stdout: arr(TreeNode) },
  { args: ['dep', 'cycles', '--json'], exit: 0, stdout: arr(arr(Issue)), check: (j) => expectLength(j, 0) },

  // ---- label ----
  { args: ['label', 'add', 'cp-b2', 'ux', '--json'], exit: 0, stdout: arr(LabelAdded) },
  { args: ['label', 'add', 'cp-b2', 'cp-c3', 'ops', '--json'], exit: 0, stdout: arr(LabelAdded), check: (j) => expectLength(j, 2) },
  { args: ['label', 'remove', 'cp-c3', 'ops', '--json'], exit: 0, stdout: arr(LabelRemoved) },
  { args: ['label', 'list', 'cp-b2', '--json'], exit: 0, stdout: arr(S), check: (j) => expectTrue(JSON.stringify(j) === '["ops","ux"]', `["ops","ux"], got ${JSON.stringify(j)}`) },
  { args: ['label', 'list-all', '--json'], exit: 0, stdout: arr(LabelCount), check: (j) => expectTrue(j[0].label === 'api' && j[0].count === 1, 'sorted by label') },
  { args: ['label', 'add', 'cp-nope', 'x', '--json'], exit: 1, stdout: ErrorOutput },

  // ---- comments ----
  { args: ['comments', 'cp-a1', '--json'], exit: 0, stdout: arr(Comment), check: (j) => expectLength(j, 1) },
  { args: ['comments', 'cp-a1', '--local-time', '--json'], exit: 0, stdout: arr(Comment) },
  { args: ['comments', 'add', 'cp-a1', 'Second', '--author', 'bob', '--json'], exit: 0, stdout: Comment },
  { args: ['comments', 'add', 'cp-a1', 'Third', '-a', 'eve', '--json'], exit: 0, stdout: Comment, check: (j) => expectTrue(j.author === 'eve', 'author eve') },
  { args: ['comment', 'cp-a1', 'Fourth', '--json'], exit: 0, stdout: Comment },
  { args: ['comments', 'cp-nope', '--json'], exit: 1, stdout: ErrorOutput },

  // ---- epic ----
  { args: ['epic', 'status', '--json'], exit: 0, stdout: arr(EpicStatus), check: (j) => expectTrue(j[0]?.epic?.id === 'cp-e1' && j[0].total_children >= 1, 'cp-e1 with its children') },
  { args: ['epic', 'status', '--eligible-only', '--json'], exit: 0, stdout: arr(EpicStatus), check: (j) => expectLength(j, 0) },
  { args: ['epic', 'close-eligible', '--dry-run', '--json'], exit: 0, stdout: arr(EpicStatus) },

  // ---- stats (alias status), count, search, stale ----
  { args: ['stats', '--json'], exit: 0, stdout: StatsOutput, check: (j) => expectTrue(j.summary.closed_issues === 1 && j.summary.blocked_issues >= 1, 'counts') },
  { args: ['status', '--json'], exit: 0, stdout: StatsOutput },
  { args: ['stats', '--no-activity', '--assigned', '--all', '--json'], exit: 0, stdout: StatsOutput, check: (j) => expectTrue(!('recent_activity' in j), 'no recent_activity with --no-activity') },
  // --assigned counts the actor's issues only (bd: direct mode only; bd-rx through the daemon too).
  { args: ['stats', '--no-activity', '--assigned', '--actor', 'alice', '--json'], exit: 0, stdout: StatsOutput, check: (j) => expectTrue(j.summary.total_issues >= 1 && j.summary.total_issues < 5 && j.summary.ready_issues <= j.summary.total_issues, `alice's counts, got ${JSON.stringify(j.summary)}`) },
  { args: ['stats', '--no-activity', '--assigned', '--actor', 'nobody-here', '--json'], exit: 0, stdout: StatsOutput, check: (j) => expectTrue(j.summary.total_issues === 0 && j.summary.ready_issues === 0, `no issues, got ${JSON.stringify(j.summary)}`) },
  // Not a git repository: git has nothing to say, and bd then leaves recent_activity out (spec/git/recent-activity.spec.ts has the git case).
  { args: ['stats', '--json'], exit: 0, stdout: StatsOutput, check: (j) => expectTrue(!('recent_activity' in j), 'no recent_activity outside git') },
  { args: ['count', '--json'], exit: 0, stdout: CountOutput, check: (j) => expectTrue(j.count >= 11, 'closed issues count too') },
  { args: ['count', '-s', 'closed', '--json'], exit: 0, stdout: CountOutput, check: (j) => expectTrue(j.count === 1, `1 closed, got ${j.count}`) },
  { args: ['count', '-p', '1', '-t', 'task', '-a', 'alice', '-l', 'web', '--json'], exit: 0, stdout: CountOutput, check: (j) => expectTrue(j.count === 1, `got ${j.count}`) },
  { args: ['count', '--by-status', '--json'], exit: 0, stdout: CountGroups },
  { args: ['count', '--by-priority', '--json'], exit: 0, stdout: CountGroups, check: (j) => expectTrue(j.groups.some((g: any) => g.group === 'P1'), 'groups P0..P4') },
  { args: ['count', '--by-type', '--json'], exit: 0, stdout: CountGroups },
  { args: ['count', '--by-assignee', '--json'], exit: 0, stdout: CountGroups, check: (j) => expectTrue(j.groups.some((g: any) => g.group === '(unassigned)'), '(unassigned)') },
  { args: ['count', '--by-label', '--json'], exit: 0, stdout: CountGroups, check: (j) => expectTrue(j.groups.some((g: any) => g.group === '(no labels)'), '(no labels)') },
  { args: ['count'], exit: 0, stdout: 'text', check: (_j, out) => expectTrue(/^\d+\n$/.test(out), `the bare number, got ${out}`) },
  { args: ['search', 'Alpha', '--json'], exit: 0, stdout: arr(IssueWithCounts), check: (j) => expectIds(j, ['cp-a1']) },
  { args: ['search', '--query', 'desc', '-s', 'closed', '--json'], exit: 0, stdout: arr(IssueWithCounts), check: (j) => expectIds(j, ['cp-d4']) },
  { args: ['search', 'cp-b', '-n', '5', '--sort', 'id', '-r', '--long', '--json'], exit: 0, stdout: arr(IssueWithCounts), check: (j) => expectIncludes(j, 'cp-b2') },
  { args: ['search', '--json'], exit: 2, stdout: 'empty', stderr: 'search needs a query.', differs: 'a usage error: bd exits 1' },
  { args: ['stale', '--json'], exit: 0, stdout: arr(Issue), check: (j) => expectLength(j, 0) },
  { args: ['stale', '-d', '0', '-s', 'open', '-n', '3', '--json'], exit: 0, stdout: arr(Issue) },

  // ---- info, where ----
  { args: ['info', '--json'], exit: 0, stdout: Info },
  { args: ['where', '--json'], exit: 0, stdout: Where, check: (j) => expectTrue(j.prefix === 'cp', 'prefix cp') },
  { args: ['where', '--json'], exit: 1, stdout: ErrorOutput, outside: true },

  // ---- config ----
  { args: ['config', 'set', 'jira.url', 'https://x.example', '--json'], exit: 0, stdout: ConfigValue },
  { args: ['config', 'get', 'jira.url', '--json'], exit: 0, stdout: ConfigValue, check: (j) => expectTrue(j.value === 'https://x.example', 'the value set') },
  { args: ['config', 'list', '--json'], exit: 0, stdout: obj({}, {}, true), check: (j) => expectTrue(j['jira.url'] === 'https://x.example', 'flat key: value') },
  { args: ['config', 'unset', 'jira.url', '--json'], exit: 0, stdout: ConfigUnset },
  { args: ['config', 'get', 'jira.url'], exit: 0, stdout: 'text' },

  // ---- defer / undefer ----
  { args: ['defer', 'cp-e5', '--json'], exit: 0, stdout: arr(IssueNoDeps), check: (j) => expectTrue(j[0].status === 'deferred', 'deferred') },
  { args: ['defer', 'cp-f6', '--until', '2099-01-15', '--json'], exit: 0, stdout: arr(IssueNoDeps), check: (j) => expectTrue(j[0].status === 'deferred' && !!j[0].defer_until, 'deferred until') },
  { args: ['undefer', 'cp-e5', 'cp-f6', '--json'], exit: 0, stdout: arr(IssueNoDeps), check: (j) => expectEvery(j, (i) => i.status === 'open' && !i.defer_until, 'open again') },

  // ---- delete: a preview without --force ----
  { args: ['delete', 'cp-h8', '--json'], exit: 0, stdout: 'text', check: (_j, out) => expectTrue(out.includes('DELETE PREVIEW'), `a preview, got ${out}`) },
  { args: ['delete', 'cp-h8', '--dry-run'], exit: 0, stdout: 'text' },
  { args: ['delete', 'cp-h8', '--force', '--reason', 'dup', '--json'], exit: 0, stdout: DeleteSingle, check: (j) => expectTrue(j.deleted === 'cp-h8', 'cp-h8 deleted') },
  { args: ['delete', '--json'], exit: 2, stdout: 'empty', stderr: 'No issue ID provided.' },
  // A chain for --cascade: z2 depends on z1, z3 on z2 (dependents: deleted too); z1 depends on z4, which mentions z1 (kept, its text marked).
  { args: ['create', 'Zulu one', '--id', 'cp-z1', '-l', 'zz', '--json'], exit: 0, stdout: IssueNoDeps },
  { args: ['create', 'Zulu two', '--id', 'cp-z2', '--deps', 'cp-z1', '--json'], exit: 0, stdout: IssueNoDeps },
  { args: ['create', 'Zulu three', '--id', 'cp-z3', '--deps', 'cp-z2', '--json'], exit: 0, stdout: IssueNoDeps },
  { args: ['create', 'Zulu four', '--id', 'cp-z4', '-d', 'see cp-z1 first', '--json'], exit: 0, stdout: IssueNoDeps },
  { args: ['dep', 'add', 'cp-z1', 'cp-z4', '-t', 'related', '--json'], exit: 0, stdout: DepAdded },
  {
    args: ['delete', 'cp-z1', '--cascade'],
    exit: 0,
    stdout: 'text',
    check: (_j, out) => expectTrue(out.includes('DELETE PREVIEW') && out.includes('Issues to delete (3)') && ['cp-z1', 'cp-z2', 'cp-z3'].every((id) => out.includes(id)) && out.includes('--cascade --force'), `a cascade preview naming z1-z3, got ${out}`),
  },
  { args: ['delete', 'cp-z1', '--cascade', '--dry-run', '--json'], exit: 0, stdout: 'text', check: (_j, out) => expectTrue(out.includes('no changes made'), `got ${out}`) },
  { args: ['show', 'cp-z3', '--json'], exit: 0, stdout: arr(IssueDetails), check: (j) => expectIds(j, ['cp-z3']) },
  {
    args: ['delete', 'cp-z1', '--cascade', '--force', '--json'],
    exit: 0,
    stdout: DeleteBatch,
    check: (j) => expectTrue(
      JSON.stringify(j.deleted) === '["cp-z1"]' && j.deleted_count === 3 && j.dependencies_removed === 3 && j.labels_removed === 1 &&
        j.references_updated === 1 && (j.orphaned_issues ?? []).length === 0,
      `z1-z3 gone (3 links, 1 label), z4's text marked; got ${JSON.stringify(j)}`,
    ),
  },
  { args: ['show', 'cp-z3', '--json'], exit: 0, stdout: 'empty', stderr: 'no issue found' },
  { args: ['show', 'cp-z4', '--json'], exit: 0, stdout: arr(IssueDetails), check: (j) => expectTrue(j[0].description === 'see [deleted:cp-z1] first' && !j[0].dependents, `the reference marked, the link gone; got ${JSON.stringify(j[0])}`) },
  { args: ['create', 'Yankee', '--id', 'cp-y1', '--json'], exit: 0, stdout: IssueNoDeps },
  { args: ['create', 'Yankee two', '--id', 'cp-y2', '--deps', 'cp-y1', '--json'], exit: 0, stdout: IssueNoDeps },
  {
    args: ['delete', 'cp-y1', 'cp-z4', '--force', '--hard', '--json'],
    exit: 0,
    stdout: DeleteBatch,
    check: (j) => expectTrue(j.deleted_count === 2 && JSON.stringify(j.orphaned_issues) === '["cp-y2"]', `2 deleted, cp-y2 orphaned; got ${JSON.stringify(j)}`),
  },
  { args: ['show', 'cp-y2', '--json'], exit: 0, stdout: arr(IssueDetails), check: (j) => expectTrue(!j[0].dependencies, 'its dependency on cp-y1 is gone') },
  { args: ['delete', 'cp-nope', '--force', '--json'], exit: 1, stdout: 'empty', stderr: 'no issue found' },

  // ---- export / import ----
  { args: ['export'], exit: 0, stdout: 'text', check: (_j, out) => out.trim().split('\n').forEach((l) => expectTrue(JSON.parse(l).id !== undefined, 'one issue per line')) },
  { args: ['export', '-o', '{tmp}/out.jsonl', '--json'], exit: 0, stdout: 'empty' },
  { args: ['import', '-i', '{tmp}/out.jsonl'], exit: 0, stdout: 'text' },
  { args: ['import', '-i', '{tmp}/out.jsonl', '--orphan-handling', 'allow', '--protect-left-snapshot', '--json'], exit: 0, stdout: 'any' },
  {
    args: ['import', '-i', '{tmp}/out.jsonl', '--dry-run', '-s', '--json'],
    exit: 1,
    stdout: 'empty',
    stderr: 'does not support --dry-run, --skip-existing',
    differs: 'bd previews (--dry-run) or keeps existing issues (-s); bd-rx refuses both rather than import anyway',
  },

  // ---- rename-prefix: the dry run here, the real one last (it renames every id rows rely on) ----
  { args: ['rename-prefix', 'zz', '--dry-run'], exit: 0, stdout: 'text', check: (_j, out) => expectTrue(out.includes("DRY RUN: Would rename") && out.includes('cp-a1 -> zz-a1'), `got ${out}`) },
  { args: ['show', 'cp-a1', '--json'], exit: 0, stdout: arr(IssueDetails), check: (j) => expectIds(j, ['cp-a1']) },
  { args: ['rename-prefix', 'Bad_Prefix'], exit: 2, stdout: 'empty', stderr: 'must start with a lower-case letter' },
  { args: ['rename-prefix', 'cp', '--json'], exit: 1, stdout: ErrorOutput, check: (j) => expectTrue(j.error.includes('same as current prefix'), j.error) },
  { args: ['rename-prefix', 'zz', '--readonly'], exit: 1, stdout: 'empty', stderr: "operation 'rename-prefix' is not allowed in read-only mode" },
  // One prefix here: a repair into it changes nothing; into another it would give every issue a new id.
  { args: ['rename-prefix', 'cp', '--repair', '--json'], exit: 0, stdout: RepairPrefix, check: (j) => expectTrue(j.target_prefix === 'cp' && j.prefixes_found === 1 && j.issues_repaired === 0 && j.issues_unchanged > 10, `got ${JSON.stringify(j)}`) },
  { args: ['rename-prefix', 'zz', '--repair', '--dry-run', '--json'], exit: 0, stdout: RepairPrefix, check: (j) => expectTrue(j.issues_repaired > 10 && j.issues_unchanged === 0, `got ${JSON.stringify(j)}`) },
  { args: ['show', 'cp-a1', '--json'], exit: 0, stdout: arr(IssueDetails), check: (j) => expectIds(j, ['cp-a1']) },

  // ---- usage errors: exit 2, a sentence on stderr ----
  { args: ['frobnicate'], exit: 2, stdout: 'empty' },
  { args: ['list', '--frobnicate'], exit: 2, stdout: 'empty' },
  { args: ['epic', 'close-eligible', '--json'], exit: 0, stdout: EpicClosed },

  // ---- rename-prefix for real: every id, its dependencies and comments, the prefix ----
  { args: ['rename-prefix', 'cq-', '--json'], exit: 0, stdout: RenamePrefix, check: (j) => expectTrue(j.old_prefix === 'cp' && j.new_prefix === 'cq' && j.issues_count > 10, `got ${JSON.stringify(j)}`) },
  {
    args: ['show', 'cq-b2', '--json'],
    exit: 0,
    stdout: arr(IssueDetails),
    check: (j) => expectTrue(j[0].id === 'cq-b2' && j[0].dependencies?.[0]?.id === 'cq-a1', `cq-b2 blocked by cq-a1, got ${JSON.stringify(j[0].dependencies)}`),
  },
  { args: ['comments', 'cq-a1', '--json'], exit: 0, stdout: arr(Comment), check: (j) => expectEvery(j, (c) => c.issue_id === 'cq-a1', 'on cq-a1') },
  { args: ['list', '--all', '--limit', '0', '--json'], exit: 0, stdout: arr(IssueWithCounts), check: (j) => expectEvery(j, (i) => String(i.id).startsWith('cq-'), 'renamed') },
  { args: ['where', '--json'], exit: 0, stdout: Where, check: (j) => expectTrue(j.prefix === 'cq', `prefix cq, got ${j.prefix}`) },
  { args: ['show', 'cp-a1', '--json'], exit: 0, stdout: 'empty', stderr: 'no issue found' },
];
