/**
 * bd's daemon RPC as rows: the request bd 0.49.6's Go client sends (internal/rpc/client.go:
 * `args` is json.Marshal of the args struct, so `null` for none and every non-omitempty field
 * present even when zero; actor, cwd and expected_db in the envelope) and the shape of the
 * answer's `data` (internal/rpc/server_*.go). Rows run in order on one seeded workspace (SEED of
 * cli-rows.ts).
 */
import {
  BatchResponse,
  BlockedIssue,
  Comment,
  CountGroups,
  CountOutput,
  DeleteBatch,
  DeleteSingle,
  DepAdded,
  DepRemoved,
  EpicStatus,
  Health,
  Issue,
  IssueDetails,
  IssueNoDeps,
  IssueWithCounts,
  Ping,
  RpcStats,
  S,
  Status,
  arr,
  nullable,
  obj,
  type Shape,
} from './bd-types';

export interface RpcRow {
  operation: string;
  /** Exactly what the Go client marshals; `null` when it passes no args. */
  args: unknown;
  /** The data's shape on success, or a substring of the error. */
  data?: Shape;
  /** The answer has no `data` at all (label_add / label_remove). */
  noData?: boolean;
  error?: string;
  /** Extra envelope fields (e.g. the Go client's placeholder client_version). */
  envelope?: Record<string, unknown>;
  check?: (data: any) => void;
}

const expectTrue = (cond: boolean, what: string) => {
  if (!cond) throw new Error(what);
};
const idsOf = (data: Array<{ id: string }>) => data.map((i) => i.id).sort();

export const RPC_ROWS: RpcRow[] = [
  { operation: 'ping', args: null, data: Ping },
  { operation: 'ping', args: null, data: Ping, envelope: { client_version: '0.0.0' } },
  { operation: 'health', args: null, data: Health },
  { operation: 'status', args: null, data: Status },
  {
    operation: 'create',
    args: { title: 'Via RPC', description: 'made by a Go client', issue_type: 'task', priority: 2, labels: ['rpc'], dependencies: ['cp-a1'] },
    data: IssueNoDeps,
  },
  { operation: 'create', args: { id: 'cp-r1', title: 'Explicit', issue_type: 'bug', priority: 0, estimated_minutes: 5 }, data: IssueNoDeps },
  { operation: 'create', args: { title: 'Both', issue_type: 'task', priority: 2, id: 'cp-r2', parent: 'cp-e1' }, error: 'parent' },
  { operation: 'update', args: { id: 'cp-r1', status: 'in_progress', add_labels: ['x'] }, data: IssueNoDeps, check: (d) => expectTrue(d.labels?.includes('x'), 'labels in the answer') },
  { operation: 'update', args: { id: 'cp-r1', issue_type: 'chore', spec_id: 'S-1' }, data: IssueNoDeps },
  { operation: 'close', args: { id: 'cp-r1', reason: 'done' }, data: IssueNoDeps, check: (d) => expectTrue(d.status === 'closed', 'closed') },
  { operation: 'close', args: { id: 'cp-b2' }, error: 'blocked' },
  { operation: 'update', args: { id: 'cp-r1', status: 'open' }, data: IssueNoDeps },
  { operation: 'show', args: { id: 'cp-b2' }, data: IssueDetails, check: (d) => expectTrue(d.dependencies?.[0]?.dependency_type === 'blocks' && typeof d.dependencies[0].created_at === 'string', 'blocker in full') },
  { operation: 'show', args: { id: 'cp-nope' }, error: 'not found' },
  { operation: 'resolve_id', args: { id: 'a1' }, data: S, check: (d) => expectTrue(d === 'cp-a1', 'cp-a1') },
  { operation: 'list', args: {}, data: arr(IssueWithCounts) },
  { operation: 'list', args: { exclude_status: ['closed'], exclude_types: ['gate'], limit: 50 }, data: arr(IssueWithCounts), check: (d) => expectTrue(d.every((i: any) => i.status !== 'closed'), 'no closed') },
  { operation: 'list', args: { status: 'all' }, data: arr(IssueWithCounts), check: (d) => expectTrue(d.some((i: any) => i.id === 'cp-d4'), 'all statuses') },
  { operation: 'list', args: { labels: ['web'], labels_any: ['api', 'x'], priority: 1 }, data: arr(IssueWithCounts), check: (d) => expectTrue(JSON.stringify(idsOf(d)) === '["cp-a1"]', 'cp-a1') },
  { operation: 'list', args: { query: 'alpha', title_contains: 'Alp', description_contains: 'desc', notes_contains: 'note', no_assignee: false }, data: arr(IssueWithCounts) },
  { operation: 'list', args: { priority_min: 0, priority_max: 1, created_after: '2000-01-01', updated_before: '2999-01-01T00:00:00Z', parent_id: 'cp-e1' }, data: arr(IssueWithCounts), check: (d) => expectTrue(d.length === 0, 'cp-c3 is P3') },
  { operation: 'list', args: { no_such_filter: true }, error: 'no_such_filter' },
  { operation: 'count', args: {}, data: CountOutput },
  { operation: 'count', args: { status: 'open', labels: ['web'] }, data: CountOutput, check: (d) => expectTrue(d.count === 1, 'one') },
  { operation: 'count', args: { group_by: 'status' }, data: CountGroups },
  {
    operation: 'ready',
    args: { status: 'open', limit: 10, sort_policy: 'hybrid', labels: ['web'], labels_any: ['api'], unassigned: false, assignee: 'alice', priority: 1, type: 'task', include_deferred: false },
    data: arr(IssueWithCounts),
    check: (d) => expectTrue(JSON.stringify(idsOf(d)) === '["cp-a1"]', 'cp-a1'),
  },
  { operation: 'ready', args: { parent_id: 'cp-e1', unassigned: true, sort_policy: 'oldest' }, data: arr(IssueWithCounts), check: (d) => expectTrue(d.some((i: any) => i.id === 'cp-c3'), 'the child') },
  { operation: 'ready', args: { sort_policy: 'sideways' }, error: 'sort_policy' },
  { operation: 'blocked', args: {}, data: nullable(arr(BlockedIssue)), check: (d) => expectTrue((d ?? []).some((i: any) => i.id === 'cp-b2'), 'cp-b2') },
  { operation: 'blocked', args: { parent_id: 'cp-e1' }, data: nullable(arr(BlockedIssue)) },
  { operation: 'stale', args: { days: 30, status: 'open', limit: 5 }, data: nullable(arr(Issue)) },
  { operation: 'stats', args: null, data: RpcStats, check: (d) => expectTrue(d.summary?.total_issues === d.total_issues, 'summary copy') },
  // bd-rx's own argument, what `stats --assigned` sends through the daemon.
  { operation: 'stats', args: { assignee: 'alice' }, data: RpcStats, check: (d) => expectTrue(d.total_issues >= 1 && d.total_issues < 5 && d.summary?.total_issues === d.total_issues, `alice's counts, got ${d.total_issues}`) },
  { operation: 'epic_status', args: { eligible_only: false }, data: nullable(arr(EpicStatus)) },
  { operation: 'dep_add', args: { from_id: 'cp-k7x9q', to_id: 'cp-a1', dep_type: 'blocks' }, data: DepAdded },
  { operation: 'dep_remove', args: { from_id: 'cp-k7x9q', to_id: 'cp-a1', dep_type: '' }, data: DepRemoved },
  { operation: 'label_add', args: { id: 'cp-k7x9q', label: 'rpc-l' }, noData: true },
  { operation: 'label_remove', args: { id: 'cp-k7x9q', label: 'rpc-l' }, noData: true },
  { operation: 'comment_add', args: { id: 'cp-k7x9q', author: 'go', text: 'from Go' }, data: Comment },
  { operation: 'comment_list', args: { id: 'cp-k7x9q' }, data: nullable(arr(Comment)) },
  { operation: 'get_config', args: { key: 'issue_prefix' }, data: obj({ key: S, value: S }), check: (d) => expectTrue(d.value === 'cp', 'cp') },
  {
    operation: 'batch',
    args: { operations: [{ operation: 'ping', args: null }, { operation: 'show', args: { id: 'cp-a1' } }] },
    data: BatchResponse,
  },
  // delete: bd's DeleteArgs {ids, force, dry_run, cascade, reason}; answers in direct mode's shapes (README).
  { operation: 'create', args: { id: 'cp-r3', title: 'To delete', issue_type: 'task', priority: 2 }, data: IssueNoDeps },
  { operation: 'create', args: { id: 'cp-r4', title: 'Depends on r3', issue_type: 'task', priority: 2, dependencies: ['cp-r3'] }, data: IssueNoDeps },
  { operation: 'create', args: { id: 'cp-r5', title: 'Alone', issue_type: 'task', priority: 2 }, data: IssueNoDeps },
  { operation: 'delete', args: { ids: ['cp-r3', 'cp-r5'], force: false, dry_run: false, cascade: false, reason: '' }, error: 'has dependents not in deletion set' },
  {
    operation: 'delete',
    args: { ids: ['cp-r3'], force: false, dry_run: false, cascade: true, reason: 'gone' },
    data: DeleteBatch,
    check: (d) => expectTrue(d.deleted_count === 2 && d.dependencies_removed === 1, `r3 and its dependent r4, 1 link; got ${JSON.stringify(d)}`),
  },
  { operation: 'show', args: { id: 'cp-r4' }, error: 'not found' },
  { operation: 'delete', args: { ids: ['cp-r5'], force: false, dry_run: false, cascade: false, reason: '' }, data: DeleteSingle, check: (d) => expectTrue(d.deleted === 'cp-r5', 'cp-r5') },
  { operation: 'delete', args: { ids: ['cp-r5'], force: true, dry_run: false, cascade: false, reason: '' }, error: 'no issue found' },
  { operation: 'delete', args: { ids: ['cp-a1'], purge: true }, error: 'purge' },
  { operation: 'frobnicate', args: null, error: 'unknown operation' },
];
