import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Observable, catchError, isObservable, map, of } from 'rxjs';
import { checkClientVersion } from './client-version';
import { parseEnvelope } from './envelope';
import { type ValidatedRequest, validateEnvelope } from './parse-request';
import { type RpcResponse, failure, success } from './response';

export interface RpcContext {
  /** Unique per connection for the server's lifetime, starting at 1. */
  connectionId: number;
}

/**
 * The operations' business logic, supplied by the daemon's wiring. It only ever sees requests
 * that passed every envelope check. A Promise (or plain value) answers once: resolved →
 * `{success: true, data}`, rejected or thrown → `{success: false, error: message}`. An
 * Observable streams: each value becomes `{success: true, data: value}` on its own line until
 * it completes (the server then ends the connection), errors (one `{success: false}` line, then
 * the end) or the client hangs up (the server unsubscribes).
 */
export type RpcHandler = (
  req: ValidatedRequest,
  ctx: RpcContext,
) => Promise<unknown> | Observable<unknown>;

/** One request line in, its response (or stream of responses) out. Never throws or rejects. */
export type Dispatch = (line: string, ctx: RpcContext) => Promise<RpcResponse> | Observable<RpcResponse>;

/**
 * Envelope checks in the order that gives the most useful error: JSON and envelope shape, then
 * protocol version and database (a client of the wrong daemon learns that first), then the
 * operation and its args; only then the handler.
 */
export function createDispatch(opts: { dbPath: string; handler: RpcHandler }): Dispatch {
  const checkDb = expectedDbCheck(opts.dbPath);
  return (line, ctx) => {
    const envelope = parseEnvelope(line);
    if (!envelope.ok) return Promise.resolve(failure(envelope.error));
    const refusal =
      checkClientVersion(envelope.value.client_version) ??
      checkDb(envelope.value.expected_db, envelope.value.cwd);
    if (refusal !== undefined) return Promise.resolve(failure(refusal));
    const req = validateEnvelope(envelope.value);
    if (!req.ok) return Promise.resolve(failure(req.error));

    let result: Promise<unknown> | Observable<unknown>;
    try {
      result = opts.handler(req.value, ctx);
    } catch (err) {
      return Promise.resolve(failure(err));
    }
    if (isObservable(result)) {
      return result.pipe(
        map(success),
        catchError((err: unknown) => of(failure(err))),
      );
    }
    return Promise.resolve(result).then(success, failure);
  };
}

/** `expected_db` must name the daemon's database, symlinks resolved on both sides. */
function expectedDbCheck(dbPath: string): (expected: string | undefined, cwd: string | undefined) => string | undefined {
  let ours: string | undefined;
  return (expected, cwd) => {
    if (expected === undefined) return undefined;
    // The database may be created after the server starts: resolve until it exists, then keep it.
    ours ??= realpathOrUndefined(dbPath);
    const daemonDb = ours ?? path.resolve(dbPath);
    const asked = path.resolve(cwd ?? process.cwd(), expected);
    // The usual case, and no syscalls per request: a path spelled exactly like the daemon's
    // canonical (symlink-free) path is that file.
    if (ours !== undefined && asked === ours) return undefined;
    const clientDb = realpathOrUndefined(asked) ?? asked;
    if (clientDb === daemonDb) return undefined;
    return (
      `database mismatch: the client expects ${clientDb} but this daemon serves ${daemonDb}; ` +
      'run the command from the right workspace, or stop this daemon (`bd-rx daemon stop`)'
    );
  };
}

function realpathOrUndefined(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}
