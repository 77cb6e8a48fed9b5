import * as fs from 'node:fs';
import * as net from 'node:net';
import { encodeResponse, failure } from './protocol';
import { RpcConnection } from './rpc-connection';
import { type RpcHandler, createDispatch } from './rpc-dispatch';
import { AlreadyRunningError, errnoCode, TOO_MANY_CONNECTIONS } from './rpc-errors';
import { prepareSocketDir } from './socket-path';

export type { RpcContext, RpcHandler } from './rpc-dispatch';

export interface RpcServerOptions {
  socketPath: string;
  /** The daemon's database; `expected_db` in a request must resolve to the same file. */
  dbPath: string;
  handler: RpcHandler;
  /** Connections served at once; one more gets an error line and is closed. */
  maxConnections?: number;
  /** A connection with nothing in flight and no byte from the client this long is closed. */
  idleTimeoutMs?: number;
  /**
   * How long a request line may take to arrive, from its first byte to its newline. Bounds a
   * slowloris peer, whose trickle of bytes never lets the connection go idle.
   */
  requestTimeoutMs?: number;
  /** Longest request line accepted (bytes, without the newline). */
  maxRequestBytes?: number;
  onConnectionCountChange?: (count: number) => void;
  /** Errors of the listening socket after start (e.g. EMFILE on accept); the server keeps going. */
  onError?: (err: Error) => void;
}

export interface RpcServer {
  readonly socketPath: string;
  activeConnections(): number;
  /** Stops accepting, ends every connection, removes the socket file. Idempotent. */
  close(): Promise<void>;
}

/** How long we wait for whatever sits on an existing socket file to accept a connection. */
const PROBE_TIMEOUT_MS = 1000;

/**
 * Listens on `socketPath` (mode 0600) and serves NDJSON requests through `handler`.
 *
 * A socket file left by a dead daemon is replaced; one something still answers on makes this
 * throw `AlreadyRunningError`.
 */
export async function startRpcServer(opts: RpcServerOptions): Promise<RpcServer> {
  const maxConnections = opts.maxConnections ?? 100;
  const idleTimeoutMs = opts.idleTimeoutMs ?? 30_000;
  const requestTimeoutMs = opts.requestTimeoutMs ?? 10_000;
  const maxRequestBytes = opts.maxRequestBytes ?? 10 * 1024 * 1024;
  const { socketPath } = opts;

  prepareSocketDir(socketPath);
  await removeStaleSocket(socketPath);

  const dispatch = createDispatch({ dbPath: opts.dbPath, handler: opts.handler });
  const connections = new Set<RpcConnection>();
  const refused = new Set<net.Socket>();
  let nextId = 1;
  let closing: Promise<void> | undefined;
  const notify = (): void => opts.onConnectionCountChange?.(connections.size);

  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    if (closing) {
      socket.destroy();
    } else if (connections.size >= maxConnections) {
      refuse(socket, maxConnections, refused);
    } else {
      const connection = new RpcConnection(socket, {
        id: nextId++,
        dispatch,
        idleTimeoutMs,
        requestTimeoutMs,
        maxRequestBytes,
        onClose: () => {
          connections.delete(connection);
          notify();
        },
      });
      connections.add(connection);
      notify();
    }
  });

  await listenOwnerOnly(server, socketPath);
  server.on('error', (err) => opts.onError?.(err));
  const ours = fs.lstatSync(socketPath);

  const close = async (): Promise<void> => {
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    const ended = [...connections].map((connection) => {
      connection.shutdown();
      return connection.whenClosed;
    });
    for (const socket of refused) socket.destroy();
    await Promise.all([stopped, ...ended]);
    removeIfSame(socketPath, ours);
  };

  return {
    socketPath,
    activeConnections: () => connections.size,
    close: () => (closing ??= close()),
  };
}

/**
 * Binds with umask 0o177, so the socket is created 0600 and no other user can ever connect,
 * then chmods 0600 for good measure. `listen()` binds synchronously on the main thread of a
 * non-cluster process (`exclusive: true` keeps cluster workers from delegating it), so the
 * umask is back to normal before any other code runs. Caveat: the umask is process-wide, so a
 * file the libuv thread pool creates during those microseconds would also get 0600.
 */
function listenOwnerOnly(server: net.Server, socketPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      reject(errnoCode(err) === 'EADDRINUSE' ? new AlreadyRunningError({ socketPath }) : err);
    };
    server.once('error', onError);
    const previous = process.umask(0o177);
    try {
      server.listen({ path: socketPath, exclusive: true }, () => {
        server.off('error', onError);
        try {
          fs.chmodSync(socketPath, 0o600);
          resolve();
        } catch (err) {
          server.close();
          reject(err);
        }
      });
    } finally {
      process.umask(previous);
    }
  });
}

/** The connection limit is hit: one error line, then close. Reads are drained and dropped. */
/**
 * How long a refused connection is left open for its client to read the refusal and hang up.
 * Destroying it sooner (it was 1 s) let a client whose event loop was busy (500
 * clients in one process, a loaded machine) write its first request into a closed socket and
 * see EPIPE/ECONNRESET instead of "too many connections" — an error it cannot tell from a crash,
 * so it gave up where it should have retried or fallen back.
 */
export const REFUSED_GRACE_MS = 10_000;
/** Past this many refused connections still open, a new one is dropped at once (a flood holds no more fds). */
const MAX_REFUSED_OPEN = 1_000;

function refuse(socket: net.Socket, max: number, refused: Set<net.Socket>): void {
  socket.on('error', () => undefined);
  if (refused.size >= MAX_REFUSED_OPEN) {
    socket.destroy();
    return;
  }
  refused.add(socket);
  const timer = setTimeout(() => socket.destroy(), REFUSED_GRACE_MS).unref();
  // The client read the refusal and hung up: its half is done, so is ours.
  socket.on('end', () => socket.destroy());
  socket.on('close', () => {
    clearTimeout(timer);
    refused.delete(socket);
  });
  socket.resume();
  socket.end(
    `${encodeResponse(failure(`${TOO_MANY_CONNECTIONS}: this daemon serves at most ${max} at once; retry shortly`))}\n`,
  );
}

/** A socket file nothing answers on is removed; a live one means another daemon. */
async function removeStaleSocket(socketPath: string): Promise<void> {
  try {
    fs.lstatSync(socketPath);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return;
    throw err;
  }
  if (await answers(socketPath)) throw new AlreadyRunningError({ socketPath });
  try {
    fs.unlinkSync(socketPath);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
}

function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = net.connect(socketPath);
    const finish = (alive: boolean): void => {
      clearTimeout(timer);
      probe.destroy();
      resolve(alive);
    };
    // A listener whose accept backlog is full is still a live daemon.
    const timer = setTimeout(() => finish(true), PROBE_TIMEOUT_MS);
    probe.once('connect', () => finish(true));
    probe.once('error', (err) => {
      const code = errnoCode(err);
      if (code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'ENOTSOCK') finish(false);
      else {
        clearTimeout(timer);
        reject(err);
      }
    });
  });
}

/** Removes the socket file only if it is still the one we bound (same inode). */
function removeIfSame(socketPath: string, ours: fs.Stats): void {
  try {
    const now = fs.lstatSync(socketPath);
    if (now.ino === ours.ino && now.dev === ours.dev) fs.unlinkSync(socketPath);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
}
