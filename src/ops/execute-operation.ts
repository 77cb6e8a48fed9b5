import { parseCall } from '../rpc/parse-request';
import { ValidationError } from '../store/store-errors';
import type { OperationContext } from './operation-context';
import { runOperation } from './operation-table';

/**
 * Direct mode's way in: the args are checked against the same schema the daemon checks a
 * request's args against, then run through the same row of the operation table, so a command's
 * output and its errors are the same with or without a daemon.
 */
export function executeOperation(ctx: OperationContext, operation: string, args: unknown = {}): unknown {
  const call = parseCall(operation, args);
  if (!call.ok) throw new ValidationError(call.error);
  return runOperation(call.value, ctx);
}
