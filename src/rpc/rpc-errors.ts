/** The daemon answered `{success: false}`; `message` is the daemon's error, verbatim. */
export class RpcError extends Error {
  constructor(
    message: string,
    readonly operation: string,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

/** The connection to the daemon failed, timed out, closed early or carried garbage. */
export class RpcConnectionError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'RpcConnectionError';
  }
}

/**
 * Another daemon already serves this workspace: it holds the lock (message
 * `already running (pid N)`) or answers on the socket.
 */
export class AlreadyRunningError extends Error {
  readonly pid?: number;
  readonly socketPath?: string;

  constructor(holder: { pid: number } | { socketPath: string }) {
    super(
      'pid' in holder
        ? `already running (pid ${holder.pid})`
        : `already running: a daemon answers on ${holder.socketPath}`,
    );
    this.name = 'AlreadyRunningError';
    if ('pid' in holder) this.pid = holder.pid;
    else this.socketPath = holder.socketPath;
  }
}

/**
 * The socket or its directory is unsafe to use (not ours, not a directory, a symlink, open to
 * others): a daemon refuses to listen there, a client to connect.
 */
export class SocketDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SocketDirError';
  }
}

/**
 * How the daemon's refusal of a connection over its limit begins: the client turns that answer
 * into an `RpcConnectionError` with code `EBUSY` (nothing was served; another route may be taken).
 */
export const TOO_MANY_CONNECTIONS = 'too many connections';

// rpc-server.ts and socket-path.ts still import it from here.
export { errnoCode } from '../os/errno-code';
