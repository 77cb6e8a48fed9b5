import type { IssueRecord } from '../jsonl/parse-jsonl';
import type { CreateInput, UpdateInput } from '../store/beads-store';
import { patchIssue } from '../store/patch-issue';
import { ValidationError } from '../store/store-errors';
import { recordDependencies } from '../store/issue-record';
import { plainIssue } from '../store/bd/bd-shapes';
import { checkKnownArgs } from '../store/bd/issue-filter';
import { nextChildId, openBlockers } from '../store/bd/issue-facts';
import type { OperationContext } from './operation-context';
import { parseTimeArg } from './time-arg';

type Args = Record<string, unknown>;

/** rpc.CreateArgs keys bd-rx honours. */
const CREATE_KEYS = ['id', 'parent', 'title', 'description', 'issue_type', 'priority', 'design', 'acceptance_criteria', 'notes',
  'spec_id', 'assignee', 'external_ref', 'estimated_minutes', 'labels', 'dependencies', 'created_by', 'owner', 'due_at',
  'defer_until', 'ephemeral'];
/** Set after the store's create, in the same transaction. */
const CREATE_EXTRAS = ['spec_id', 'owner', 'due_at', 'defer_until', 'ephemeral'];

/** rpc.UpdateArgs keys bd-rx honours. */
const UPDATE_KEYS = ['id', 'title', 'description', 'status', 'priority', 'design', 'acceptance_criteria', 'notes', 'spec_id',
  'assignee', 'external_ref', 'estimated_minutes', 'issue_type', 'add_labels', 'remove_labels', 'set_labels', 'pinned',
  'parent', 'claim', 'due_at', 'defer_until', 'session', 'metadata'];
const UPDATE_EXTRAS = ['spec_id', 'issue_type', 'pinned', 'due_at', 'defer_until', 'metadata'];

const TYPE_ALIASES: Record<string, string> = { enhancement: 'feature', feat: 'feature' };

function extras(args: Args, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    if (args[k] === undefined || args[k] === null) continue;
    out[k] = k === 'due_at' || k === 'defer_until' ? parseTimeArg(k, args[k]) : args[k];
  }
  if (typeof out.issue_type === 'string') out.issue_type = TYPE_ALIASES[out.issue_type] ?? out.issue_type;
  return out;
}

export function createIssue(ctx: OperationContext, args: Args): IssueRecord {
  checkKnownArgs('create', args, CREATE_KEYS);
  const { store, actor } = ctx;
  if (args.id && args.parent) throw new ValidationError('cannot give both an id and a parent: a child gets its id <parent>.N from its parent');
  const input = { ...args } as Args;
  if (typeof input.issue_type === 'string') input.issue_type = TYPE_ALIASES[input.issue_type] ?? input.issue_type;
  const deps = Array.isArray(args.dependencies) ? [...(args.dependencies as string[])] : [];
  return store.inTransaction(() => {
    if (typeof args.parent === 'string' && args.parent !== '') {
      store.require(args.parent);
      input.id = nextChildId(store, args.parent);
      deps.push(`parent-child:${args.parent}`);
    }
    const created = store.create({ ...(input as unknown as CreateInput), dependencies: deps }, (args.created_by as string) || actor);
    const more = extras(args, CREATE_EXTRAS);
    const rec = Object.keys(more).length ? patchIssue(store, created.id, more, 'create') : created;
    return plainIssue(rec);
  });
}

export function updateIssue(ctx: OperationContext, args: Args): IssueRecord {
  checkKnownArgs('update', args, UPDATE_KEYS);
  const { store, actor } = ctx;
  const id = String(args.id);
  return store.inTransaction(() => {
    const input: Args = {};
    for (const k of ['title', 'description', 'status', 'priority', 'design', 'acceptance_criteria', 'notes', 'assignee',
      'external_ref', 'estimated_minutes', 'add_labels', 'remove_labels', 'set_labels']) {
      if (args[k] !== undefined && args[k] !== null) input[k] = args[k];
    }
    if (args.claim === true) {
      const current = store.require(id);
      if (current.assignee && current.assignee !== actor) {
        throw new ValidationError(`issue ${id} is already claimed by ${String(current.assignee)}`);
      }
      input.assignee = actor;
      input.status = 'in_progress';
    }
    let rec = Object.keys(input).length ? store.update(id, input as UpdateInput, actor) : store.require(id);
    const more = extras(args, UPDATE_EXTRAS);
    if (input.status === 'closed' && typeof args.session === 'string') more.closed_by_session = args.session;
    // Leaving `deferred` clears the date it was deferred to, as bd's undefer does.
    if (input.status === 'open' && rec.defer_until && args.defer_until === undefined) more.defer_until = '';
    if (Object.keys(more).length) rec = patchIssue(store, id, more);
    if (typeof args.parent === 'string') rec = reparent(ctx, id, args.parent);
    return plainIssue(rec);
  });
}

function reparent(ctx: OperationContext, id: string, parent: string): IssueRecord {
  const { store, actor } = ctx;
  for (const d of recordDependencies(store.require(id))) {
    if (d.type === 'parent-child') store.removeDependency(id, d.depends_on_id, actor);
  }
  if (parent !== '') store.addDependency(id, parent, 'parent-child', actor);
  return store.require(id);
}

export function closeIssue(ctx: OperationContext, args: Args): IssueRecord {
  checkKnownArgs('close', args, ['id', 'reason', 'session', 'suggest_next', 'force']);
  const { store, actor } = ctx;
  const id = String(args.id);
  return store.inTransaction(() => {
    const blockers = args.force === true ? [] : openBlockers(store, id);
    if (blockers.length) {
      throw new ValidationError(`cannot close ${id}: blocked by open issues [${blockers.join(', ')}] (use --force to override)`);
    }
    let rec = store.close(id, typeof args.reason === 'string' && args.reason !== '' ? args.reason : undefined, actor);
    if (typeof args.session === 'string' && args.session !== '') rec = patchIssue(store, id, { closed_by_session: args.session }, 'close');
    return plainIssue(rec);
  });
}

