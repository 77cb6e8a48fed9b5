import * as fs from 'node:fs';
import * as net from 'node:net';
import { NdjsonLines } from './ndjson-lines';
import type { OperationResult } from '../ops/operation-table';
import { PROTOCOL_VERSION } from './client-version';
import type { Operation, OperationInput } from './protocol';
import { responseSchema } from './response';
import { errnoCode } from '../os/errno-code';
import { RpcConnectionError, RpcError, TOO_MANY_CONNECTIONS } from './rpc-errors';
import { assertTrustedSocket } from './socket-path';
import { zodMessage } from './zod-message';

export interface RpcClientOptions {
  /** Connect timeout, and how long each request may wait for its answer. Default 30 s. */
  timeoutMs?: number;
  /** Sent as `client_version`; default PROTOCOL_VERSION. */
  clientVersion?: string;
  /** Sent as `expected_db`: the daemon refuses the request unless it serves this database. */
  expectedDb?: string;
  actor?: string;
  cwd?: string;
  /** Longest response line accepted. Default 256 MB (an `export` can be large). */
  maxResponseBytes?: number;
}

/** A running `subscribe`: `done` settles when the stream ends (rejects on a daemon error). */
export interface RpcSubscription {
  readonly done: Promise<void>;
  /** Hangs up; the daemon then unsubscribes. */
  close(): void;
}

/** What `request` and `call` send: every operation but the stream, which is `subscribe()`. */
export type RequestOperation = Exclude<Operation, 'subscribe'>;

/** Operations without required args may omit them. */
export type ArgsFor<K extends Operation> = object extends OperationInput[K]
  ? [args?: OperationInput[K]]
  : [args: OperationInput[K]];

interface Pending {
  operation: string;
  resolve: (data: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

interface Stream {
  onEvent: (event: unknown) => void;
  settle: (err?: Error) => void;
}

/** Errors that mean "no daemon here", which `tryConnect` answers with null. */
const NO_DAEMON = new Set(['ENOENT', 'ECONNREFUSED', 'ENOTSOCK']);

/**
 * A connection to the daemon. Requests may be issued back to back on one connection (they are
 * pipelined; the daemon answers in order). A request that gets no answer within `timeoutMs`
 * fails, and so does the connection, since later answers could no longer be matched up.
 */
export class RpcClient {
  private readonly pending: Pending[] = [];
  private readonly lines: NdjsonLines;
  private readonly timeoutMs: number;
  private stream: Stream | undefined;
  private closedWith: Error | undefined;

  private constructor(
    private readonly socket: net.Socket,
    readonly socketPath: string,
    private readonly opts: RpcClientOptions,
  ) {
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.lines = new NdjsonLines(opts.maxResponseBytes ?? 256 * 1024 * 1024);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) =>
      this.finish(
        new RpcConnectionError(
          `lost the connection to the daemon at ${socketPath}: ${err.message}`,
          errnoCode(err),
        ),
      ),
    );
    socket.on('close', () => this.finish(undefined));
  }

  /**
   * Connects or throws `RpcConnectionError` (its `code` is the errno, e.g. ECONNREFUSED), or
   * `SocketDirError` for a socket another user could be listening on.
   */
  static connect(socketPath: string, opts: RpcClientOptions = {}): Promise<RpcClient> {
    const timeoutMs = opts.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      assertTrustedSocket(socketPath);
      const socket = net.connect(socketPath);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new RpcConnectionError(
            `the daemon at ${socketPath} did not accept a connection within ${timeoutMs} ms`,
            'ETIMEDOUT',
          ),
        );
      }, timeoutMs);
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(
          new RpcConnectionError(
            `cannot connect to the daemon at ${socketPath}: ${err.message}`,
            errnoCode(err),
          ),
        );
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new RpcClient(socket, socketPath, opts));
      });
    });
  }

  /**
   * The CLI's every-command probe: null at once when no daemon is there (no socket file,
   * connection refused); other failures (e.g. EACCES on someone else's socket) still throw.
   */
  static async tryConnect(socketPath: string, opts: RpcClientOptions = {}): Promise<RpcClient | null> {
    if (!fs.existsSync(socketPath)) return null;
    try {
      return await RpcClient.connect(socketPath, opts);
    } catch (err) {
      if (err instanceof RpcConnectionError && NO_DAEMON.has(err.code ?? '')) return null;
      throw err;
    }
  }

  /**
   * Resolves with the response's `data`, typed by the operation table (the daemon answers with
   * what the operation's handler returned, as JSON); rejects with `RpcError` carrying the
   * daemon's message. A stream is `subscribe()`.
   */
  request<K extends RequestOperation>(operation: K, ...args: ArgsFor<K>): Promise<OperationResult<K>> {
    // The one place the wire's untyped answer takes the table's type: the daemon on the other
    // end validated the args with the same schema and ran the same handler.
    return this.call(operation, args[0]) as Promise<OperationResult<K>>;
  }

  /**
   * `request` for args typed only at run time (the CLI's backend): the daemon checks them
   * against the operation's schema and answers with a clear error when they do not fit.
   */
  call(operation: RequestOperation, args?: unknown): Promise<unknown> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    if (this.stream) {
      return Promise.reject(
        new RpcConnectionError('this connection carries a subscription; open another one for requests'),
      );
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.finish(
          new RpcConnectionError(
            `no answer to ${operation} from the daemon within ${this.timeoutMs} ms`,
            'ETIMEDOUT',
          ),
        );
      }, this.timeoutMs);
      this.pending.push({ operation, resolve, reject, timer });
      this.send(operation, args);
    });
  }

  /**
   * Turns this connection into an event stream: `onEvent` gets each value the daemon streams.
   * Requests already sent are answered first.
   */
  subscribe(onEvent: (event: unknown) => void): RpcSubscription {
    let settle: (err?: Error) => void = () => undefined;
    const done = new Promise<void>((resolve, reject) => {
      settle = (err) => (err ? reject(err) : resolve());
    });
    // The caller may never look at `done`; a rejection must not crash the process.
    done.catch(() => undefined);
    const subscription: RpcSubscription = { done, close: () => this.close() };
    if (this.closedWith || this.stream) {
      settle(this.closedWith ?? new RpcConnectionError('this connection already carries a subscription'));
      return subscription;
    }
    this.stream = { onEvent, settle };
    this.send('subscribe', {});
    return subscription;
  }

  /** Hangs up. Requests still waiting fail; a subscription ends normally. */
  close(): void {
    this.finish(undefined);
  }

  private send(operation: Operation, args: unknown): void {
    const { actor, cwd, expectedDb } = this.opts;
    const envelope = {
      operation,
      args: args ?? {},
      ...(actor !== undefined && { actor }),
      ...(cwd !== undefined && { cwd }),
      client_version: this.opts.clientVersion ?? PROTOCOL_VERSION,
      ...(expectedDb !== undefined && { expected_db: expectedDb }),
    };
    this.socket.write(`${JSON.stringify(envelope)}\n`);
  }

  private onData(chunk: Buffer): void {
    for (const line of this.lines.push(chunk)) {
      this.onLine(line);
      if (this.closedWith) return;
    }
    if (this.lines.tooLong) {
      this.finish(new RpcConnectionError(`the daemon sent a response line over ${this.lines.maxLineBytes} bytes`));
    }
  }

  private onLine(line: string): void {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      this.finish(new RpcConnectionError(`the daemon sent a line that is not JSON: ${line.slice(0, 80)}`));
      return;
    }
    const parsed = responseSchema.safeParse(json);
    if (!parsed.success) {
      this.finish(new RpcConnectionError(`the daemon sent a malformed response: ${zodMessage(parsed.error, json)}`));
      return;
    }
    const response = parsed.data;
    const message = response.error ?? 'the daemon reported an error without a message';
    if (!response.success && message.startsWith(`${TOO_MANY_CONNECTIONS}:`)) {
      this.finish(new RpcConnectionError(message, 'EBUSY'));
      return;
    }
    const head = this.pending.shift();
    if (head) {
      clearTimeout(head.timer);
      if (response.success) head.resolve(response.data);
      else head.reject(new RpcError(message, head.operation));
    } else if (this.stream && response.success) {
      this.deliver(this.stream, response.data);
    } else if (this.stream) {
      this.finish(new RpcError(message, 'subscribe'));
    } else {
      this.finish(new RpcConnectionError('the daemon sent a response to no request'));
    }
  }

  private deliver(stream: Stream, event: unknown): void {
    try {
      stream.onEvent(event);
    } catch (err) {
      this.finish(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Settles everything once: `err` undefined means a normal hang-up (by either side). */
  private finish(err: Error | undefined): void {
    if (this.closedWith) return;
    this.closedWith =
      err ?? new RpcConnectionError('the connection to the daemon is closed', 'ECONNRESET');
    for (const pending of this.pending.splice(0)) {
      clearTimeout(pending.timer);
      pending.reject(
        err ??
          new RpcConnectionError(
            `the daemon closed the connection before answering ${pending.operation}`,
            'ECONNRESET',
          ),
      );
    }
    this.stream?.settle(err);
    this.socket.destroy();
  }
}

/** See `RpcClient.connect`. */
export const connect = RpcClient.connect;
/** See `RpcClient.tryConnect`. */
export const tryConnect = RpcClient.tryConnect;
