/**
 * bd 0.49.6's JSON types, written out from `internal/types/types.go` and `internal/rpc/protocol.go`
 * (json tags: a field without `omitempty` is required, one with it is optional), and a checker
 * that lists every way a value differs from one. Derived from bd's source, never from bd-rx's
 * output: a key bd-rx prints that the Go type does not have is a difference too.
 */

export type Shape =
  | { kind: 'string' }
  | { kind: 'int' }
  | { kind: 'number' }
  | { kind: 'bool' }
  | { kind: 'time' }
  | { kind: 'json' }
  | { kind: 'literal'; value: string }
  | { kind: 'array'; of: Shape }
  | { kind: 'nullable'; of: Shape }
  | { kind: 'oneOf'; options: Shape[] }
  | { kind: 'object'; required: Record<string, Shape>; optional: Record<string, Shape>; open?: boolean };

export const S: Shape = { kind: 'string' };
export const I: Shape = { kind: 'int' };
export const F: Shape = { kind: 'number' };
export const B: Shape = { kind: 'bool' };
/** Go `time.Time`: RFC 3339, fractional seconds optional. */
export const T: Shape = { kind: 'time' };
/** `json.RawMessage`: any JSON value. */
export const J: Shape = { kind: 'json' };
export const lit = (value: string): Shape => ({ kind: 'literal', value });
export const arr = (of: Shape): Shape => ({ kind: 'array', of });
export const nullable = (of: Shape): Shape => ({ kind: 'nullable', of });
export const oneOf = (...options: Shape[]): Shape => ({ kind: 'oneOf', options });
export const obj = (required: Record<string, Shape>, optional: Record<string, Shape> = {}, open = false): Shape => ({
  kind: 'object',
  required,
  optional,
  open,
});
/** Same keys, plus more. */
export function extend(base: Shape, required: Record<string, Shape>, optional: Record<string, Shape> = {}): Shape {
  if (base.kind !== 'object') throw new Error('extend() needs an object shape');
  const opt = { ...base.optional, ...optional };
  for (const k of Object.keys(required)) delete opt[k];
  return obj({ ...base.required, ...required }, opt, base.open);
}
/** Same keys, with some removed. */
export function without(base: Shape, ...keys: string[]): Shape {
  if (base.kind !== 'object') throw new Error('without() needs an object shape');
  const req = { ...base.required };
  const opt = { ...base.optional };
  for (const k of keys) {
    delete req[k];
    delete opt[k];
  }
  return obj(req, opt, base.open);
}
/** Extra keys allowed (e.g. health fields beyond bd's). */
export const open = (base: Shape): Shape => (base.kind === 'object' ? { ...base, open: true } : base);

export const Comment = obj({ id: I, issue_id: S, author: S, text: S, created_at: T });

export const Dependency = obj(
  { issue_id: S, depends_on_id: S, type: S, created_at: T },
  { created_by: S, metadata: S, thread_id: S },
);

const EntityRef = obj({}, { name: S, platform: S, org: S, id: S });

/** `types.Issue`: id, title, priority, created_at and updated_at always; the rest omitempty. */
export const Issue = obj(
  { id: S, title: S, priority: I, created_at: T, updated_at: T },
  {
    description: S,
    design: S,
    acceptance_criteria: S,
    notes: S,
    spec_id: S,
    status: S,
    issue_type: S,
    assignee: S,
    owner: S,
    estimated_minutes: I,
    created_by: S,
    closed_at: T,
    close_reason: S,
    closed_by_session: S,
    due_at: T,
    defer_until: T,
    external_ref: S,
    source_system: S,
    metadata: J,
    compaction_level: I,
    compacted_at: T,
    compacted_at_commit: S,
    original_size: I,
    labels: arr(S),
    dependencies: arr(Dependency),
    comments: arr(Comment),
    deleted_at: T,
    deleted_by: S,
    delete_reason: S,
    original_type: S,
    sender: S,
    ephemeral: B,
    wisp_type: S,
    pinned: B,
    is_template: B,
    bonded_from: arr(J),
    creator: EntityRef,
    validations: arr(J),
    quality_score: F,
    crystallizes: B,
    await_type: S,
    await_id: S,
    timeout: I,
    waiters: arr(S),
    holder: S,
    source_formula: S,
    source_location: S,
    hook_bead: S,
    role_bead: S,
    agent_state: S,
    last_activity: T,
    role_type: S,
    rig: S,
    mol_type: S,
    work_type: S,
    event_kind: S,
    actor: S,
    target: S,
    payload: S,
  },
);

/** What create/update/close/reopen answer: the issue, never its raw dependency records. */
export const IssueNoDeps = without(Issue, 'dependencies');

export const IssueWithCounts = extend(Issue, { dependency_count: I, dependent_count: I, comment_count: I });

export const IssueWithDependencyMetadata = extend(Issue, { dependency_type: S });

/** `types.IssueDetails`: its own labels/dependencies/dependents/comments replace Issue's. */
export const IssueDetails = extend(
  without(Issue, 'labels', 'dependencies', 'comments'),
  {},
  {
    labels: arr(S),
    dependencies: arr(IssueWithDependencyMetadata),
    dependents: arr(IssueWithDependencyMetadata),
    comments: arr(Comment),
    parent: S,
  },
);

export const BlockedIssue = extend(Issue, { blocked_by_count: I, blocked_by: arr(S) });

export const TreeNode = extend(Issue, { depth: I, parent_id: S, truncated: B });

export const EpicStatus = obj({ epic: Issue, total_children: I, closed_children: I, eligible_for_close: B });

export const Statistics = obj({
  total_issues: I,
  open_issues: I,
  in_progress_issues: I,
  closed_issues: I,
  blocked_issues: I,
  deferred_issues: I,
  ready_issues: I,
  tombstone_issues: I,
  pinned_issues: I,
  epics_eligible_for_closure: I,
  average_lead_time_hours: F,
});

export const RecentActivity = obj({
  hours_tracked: I,
  commit_count: I,
  issues_created: I,
  issues_closed: I,
  issues_updated: I,
  issues_reopened: I,
  total_changes: I,
});

/** `bd stats --json`. */
export const StatsOutput = obj({ summary: Statistics }, { recent_activity: RecentActivity });

/** The daemon's `stats`: Statistics, plus bd-rx's `summary` copy for clients of the CLI shape. */
export const RpcStats = extend(Statistics, {}, { summary: Statistics });

export const DepAdded = obj({ status: lit('added'), issue_id: S, depends_on_id: S, type: S });
export const DepRemoved = obj({ status: lit('removed'), issue_id: S, depends_on_id: S });
export const DepBlocks = obj({ status: lit('added'), blocker_id: S, blocked_id: S, type: S });
export const LabelAdded = obj({ status: lit('added'), issue_id: S, label: S });
export const LabelRemoved = obj({ status: lit('removed'), issue_id: S, label: S });
export const LabelCount = obj({ label: S, count: I });

export const CountOutput = obj({ count: I });
export const CountGroups = obj({ total: I, groups: arr(obj({ group: S, count: I })) });

export const DeleteSingle = obj({ deleted: S, dependencies_removed: I, references_updated: I });
// bd's Go code prints `orphaned_issues` as a nil slice (null) when none: either is bd's.
export const DeleteBatch = obj({
  deleted: arr(S),
  deleted_count: I,
  dependencies_removed: I,
  labels_removed: I,
  events_removed: I,
  references_updated: I,
  orphaned_issues: nullable(arr(S)),
});

export const Version = obj({ version: S, build: S }, { commit: S, branch: S });
export const Where = obj({ path: S }, { redirected_from: S, prefix: S, database_path: S });
export const Info = obj(
  { database_path: S, mode: S, daemon_connected: B },
  {
    socket_path: S,
    daemon_version: S,
    daemon_status: S,
    daemon_compatible: B,
    daemon_uptime: F,
    daemon_fallback_reason: S,
    daemon_detail: S,
    issue_count: I,
    config: J,
    schema: J,
  },
);
export const ConfigValue = obj({ key: S, value: S }, { location: S });
export const ConfigUnset = obj({ key: S });
export const EpicClosed = obj({ closed: arr(S), count: I });
export const RenamePrefix = obj({ old_prefix: S, new_prefix: S, issues_count: I });
/** `rename-prefix NEW --repair --json` (cmd/bd/rename_prefix.go repairPrefixes). */
export const RepairPrefix = obj({ target_prefix: S, prefixes_found: I, issues_repaired: I, issues_unchanged: I });

export const ErrorOutput = obj({ error: S });

// ---- RPC answers (internal/rpc/protocol.go) ----------------------------------------------------

export const Ping = open(obj({ message: lit('pong'), version: S }));
export const Health = open(
  obj(
    {
      status: S,
      version: S,
      compatible: B,
      uptime_seconds: F,
      db_response_ms: F,
      active_connections: I,
      max_connections: I,
      memory_alloc_mb: I,
    },
    { client_version: S, error: S },
  ),
);
export const Status = open(
  obj(
    {
      version: S,
      workspace_path: S,
      database_path: S,
      socket_path: S,
      pid: I,
      uptime_seconds: F,
      last_activity_time: T,
      exclusive_lock_active: B,
      auto_commit: B,
      auto_push: B,
      auto_pull: B,
      local_mode: B,
      sync_interval: S,
      daemon_mode: S,
    },
    { exclusive_lock_holder: S },
  ),
);
export const Response = obj({ success: B }, { data: J, error: S });
export const BatchResponse = obj({ results: arr(obj({ success: B }, { data: J, error: S })) });

// ---- the checker -----------------------------------------------------------------------------

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Every way `value` is not of `shape`, as `path: what` lines; [] when it is. */
export function shapeProblems(value: unknown, shape: Shape, at = '$'): string[] {
  switch (shape.kind) {
    case 'string':
      return typeof value === 'string' ? [] : [`${at}: expected a string, got ${typeName(value)}`];
    case 'int':
      return Number.isInteger(value) ? [] : [`${at}: expected an integer, got ${JSON.stringify(value)}`];
    case 'number':
      return typeof value === 'number' ? [] : [`${at}: expected a number, got ${typeName(value)}`];
    case 'bool':
      return typeof value === 'boolean' ? [] : [`${at}: expected a boolean, got ${typeName(value)}`];
    case 'time':
      return typeof value === 'string' && RFC3339.test(value) ? [] : [`${at}: expected an RFC 3339 time, got ${JSON.stringify(value)}`];
    case 'json':
      return value === undefined ? [`${at}: expected a JSON value`] : [];
    case 'literal':
      return value === shape.value ? [] : [`${at}: expected ${JSON.stringify(shape.value)}, got ${JSON.stringify(value)}`];
    case 'nullable':
      return value === null ? [] : shapeProblems(value, shape.of, at);
    case 'oneOf': {
      const each = shape.options.map((o) => shapeProblems(value, o, at));
      return each.some((p) => p.length === 0) ? [] : each.reduce((a, b) => (a.length <= b.length ? a : b));
    }
    case 'array':
      if (!Array.isArray(value)) return [`${at}: expected an array, got ${typeName(value)}`];
      return value.flatMap((v, i) => shapeProblems(v, shape.of, `${at}[${i}]`));
    case 'object': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        return [`${at}: expected an object, got ${typeName(value)}`];
      }
      const o = value as Record<string, unknown>;
      const problems: string[] = [];
      for (const [k, s] of Object.entries(shape.required)) {
        if (!(k in o)) problems.push(`${at}.${k}: missing (bd always prints it)`);
        else problems.push(...shapeProblems(o[k], s, `${at}.${k}`));
      }
      for (const [k, v] of Object.entries(o)) {
        if (k in shape.required) continue;
        const s = shape.optional[k];
        if (s) problems.push(...shapeProblems(v, s, `${at}.${k}`));
        else if (!shape.open) problems.push(`${at}.${k}: not a field of bd's type`);
      }
      return problems;
    }
  }
}
