/**
 * The daemon's wire protocol, as bd speaks it: one JSON request per line,
 * `{operation, args, actor?, request_id?, cwd?, client_version?, expected_db?}`, answered by one
 * line `{success, data?, error?}`. Every input is checked here with zod before any handler runs;
 * error messages name the offending field.
 *
 * Envelope fields this daemon does not know (e.g. bd's `token`, used only over TCP) are ignored:
 * they describe the transport, not the data. Unknown fields inside `args` are refused, because
 * silently dropping one would lose what the user asked for.
 */
import { z } from 'zod';
import { DEPENDENCY_TYPES, ISSUE_STATUSES, ISSUE_TYPES, PRIORITY } from '../store/issue-rules';
import { describeValue, zodMessage } from './zod-message';

/** The wire protocol version. Same MAJOR (and, for 0.x, any 0.y) means compatible. */
export const PROTOCOL_VERSION = '0.1.0';

export const OPERATIONS = [
  'ping',
  'health',
  'status',
  'create',
  'update',
  'close',
  'reopen',
  'delete',
  'list',
  'show',
  'ready',
  'blocked',
  'stats',
  'dep_add',
  'dep_remove',
  'label_add',
  'label_remove',
  'comment_add',
  'comment_list',
  'get_mutations',
  'batch',
  'export',
  'import',
  'shutdown',
  'subscribe',
  'count',
  'stale',
  'epic_status',
  'resolve_id',
  'get_config',
] as const;

export type Operation = (typeof OPERATIONS)[number];

// Each helper's message is the "expected …" phrase zodMessage() puts in front of the bad value.
const str = (what = 'a string') => z.string({ message: what });
const nonEmpty = (what: string) =>
  z.string({ message: what }).refine((s) => s.trim() !== '', { message: what });
const int = (what: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .number({ message: what })
    .int({ message: what })
    .min(min, { message: what })
    .max(max, { message: what });
const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { message: `one of ${values.join('|')}` });
// Unknown fields are ignored, not refused: bd's Go clients send fields bd-rx does not use
// (e.g. `parent`, `created_by`), and must work unchanged. Known fields are checked strictly.
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
};

const ARG_SCHEMAS = {
  ping: noArgs,
  health: noArgs,
  status: noArgs,
  create: bdArgs({
    id: id.optional(),
    title: nonEmpty('a non-empty title'),
    issue_type: oneOf(ISSUE_TYPES).optional(),
    ...issueFields,
    labels: labels.optional(),
    dependencies: z.array(dependencySpec, { message: 'a list of "type:id" or "id"' }).optional(),
  }),
  update: bdArgs({
    id,
    title: nonEmpty('a non-empty title').optional(),
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
  resolve_id: args({ id }),
  get_config: args({ key: nonEmpty('a config key') }),
  stats: noArgs,
  dep_add: args({ from_id: id, to_id: id, dep_type: oneOf(DEPENDENCY_TYPES).default('blocks') }),
  dep_remove: args({ from_id: id, to_id: id }),
  label_add: args({ id, label }),
  label_remove: args({ id, label }),
  // author defaults to the request's actor.
  comment_add: args({ id, author: nonEmpty('a non-empty author').optional(), text: nonEmpty('a non-empty text') }),
  comment_list: args({ id }),
  get_mutations: args({ since: int('a Unix time in milliseconds (integer ≥ 0)', 0) }),
  export: args({ output: nonEmpty('a file path').optional(), force: z.boolean({ message: 'a boolean' }).optional() }),
  import: args({ input: nonEmpty('a file path').optional(), force: z.boolean({ message: 'a boolean' }).optional() }),
  shutdown: noArgs,
  subscribe: noArgs,
};

type SchemaOperation = keyof typeof ARG_SCHEMAS;

/** Operations a batch may carry: anything but another batch or a stream. */
export type BatchableOperation = Exclude<SchemaOperation, 'subscribe'>;

/** One operation inside a batch, args already validated. */
export type BatchCall = {
  [K in BatchableOperation]: { operation: K; args: z.output<(typeof ARG_SCHEMAS)[K]> };
}[BatchableOperation];

export interface BatchArgs {
  operations: BatchCall[];
}

/** Validated args per operation (defaults filled in, e.g. `dep_type: 'blocks'`). */
export type OperationArgs = { [K in SchemaOperation]: z.output<(typeof ARG_SCHEMAS)[K]> } & {
  batch: BatchArgs;
};

/** Args as a client writes them (defaults optional). */
export type OperationInput = { [K in SchemaOperation]: z.input<(typeof ARG_SCHEMAS)[K]> } & {
  batch: { operations: Array<{ operation: string; args?: unknown }> };
};

const batchShape = args({
  operations: z
    .array(
      z
        .object(
          { operation: str('an operation name'), args: z.unknown().optional() },
          { message: 'an object {operation, args}' },
        )
        .strict(),
      { message: 'a list of {operation, args}' },
    )
    .min(1, { message: 'at least one operation' }),
});

export interface RequestMeta {
  actor?: string;
  request_id?: string;
  cwd?: string;
  client_version?: string;
  expected_db?: string;
}

/** A request whose envelope and args passed validation; `operation` narrows `args`. */
export type ValidatedRequest = {
  [K in Operation]: { operation: K; args: OperationArgs[K] } & RequestMeta;
}[Operation];

/** The envelope before its operation and args are checked. */
export type RequestEnvelope = RequestMeta & { operation: string; args: unknown };

const envelopeSchema = z.object(
  {
    operation: str('an operation name (string)'),
    args: z.unknown(),
    actor: str().optional(),
    request_id: str().optional(),
    cwd: str().optional(),
    client_version: str().optional(),
    expected_db: str().optional(),
  },
  { message: 'a JSON object {operation, args}' },
);

export interface RpcResponse {
  success: boolean;
  data?: unknown;
  error?: string;
}

/** What a client accepts as a response line. */
export const responseSchema = z.object(
  { success: z.boolean({ message: 'a boolean' }), data: z.unknown(), error: str().optional() },
  { message: 'a JSON object {success, data?, error?}' },
);

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export function isOperation(name: string): name is Operation {
  return (OPERATIONS as readonly string[]).includes(name);
}

function unknownOperation(name: string): string {
  return `unknown operation ${JSON.stringify(name)}; known: ${OPERATIONS.join(', ')}`;
}

/** Parses one request line's JSON and envelope fields; does not look at the operation. */
export function parseEnvelope(line: string): Parsed<RequestEnvelope> {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (err) {
    return {
      ok: false,
      error: `invalid request: not JSON (${(err as Error).message}); send one JSON object per line`,
    };
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) return { ok: false, error: `invalid request: ${zodMessage(parsed.error, json)}` };
  // bd sends `"args": null` for operations without arguments.
  const { args: rawArgs, ...meta } = parsed.data;
  return { ok: true, value: { ...meta, args: rawArgs ?? {} } };
}

/** Checks `operation` and its `args`. */
export function parseArgs<K extends Operation>(operation: K, input: unknown): Parsed<OperationArgs[K]>;
export function parseArgs(operation: string, input: unknown): Parsed<unknown>;
export function parseArgs(operation: string, input: unknown): Parsed<unknown> {
  if (!isOperation(operation)) return { ok: false, error: unknownOperation(operation) };
  const value = dropNulls(input ?? {});
  if (operation === 'batch') return parseBatch(value);
  const parsed = ARG_SCHEMAS[operation].safeParse(value);
  if (!parsed.success) {
    return { ok: false, error: `invalid args for ${operation}: ${zodMessage(parsed.error, value)}` };
  }
  return { ok: true, value: parsed.data };
}

/** Go clients send `null` for unset pointer fields: treat those as absent. */
function dropNulls(input: unknown): unknown {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return input;
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null));
}

function parseBatch(input: unknown): Parsed<BatchArgs> {
  const shape = batchShape.safeParse(input);
  if (!shape.success) {
    return { ok: false, error: `invalid args for batch: ${zodMessage(shape.error, input)}` };
  }
  const operations: BatchCall[] = [];
  const errors: string[] = [];
  shape.data.operations.forEach((call, index) => {
    const where = `operations.${index}`;
    if (call.operation === 'batch' || call.operation === 'subscribe') {
      errors.push(`${where}.operation: ${call.operation} cannot run inside a batch`);
      return;
    }
    const parsed = parseArgs(call.operation, call.args);
    if (parsed.ok) operations.push({ operation: call.operation, args: parsed.value } as BatchCall);
    else errors.push(`${where}: ${parsed.error}`);
  });
  if (errors.length > 0) return { ok: false, error: `invalid args for batch: ${errors.join('; ')}` };
  return { ok: true, value: { operations } };
}

/** Validates the operation and args of a parsed envelope. */
export function validateEnvelope(envelope: RequestEnvelope): Parsed<ValidatedRequest> {
  const { operation, args: rawArgs, ...meta } = envelope;
  const parsed = parseArgs(operation, rawArgs);
  if (!parsed.ok) return parsed;
  return { ok: true, value: { ...meta, operation, args: parsed.value } as ValidatedRequest };
}

/**
 * Refuses a client of another protocol MAJOR (for 0.x: any 0.y is compatible). Clients that
 * do not say their version are served. Returns the error message, or undefined when compatible.
 */
export function checkClientVersion(clientVersion: string | undefined): string | undefined {
  if (clientVersion === undefined) return undefined;
  const client = semverMajor(clientVersion);
  if (client === undefined) {
    return (
      `invalid client_version ${describeValue(clientVersion)}: ` +
      `expected a semantic version like ${PROTOCOL_VERSION}`
    );
  }
  const daemon = semverMajor(PROTOCOL_VERSION) as number;
  if (client === daemon) return undefined;
  const advice =
    client > daemon
      ? 'the daemon is older than the client: stop it (`bd-rx daemon stop`) so the newer ' +
        'bd-rx can start its own, or downgrade the client'
      : 'the client is older than the daemon: upgrade bd-rx, or stop the daemon and start ' +
        'the version you want';
  return (
    `incompatible client version ${clientVersion}: this daemon speaks protocol ` +
    `${daemon}.x (${PROTOCOL_VERSION}); ${advice}`
  );
}

function semverMajor(version: string): number | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+][0-9A-Za-z.+-]*)?$/.exec(version);
  return match ? Number(match[1]) : undefined;
}

/** Envelope → version → operation → args, all in one; `parseRequest` is what a test or tool uses. */
export function parseRequest(
  line: string,
): { ok: true; req: ValidatedRequest } | { ok: false; error: string } {
  const envelope = parseEnvelope(line);
  if (!envelope.ok) return envelope;
  const versionError = checkClientVersion(envelope.value.client_version);
  if (versionError !== undefined) return { ok: false, error: versionError };
  const req = validateEnvelope(envelope.value);
  return req.ok ? { ok: true, req: req.value } : req;
}

export function success(data: unknown): RpcResponse {
  return data === undefined ? { success: true } : { success: true, data };
}

export function failure(error: unknown): RpcResponse {
  return { success: false, error: errorMessage(error) };
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : describeValue(error);
}

/** One response line (no newline). A result JSON cannot carry becomes an error response. */
export function encodeResponse(response: RpcResponse): string {
  try {
    return JSON.stringify(response);
  } catch (err) {
    return JSON.stringify(failure(`the daemon could not encode its response: ${errorMessage(err)}`));
  }
}
