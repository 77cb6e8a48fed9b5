/**
 * The rules of a bd issue, written once: the store's validators, the RPC schemas, the import's
 * warnings and the CLI's options all read them from here, so they cannot drift apart.
 * Values and order follow bd 0.49.6 (`internal/types/types.go`).
 */

/** Statuses bd knows (the RPC schemas list them in this order in their messages). */
export const ISSUE_STATUSES = [
  'open',
  'in_progress',
  'blocked',
  'closed',
  'deferred',
  'pinned',
  'tombstone',
  'hooked',
] as const;
export type IssueStatus = (typeof ISSUE_STATUSES)[number];

export const ISSUE_TYPES = ['bug', 'feature', 'task', 'epic', 'chore'] as const;
export type IssueType = (typeof ISSUE_TYPES)[number];
export const DEFAULT_ISSUE_TYPE: IssueType = 'task';

/** The dependency types bd-rx accepts on a write (bd reads more; a file may carry any). */
export const DEPENDENCY_TYPES = ['blocks', 'related', 'parent-child', 'discovered-from'] as const;
export type DependencyType = (typeof DEPENDENCY_TYPES)[number];
export const DEFAULT_DEPENDENCY_TYPE: DependencyType = 'blocks';

/** 0 is the highest priority. */
export const PRIORITY = { min: 0, max: 4, default: 2 } as const;

/** bd refuses a longer title on create and update (Go's `len`: bytes of UTF-8, not characters). */
export const TITLE_MAX_BYTES = 500;

/** The key order bd's Go `Issue` struct gives a freshly written record. */
export const ISSUE_FIELDS = [
  'id',
  'content_hash',
  'title',
  'description',
  'design',
  'acceptance_criteria',
  'notes',
  'status',
  'priority',
  'issue_type',
  'assignee',
  'owner',
  'estimated_minutes',
  'created_at',
  'created_by',
  'updated_at',
  'closed_at',
  'close_reason',
  'external_ref',
  'source_repo',
  'labels',
  'dependencies',
  'comments',
] as const;
export type IssueField = (typeof ISSUE_FIELDS)[number];

/** Fields bd writes even when zero or empty. */
export const ALWAYS_WRITTEN_FIELDS: ReadonlySet<string> = new Set<IssueField>(['id', 'title', 'status', 'priority', 'issue_type']);

/** The free-text fields, in the order a detailed view shows them. */
export const TEXT_FIELDS = ['description', 'design', 'acceptance_criteria', 'notes'] as const;

/** The fields that `create` and `update` both set as given (besides title, status, labels...). */
export const EDITABLE_FIELDS = [
  ...TEXT_FIELDS,
  'priority',
  'assignee',
  'external_ref',
  'estimated_minutes',
] as const satisfies readonly IssueField[];
export type EditableField = (typeof EDITABLE_FIELDS)[number];

/** The value each editable field takes. */
export type EditableValues = {
  [K in EditableField]?: K extends 'priority' | 'estimated_minutes' ? number : string;
};

export function isIssueStatus(value: unknown): value is IssueStatus {
  return typeof value === 'string' && (ISSUE_STATUSES as readonly string[]).includes(value);
}

export function isIssueType(value: unknown): value is IssueType {
  return typeof value === 'string' && (ISSUE_TYPES as readonly string[]).includes(value);
}

export function isDependencyType(value: unknown): value is DependencyType {
  return typeof value === 'string' && (DEPENDENCY_TYPES as readonly string[]).includes(value);
}

export function isPriority(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= PRIORITY.min && value <= PRIORITY.max;
}
