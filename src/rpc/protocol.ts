/**
 * The operations of bd's wire protocol and the schema of each one's `args`: the contract the
 * daemon checks every request against (with zod, before any handler runs) and the client's
 * types come from. The handlers are in src/ops/operation-table.ts, typed by these schemas.
 *
 * Unknown fields inside `args` are ignored (stripped before the handler sees them), not
 * refused. bd's Go client (internal/rpc/protocol.go, v0.49.6) always sends fields bd-rx has no
 * use for (`parent`, `spec_id`, `created_by`, `owner`, `ephemeral`, `due_at`, … on create):
 * refusing them would make bd's own client fail against bd-rx. Known fields are checked
 * strictly, and a field that bd-rx does use is never dropped.
 */
import { z } from 'zod';
import { DEPENDENCY_TYPES, type EditableField, ISSUE_STATUSES, ISSUE_TYPES, PRIORITY, TITLE_MAX_BYTES } from '../store/issue-rules';
import { loneSurrogateAt } from '../text/lone-surrogate';

// Each helper's message is the "expected …" phrase zodMessage() puts in front of the bad value.
// Every string of a request must be text that has a UTF-8 form (see src/text/lone-surrogate.ts).
const WELL_FORMED = 'well-formed text (no lone UTF-16 surrogate such as \\ud800)';
const text = (what: string) => z.string({ message: what }).refine((s) => loneSurrogateAt(s) === -1, { message: WELL_FORMED });
const str = (what = 'a string') => text(what);
const nonEmpty = (what: string) => text(what).refine((s) => s.trim() !== '', { message: what });
const title = nonEmpty('a non-empty title').refine((s) => Buffer.byteLength(s, 'utf8') <= TITLE_MAX_BYTES, {
  message: `a title of at most ${TITLE_MAX_BYTES} bytes of UTF-8 (bd's limit): move the rest into the description`,
});
const int = (what: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .number({ message: what })
    .int({ message: what })
    .min(min, { message: what })
    .max(max, { message: what });
const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { message: `one of ${values.join('|')}` });
// zod's default: unknown keys are stripped (see the header for why).
const args = <T extends z.ZodRawShape>(shape: T) => z.object(shape, { message: 'an object' });
/**
 * bd's larger args structs (create, update, close, delete, list, ready, blocked, count, stale,
 * epic_status): the fields checked here pass on with every other field, and the operation itself
 * (src/ops) refuses any it does not support, naming it, rather than answering without it.
 */
// Typed as the plain schema: the extra fields are the operation's to read, not the client's to type.
const bdArgs = <T extends z.ZodRawShape>(shape: T) => args(shape).passthrough() as unknown as ReturnType<typeof args<T>>;

const id = nonEmpty('a non-empty issue id');
const ids = z.array(id, { message: 'a list of issue ids' });
const label = nonEmpty('a non-empty label');
const labels = z.array(label, { message: 'a list of labels' });
const priority = int(`an integer ${PRIORITY.min}-${PRIORITY.max}`, PRIORITY.min, PRIORITY.max);
const minutes = int('a whole number of minutes ≥ 0', 0);
const DEPENDENCY_SPEC = new RegExp(`^(?:(?:${DEPENDENCY_TYPES.join('|')}):)?[^\\s:]+$`);
const dependencySpecWhat = `"id" or "type:id" (type: ${DEPENDENCY_TYPES.join('|')})`;
const dependencySpec = nonEmpty(dependencySpecWhat).refine((s) => DEPENDENCY_SPEC.test(s), {
  message: dependencySpecWhat,
});

const noArgs = args({});

/** The free-text and scalar fields create and update share. */
const issueFields = {
  description: str().optional(),
  priority: priority.optional(),
  design: str().optional(),
  acceptance_criteria: str().optional(),
  notes: str().optional(),
  assignee: str().optional(),
  external_ref: str().optional(),
  estimated_minutes: minutes.optional(),
} satisfies Record<EditableField, z.ZodTypeAny>; // the list itself is EDITABLE_FIELDS (issue-rules)

/** The shape of a batch; each call's own args are checked against its operation's schema. */
const batchShape = args({
  // The length is checked before any element, so a 100k-operation batch is refused in ~40 ms.
  operations: z.array(z.unknown(), { message: 'a list of {operation, args}' }).max(1000, { message: 'at most 1000 operations (split a longer batch)' }).pipe(z
    .array(
      z
        .object(
          { operation: str('an operation name'), args: z.unknown().optional() },
          { message: 'an object {operation, args}' },
        )
        .strict(),
      { message: 'a list of {operation, args}' },
    )
    .min(1, { message: 'at least one operation' })),
});

/** Every operation of the protocol and the schema of its args: the list of operations is this map's keys. */
export const ARG_SCHEMAS = {
  ping: noArgs,
  health: noArgs,
  status: noArgs,
  create: bdArgs({
    id: id.optional(),
    title,
    issue_type: oneOf(ISSUE_TYPES).optional(),
    ...issueFields,
    labels: labels.optional(),
    dependencies: z.array(dependencySpec, { message: 'a list of "type:id" or "id"' }).optional(),
  }),
  update: bdArgs({
    id,
    title: title.optional(),
    status: oneOf(ISSUE_STATUSES).optional(),
    ...issueFields,
    add_labels: labels.optional(),
    remove_labels: labels.optional(),
    set_labels: labels.optional(),
  }),
  close: bdArgs({ id, reason: str().optional() }),
  reopen: args({ id }),
  delete: bdArgs({ id: id.optional(), ids: ids.optional() }),
  list: bdArgs({
    // "all" = any status, as bd's ListArgs take it.
    status: z.union([oneOf(ISSUE_STATUSES), z.literal('all')], { message: `one of ${ISSUE_STATUSES.join('|')}|all` }).optional(),
    priority: priority.optional(),
    issue_type: oneOf(ISSUE_TYPES).optional(),
    assignee: str().optional(),
    labels: labels.optional(),
    labels_any: labels.optional(),
    ids: ids.optional(),
    query: str().optional(),
    limit: int('a whole number ≥ 0 (0 = no limit)', 0).optional(),
  }),
  show: args({ id }),
  ready: bdArgs({ assignee: str().optional(), priority: priority.optional(), limit: int('a whole number ≥ 0', 0).optional() }),
  blocked: bdArgs({}),
  count: bdArgs({}),
  stale: bdArgs({}),
  epic_status: bdArgs({}),
  // bd runs these in its CLI against the DB; bd-rx serves them too, so its CLI has one route.
  dep_list: bdArgs({ id }),
  dep_tree: bdArgs({ id }),
  dep_cycles: noArgs,
  label_list: args({ id }),
  label_list_all: noArgs,
  config_set: args({ key: nonEmpty('a config key'), value: str() }),
  config_unset: args({ key: nonEmpty('a config key') }),
  config_list: noArgs,
  resolve_id: args({ id }),
  get_config: args({ key: nonEmpty('a config key') }),
  // `assignee`: bd-rx's own, for `stats --assigned` through the daemon (bd's CLI cannot).
  stats: args({ assignee: str().optional() }),
  dep_add: args({ from_id: id, to_id: id, dep_type: oneOf(DEPENDENCY_TYPES).default('blocks') }),
  dep_remove: args({ from_id: id, to_id: id }),
  label_add: args({ id, label }),
  label_remove: args({ id, label }),
  // author defaults to the request's actor.
  comment_add: args({ id, author: nonEmpty('a non-empty author').optional(), text: nonEmpty('a non-empty text') }),
  comment_list: args({ id }),
  get_mutations: args({ since: int('a Unix time in milliseconds (integer ≥ 0)', 0) }),
  batch: batchShape,
  export: args({ output: nonEmpty('a file path').optional(), force: z.boolean({ message: 'a boolean' }).optional() }),
  import: args({ input: nonEmpty('a file path').optional(), force: z.boolean({ message: 'a boolean' }).optional() }),
  shutdown: noArgs,
  subscribe: noArgs,
};

type SchemaArgs = { [K in keyof typeof ARG_SCHEMAS]: z.output<(typeof ARG_SCHEMAS)[K]> };

export type Operation = keyof typeof ARG_SCHEMAS;

export function isOperation(name: string): name is Operation {
  return Object.hasOwn(ARG_SCHEMAS, name);
}

/** Every operation name, in the order of the schema map. */
export const OPERATIONS: readonly Operation[] = Object.keys(ARG_SCHEMAS).filter(isOperation);

/** Operations a batch may carry: anything but another batch or a stream. */
export type BatchableOperation = Exclude<Operation, 'batch' | 'subscribe'>;

/** One operation and its validated args. */
export interface OperationCall<K extends Operation = Operation> {
  operation: K;
  args: OperationArgs[K];
}

/** Narrows a call to `operation`, its args with it (`call.operation === 'show'` alone does not). */
export function isCallOf<K extends Operation>(call: OperationCall, operation: K): call is OperationCall<K> {
  return call.operation === operation;
}

/** One operation inside a batch, args already validated. */
export type BatchCall = OperationCall<BatchableOperation>;

export interface BatchArgs {
  operations: BatchCall[];
}

/** Validated args per operation (defaults filled in, e.g. `dep_type: 'blocks'`). */
export type OperationArgs = Omit<SchemaArgs, 'batch'> & { batch: BatchArgs };

/** Args as a client writes them (defaults optional). */
export type OperationInput = { [K in Operation]: z.input<(typeof ARG_SCHEMAS)[K]> };

// Kept here for rpc-connection.ts and rpc-server.ts, which import them from this module (they
// belong to another change); new code imports ./response and ./client-version.
export { type RpcResponse, encodeResponse, failure } from './response';
export { PROTOCOL_VERSION } from './client-version';
