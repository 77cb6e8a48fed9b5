import type { z } from 'zod';
import { checkClientVersion } from './client-version';
import { type Parsed, type RequestEnvelope, type RequestMeta, parseEnvelope } from './envelope';
import {
  ARG_SCHEMAS,
  type BatchArgs,
  type BatchCall,
  type Operation,
  type OperationArgs,
  type OperationCall,
  OPERATIONS,
  isOperation,
} from './protocol';
import { zodMessage } from './zod-message';

/** A request whose envelope and args passed validation. */
export type ValidatedRequest = OperationCall & RequestMeta;

type SchemaOperation = Exclude<Operation, 'batch'>;

// The schema map seen as "operation K parses to OperationArgs[K]", so a parse keeps the
// pairing of an operation and its args without a cast.
const SCHEMAS: { [K in SchemaOperation]: z.ZodType<OperationArgs[K], z.ZodTypeDef, unknown> } = ARG_SCHEMAS;

function unknownOperation(name: string): string {
  return `unknown operation ${JSON.stringify(name)}; known: ${OPERATIONS.join(', ')}`;
}

/** Checks `operation` and its `args`. */
export function parseArgs<K extends Operation>(operation: K, input: unknown): Parsed<OperationArgs[K]>;
export function parseArgs(operation: string, input: unknown): Parsed<unknown>;
export function parseArgs(operation: string, input: unknown): Parsed<unknown> {
  const call = parseCall(operation, input);
  return call.ok ? { ok: true, value: call.value.args } : call;
}

/** Checks `operation` and its `args`, and pairs them. */
export function parseCall(operation: string, input: unknown): Parsed<OperationCall> {
  if (!isOperation(operation)) return { ok: false, error: unknownOperation(operation) };
  const value = dropNulls(input ?? {});
  if (operation === 'batch') {
    const batch = parseBatch(value);
    return batch.ok ? { ok: true, value: { operation, args: batch.value } } : batch;
  }
  const args = parseSchemaArgs(operation, value);
  return args.ok ? { ok: true, value: { operation, args: args.value } } : args;
}

function parseSchemaArgs<K extends SchemaOperation>(operation: K, value: unknown): Parsed<OperationArgs[K]> {
  const parsed = SCHEMAS[operation].safeParse(value);
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
  const shape = ARG_SCHEMAS.batch.safeParse(input);
  if (!shape.success) {
    return { ok: false, error: `invalid args for batch: ${zodMessage(shape.error, input)}` };
  }
  const operations: BatchCall[] = [];
  const errors: string[] = [];
  shape.data.operations.forEach((entry, index) => {
    const where = `operations.${index}`;
    const parsed = parseCall(entry.operation, entry.args);
    if (parsed.ok && isBatchable(parsed.value)) operations.push(parsed.value);
    else if (entry.operation === 'batch' || entry.operation === 'subscribe') {
      errors.push(`${where}.operation: ${entry.operation} cannot run inside a batch`);
    } else if (!parsed.ok) errors.push(`${where}: ${parsed.error}`);
  });
  if (errors.length > 0) return { ok: false, error: `invalid args for batch: ${errors.join('; ')}` };
  return { ok: true, value: { operations } };
}

function isBatchable(call: OperationCall): call is BatchCall {
  return call.operation !== 'batch' && call.operation !== 'subscribe';
}

/** Validates the operation and args of a parsed envelope. */
export function validateEnvelope(envelope: RequestEnvelope): Parsed<ValidatedRequest> {
  const { operation, args: rawArgs, ...meta } = envelope;
  const call = parseCall(operation, rawArgs);
  return call.ok ? { ok: true, value: { ...meta, ...call.value } } : call;
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
