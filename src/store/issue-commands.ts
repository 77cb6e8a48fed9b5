import type { IssueRecord } from '../jsonl/parse-jsonl';
import { serializeRecord } from '../jsonl/serialize-record';
import { nowRfc3339, stampAfter } from '../jsonl/rfc3339';
import { hashId } from './hash-id';
import { freshRecord, patchRecord, recordDependencies, recordLabels, type Dependency } from './issue-record';
import { DEFAULT_ISSUE_TYPE, EDITABLE_FIELDS, PRIORITY, type EditableField } from './issue-rules';
import { mutateRecord, rewriteRecord, type StoreContext } from './store-context';
import { IssueNotFoundError, ValidationError } from './store-errors';
import type { CreateInput, UpdateInput } from './store-types';
import {
  dedupeLabels,
  parseDependencySpec,
  validateIssueId,
  validatePriority,
  validateStatus,
  validateTitle,
  validateType,
} from './validators';

/** A dependency as bd writes it: `created_by` only when someone is named (bd omits it empty). */
export function newDependency(issueId: string, dependsOnId: string, type: string, at: string, actor: string): Dependency {
  return {
    issue_id: issueId,
    depends_on_id: dependsOnId,
    type,
    created_at: at,
    ...(actor ? { created_by: actor } : {}),
  };
}

/** Creates an issue; `actor` is recorded as its `created_by` and its dependencies'. */
export function createIssue(ctx: StoreContext, input: CreateInput, actor: string): IssueRecord {
  const title = validateTitle(input.title, 'title is required: give the issue a non-empty title');
  const issueType = input.issue_type ?? DEFAULT_ISSUE_TYPE;
  validateType(issueType);
  const priority = input.priority ?? PRIORITY.default;
  validatePriority(priority);
  const at = nowRfc3339(ctx.now());
  const deps = (input.dependencies ?? []).map(parseDependencySpec);
  const record = ctx.tx.inTransaction((): IssueRecord => {
    let id = input.id;
    if (id !== undefined) {
      validateIssueId(id, ctx.prefix());
      if (ctx.rows.exists(id)) throw new ValidationError(`issue "${id}" already exists: choose another --id`);
    } else {
      id = hashId(
        { prefix: ctx.prefix(), title, description: input.description ?? '', creator: actor, createdAt: at },
        (candidate) => ctx.rows.exists(candidate),
      );
    }
    for (const d of deps) if (!ctx.rows.exists(d.target)) throw new IssueNotFoundError(d.target);
    // Written out, not copied in a loop over EDITABLE_FIELDS: a create is on the RPC hot path.
    // `satisfies` keeps the list honest: a new editable field fails to compile here until added.
    const editable = {
      description: input.description,
      design: input.design,
      acceptance_criteria: input.acceptance_criteria,
      notes: input.notes,
      priority,
      assignee: input.assignee,
      external_ref: input.external_ref,
      estimated_minutes: input.estimated_minutes,
    } satisfies Required<Record<EditableField, unknown>>;
    const record = freshRecord({
      id,
      title,
      status: 'open',
      issue_type: issueType,
      ...editable,
      created_at: at,
      created_by: actor,
      updated_at: at,
      labels: dedupeLabels(input.labels ?? []),
      dependencies: deps.map((d) => newDependency(id!, d.target, d.type, at, actor)),
    });
    ctx.rows.write(record, serializeRecord(record), { dirty: true, synced: false }, true);
    ctx.sync.forgetDeletion(id);
    return record;
  });
  ctx.feed.emit('create', record.id);
  return record;
}

export function updateIssue(ctx: StoreContext, id: string, input: UpdateInput): IssueRecord {
  if (input.status !== undefined) validateStatus(input.status);
  if (input.priority !== undefined) validatePriority(input.priority);
  if (input.title !== undefined) validateTitle(input.title, 'title cannot be empty: give a non-empty --title');
  return mutateRecord(ctx, id, 'update', (rec, at) => {
    const changes: Record<string, unknown> = {};
    for (const key of ['title', ...EDITABLE_FIELDS] as const) {
      if (input[key] !== undefined) changes[key] = input[key];
    }
    if (input.status !== undefined && input.status !== rec.status) {
      changes.status = input.status;
      if (input.status === 'closed') changes.closed_at = at;
      else if (rec.status === 'closed') {
        changes.closed_at = '';
        changes.close_reason = '';
      }
    }
    if (input.set_labels || input.add_labels || input.remove_labels) {
      let labels = input.set_labels ? dedupeLabels(input.set_labels) : recordLabels(rec);
      for (const l of input.add_labels ?? []) if (!labels.includes(l)) labels = [...labels, l];
      labels = labels.filter((l) => !(input.remove_labels ?? []).includes(l));
      changes.labels = labels;
    }
    return changes;
  });
}

export function closeIssue(ctx: StoreContext, id: string, reason: string | undefined): IssueRecord {
  return mutateRecord(ctx, id, 'close', (_rec, at) => ({ status: 'closed', closed_at: at, close_reason: reason ?? 'Closed' }));
}

export function reopenIssue(ctx: StoreContext, id: string): IssueRecord {
  return mutateRecord(ctx, id, 'reopen', () => ({ status: 'open', closed_at: '', close_reason: '' }));
}

/** Removes the issue (recorded as a deletion to export) and every dependency on it. */
export function deleteIssue(ctx: StoreContext, id: string): { id: string; deleted: true } {
  const at = nowRfc3339(ctx.now());
  const touched: string[] = [];
  ctx.tx.inTransaction(() => {
    ctx.queries.require(id);
    ctx.rows.remove(id);
    ctx.sync.recordDeletion(id, at);
    for (const issueId of ctx.queries.dependentIds(id)) {
      const rec = ctx.queries.require(issueId);
      const deps = recordDependencies(rec).filter((d) => d.depends_on_id !== id);
      rewriteRecord(ctx, patchRecord(rec, { dependencies: deps, updated_at: stampAfter(ctx.now(), rec.updated_at) }));
      touched.push(issueId);
    }
  });
  ctx.feed.emit('delete', id);
  for (const t of touched) ctx.feed.emit('update', t);
  return { id, deleted: true };
}
