import type * as net from 'node:net';
import { type Observable, type Subscription, isObservable } from 'rxjs';
import { hasMoreJsonValues } from './json-values';
import { NOT_UTF8, NdjsonLines } from './ndjson-lines';
import { type RpcResponse, encodeResponse, failure } from './protocol';
import { errorMessage } from './response';
import type { Dispatch } from './rpc-dispatch';

/** Lines read ahead of the one being served before we stop reading (backpressure). */
const MAX_QUEUED_LINES = 64;
/**
 * Request bytes one connection dispatches before it lets the event loop serve others: its
 * pipelined requests are parsed and validated synchronously, ~10 ms per MB.
 */
const DISPATCH_BYTES_PER_TURN = 1024 * 1024;
/** Values (array elements, object members) one request may hold; see hasMoreJsonValues. */
export const MAX_REQUEST_VALUES = 10_000;
/** How long a connection we are ending may linger before we destroy it. */
export const END_GRACE_MS = 1000;

const NOT_UTF8_MESSAGE =
  'invalid request: the line is not valid UTF-8; send text as UTF-8 (JSON escapes like \\u00e9 are fine)';

/** A line we refuse to read on: its error is the last answer, then the connection ends. */
class Refusal {
  constructor(readonly message: string) {}
}

/** A line answered without dispatching it (the connection goes on). */
class Answer {
  constructor(readonly response: RpcResponse) {}
}

export interface RpcConnectionOptions {
  id: number;
  dispatch: Dispatch;
  idleTimeoutMs: number;
  /** A request line must be complete this long after its first byte arrived. */
  requestTimeoutMs: number;
  maxRequestBytes: number;
  onClose: () => void;
}

/**
 * One client connection: reads request lines, serves them one at a time so responses go out
 * in request order, and closes quietly on idleness or hang-up.
 *
 * - Idle: no complete request from the client for `idleTimeoutMs` while nothing is being served →
 *   destroyed. Time spent in the handler or streaming does not count; bytes that do not finish a
 *   line do not reset it (a slowloris peer sending a byte every few seconds would otherwise hold
 *   its slot, one of `maxConnections`, forever).
 * - A line not finished `requestTimeoutMs` after its first byte (while we read) → refused.
 * - A line that is not valid UTF-8 → an error answer in its turn (never decoded with U+FFFD).
 * - Refused lines: over `maxRequestBytes` (finished or not), or past that deadline → the
 *   requests before it are answered, then one error line, then the connection ends; further
 *   bytes are read and dropped, not buffered.
 * - The client half-closes (EOF) → queued requests are answered, then we end; an unfinished line
 *   is dropped; an answer still in flight after `idleTimeoutMs` is abandoned (the connection is
 *   destroyed). During a stream, EOF counts as hanging up.
 * - A stream (Observable result) owns the connection until it completes or the client leaves;
 *   lines sent meanwhile are ignored. A subscriber that stops reading is cut off once
 *   `maxRequestBytes` of output are queued for it.
 */
export class RpcConnection {
  private readonly lines: NdjsonLines;
  private readonly queue: Array<string | Answer | Refusal> = [];
  private busy = false;
  private stream: Subscription | undefined;
  private streaming = false;
  private readEnded = false;
  private ending = false;
  private closed = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private lineTimer: NodeJS.Timeout | undefined;
  /** A refusal is queued: nothing more is read into the queue. */
  private refusing = false;
  private graceTimer: NodeJS.Timeout | undefined;
  private markClosed: () => void = () => undefined;
  /** Resolves once the socket is closed and this connection has cleaned up. */
  readonly whenClosed = new Promise<void>((resolve) => (this.markClosed = resolve));

  constructor(
    private readonly socket: net.Socket,
    private readonly opts: RpcConnectionOptions,
  ) {
    this.lines = new NdjsonLines(opts.maxRequestBytes);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    // A client vanishing mid-write is routine; 'close' follows and cleans up.
    socket.on('error', () => undefined);
    socket.on('close', () => this.onClose());
    this.armIdle();
  }

  get id(): number {
    return this.opts.id;
  }

  /** Server shutdown: finish the response in flight (if any), then end; destroy after a grace. */
  shutdown(): void {
    if (this.closed) return;
    this.queue.length = 0;
    this.stopStream();
    this.endSoon();
  }

  private onData(chunk: Buffer): void {
    if (this.ending || this.streaming || this.refusing) return;
    const lines = this.lines.pushChecked(chunk);
    if (lines.length === 0 && !this.lines.tooLong) {
      // Half a line: only its deadline runs; the idle timer is left as it was.
      this.armLineDeadline();
      return;
    }
    this.clearIdle();
    this.clearLineDeadline();
    // A line whose bytes are not UTF-8 is answered with an error, in its turn, like bad JSON.
    for (const line of lines) this.queue.push(line === NOT_UTF8 ? new Answer(failure(NOT_UTF8_MESSAGE)) : line);
    if (this.lines.tooLong) this.refuse(this.tooLargeMessage());
    else if (this.queue.length >= MAX_QUEUED_LINES) this.socket.pause();
    else this.armLineDeadline();
    this.next();
  }

  /** Queues the refusal that ends this connection once the requests before it are answered. */
  private refuse(message: string): void {
    this.refusing = true;
    this.clearLineDeadline();
    this.queue.push(new Refusal(message));
  }

  /** Starts the deadline of the unfinished line, if there is one and it has none yet. */
  private armLineDeadline(): void {
    if (this.lineTimer || this.lines.bufferedBytes === 0 || this.closed) return;
    this.lineTimer = setTimeout(() => {
      this.lineTimer = undefined;
      if (this.closed || this.refusing || this.ending) return;
      this.refuse(
        `request timed out: a request line must be complete within ${this.opts.requestTimeoutMs} ms of its first byte; ` +
          'the connection is closed',
      );
      if (this.socket.isPaused()) this.socket.resume();
      this.next();
    }, this.opts.requestTimeoutMs).unref();
  }

  private clearLineDeadline(): void {
    if (this.lineTimer) clearTimeout(this.lineTimer);
    this.lineTimer = undefined;
  }

  private onEnd(): void {
    this.readEnded = true;
    this.clearLineDeadline();
    if (this.streaming) this.stopStream();
    // A client that hung up may be gone for good (EOF cannot tell a half-close from a close),
    // so its answer in flight gets idleTimeoutMs; otherwise a stuck handler would hold the
    // connection, and a slot of maxConnections, forever.
    if (this.busy) this.armIdle();
    this.next();
  }

  private onClose(): void {
    this.closed = true;
    this.queue.length = 0;
    this.clearIdle();
    this.clearLineDeadline();
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.stopStream();
    this.opts.onClose();
    this.markClosed();
  }

  /** Decides what to do when nothing is in flight: serve the next line, end, or wait idle. */
  private next(): void {
    if (this.closed || this.busy || this.streaming) return;
    if (this.queue.length > 0) {
      // A bug on this path must cost one connection, never the daemon (an unhandled rejection).
      this.serveQueue().catch(() => this.socket.destroy());
      return;
    }
    if (this.readEnded || this.ending) this.endSoon();
    else if (!this.refusing) this.armIdle();
  }

  /**
   * Dispatches every queued request before awaiting any, so a client with many requests in
   * flight hands the handler all of them in one turn (its writes can then share a commit), and
   * writes their responses, in request order, as one corked run. A stream or a refused line
   * ends the run: the responses before it go out first.
   */
  private async serveQueue(): Promise<void> {
    this.busy = true;
    this.clearIdle();
    while (this.queue.length > 0 && !this.closed && !this.ending) {
      const answers: Array<Promise<RpcResponse>> = [];
      let last: Refusal | Observable<RpcResponse> | undefined;
      let bytes = 0;
      while (this.queue.length > 0 && bytes < DISPATCH_BYTES_PER_TURN) {
        const item = this.queue.shift() as string | Answer | Refusal;
        if (item instanceof Refusal) {
          last = item;
          break;
        }
        if (typeof item === 'string') bytes += item.length;
        const result = item instanceof Answer ? Promise.resolve(item.response) : this.dispatchSafely(item);
        if (isObservable(result)) {
          last = result;
          break;
        }
        answers.push(result);
      }
      if (this.socket.isPaused()) {
        this.socket.resume();
        // Paused, we read nothing: the unfinished line's deadline starts again now.
        this.armLineDeadline();
      }
      // Responses that are ready together leave as one write (corked); the socket is uncorked
      // before waiting on one that is not, so no answer waits behind a slow one after it.
      const ready: Array<RpcResponse | undefined> = answers.map(() => undefined);
      answers.forEach((answer, i) => void answer.then((response) => (ready[i] = response)));
      for (let i = 0; i < answers.length; i++) {
        let response = ready[i];
        if (response === undefined) {
          if (this.socket.writableCorked) this.socket.uncork();
          response = await answers[i];
        }
        if (!this.socket.writableCorked) this.socket.cork();
        if (!this.write(response)) {
          this.socket.uncork();
          await this.drained();
        }
      }
      if (this.socket.writableCorked) this.socket.uncork();
      if (last instanceof Refusal) {
        this.write(failure(last.message));
        this.endSoon();
        break;
      }
      if (last !== undefined) {
        this.startStream(last);
        break;
      }
      // Awaiting answers that are already settled never yields to I/O: other connections get a
      // turn here before this one's next megabyte is parsed.
      if (bytes >= DISPATCH_BYTES_PER_TURN) await new Promise((resolve) => setImmediate(resolve));
    }
    this.busy = false;
    this.next();
  }

  /**
   * `dispatch` promises never to throw; should a request still make it throw (say, a value that
   * overflows the stack somewhere), that request gets an error answer and the others go on.
   */
  private dispatchSafely(line: string): Promise<RpcResponse> | Observable<RpcResponse> {
    if (hasMoreJsonValues(line, MAX_REQUEST_VALUES)) {
      return Promise.resolve(
        failure(
          `request too complex: a request may hold at most ${MAX_REQUEST_VALUES} values (array elements and ` +
            'object members); split it, e.g. into smaller batches',
        ),
      );
    }
    try {
      return this.opts.dispatch(line, { connectionId: this.opts.id });
    } catch (err) {
      return Promise.resolve(failure(`the daemon could not handle this request: ${errorMessage(err)}`));
    }
  }

  private tooLargeMessage(): string {
    return (
      `request too large: a request line may hold at most ${this.opts.maxRequestBytes} bytes; ` +
      'the connection is closed'
    );
  }

  private startStream(response$: Observable<RpcResponse>): void {
    this.streaming = true;
    this.queue.length = 0;
    this.clearIdle();
    const subscription = response$.subscribe({
      next: (response) => {
        this.write(response);
        if (this.socket.writableLength > this.opts.maxRequestBytes) this.socket.destroy();
      },
      complete: () => {
        this.streaming = false;
        this.endSoon();
      },
    });
    if (this.streaming) this.stream = subscription;
  }

  private stopStream(): void {
    this.streaming = false;
    const stream = this.stream;
    this.stream = undefined;
    stream?.unsubscribe();
  }

  private write(response: RpcResponse): boolean {
    if (this.closed || !this.socket.writable) return true;
    return this.socket.write(`${encodeResponse(response)}\n`);
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  /** Ends our side once nothing is in flight; destroys the socket if the client lingers. */
  private endSoon(): void {
    this.ending = true;
    this.clearIdle();
    if (this.closed) return;
    // Also bounds a handler that never settles during shutdown.
    this.graceTimer ??= setTimeout(() => this.socket.destroy(), END_GRACE_MS).unref();
    if (this.busy) return; // next() calls again once the response in flight is written
    if (!this.socket.writableEnded) this.socket.end();
    // Keep reading (and dropping) so a client still writing can finish and read our answer.
    this.socket.resume();
  }

  private armIdle(): void {
    this.clearIdle();
    if (this.closed) return;
    this.idleTimer = setTimeout(() => this.socket.destroy(), this.opts.idleTimeoutMs).unref();
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}
