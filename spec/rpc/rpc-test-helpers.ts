import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { waitFor } from '../helpers/wait-for';
import { type RpcHandler, type RpcServer, type RpcServerOptions, startRpcServer } from '../../src/rpc/rpc-server';

/** A fresh temp dir (short path, so its socket fits in `sun_path`). */
export function tempDir(prefix = 'bd-rx-rpc-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A workspace dir under `root` whose `.beads/bd.sock` is too long for a Unix socket path. */
export function longWorkspace(root: string): string {
  const dir = path.join(root, 'a-rather-long-directory-name-for-a-project'.repeat(2), 'checkout');
  fs.mkdirSync(path.join(dir, '.beads'), { recursive: true });
  return dir;
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Leaves a real socket file with no listener: its owner was killed before it could clean up. */
export async function leaveStaleSocket(socketPath: string): Promise<void> {
  const child = spawn(process.execPath, [
    '-e',
    `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => process.kill(process.pid, 'SIGKILL'))`,
  ]);
  await once(child, 'exit');
  if (!fs.lstatSync(socketPath).isSocket()) throw new Error(`no stale socket at ${socketPath}`);
}

/** A raw NDJSON peer: what a non-bd-rx client (nc, a script, bd itself) does on the socket. */
export class RawClient {
  readonly lines: string[] = [];
  closed = false;
  private partial = '';
  private read = 0;

  private constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      const parts = (this.partial + text).split('\n');
      this.partial = parts.pop() ?? '';
      this.lines.push(...parts);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
    });
  }

  static open(socketPath: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(socketPath);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawClient(socket));
      });
    });
  }

  send(request: object): void {
    this.socket.write(`${JSON.stringify(request)}\n`);
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** The next response line not yet returned, parsed. */
  async next(timeoutMs = 5000): Promise<{ success: boolean; data?: unknown; error?: string }> {
    await waitFor(() => this.lines.length > this.read, timeoutMs, 'a response line', 5);
    return JSON.parse(this.lines[this.read++] as string);
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    await waitFor(() => this.closed, timeoutMs, 'the connection to close', 5);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Connect, write one line, read one line, hang up: the simplest client there is. */
export async function oneShot(socketPath: string, request: object): Promise<{ success: boolean; data?: unknown; error?: string }> {
  const client = await RawClient.open(socketPath);
  try {
    client.send(request);
    return await client.next();
  } finally {
    client.destroy();
  }
}

/** Answers every operation with what it received, so tests see the validated request. */
export const echoHandler: RpcHandler = async (req, ctx) => ({
  operation: req.operation,
  args: req.args,
  connectionId: ctx.connectionId,
});

export interface TestDaemon {
  dir: string;
  socketPath: string;
  dbPath: string;
  server: RpcServer;
}

/** A server on `<tmp>/.beads/bd.sock` with a real (empty) database file. */
export async function startTestServer(
  overrides: Partial<RpcServerOptions> = {},
  dir = tempDir(),
): Promise<TestDaemon> {
  const beadsDir = path.join(dir, '.beads');
  fs.mkdirSync(beadsDir, { recursive: true });
  const dbPath = path.join(beadsDir, 'beads.db');
  fs.writeFileSync(dbPath, '');
  const socketPath = path.join(beadsDir, 'bd.sock');
  const server = await startRpcServer({ socketPath, dbPath, handler: echoHandler, ...overrides });
  return { dir, socketPath, dbPath, server };
}

export async function stopTestServer(daemon: TestDaemon | undefined): Promise<void> {
  if (!daemon) return;
  await daemon.server.close();
  removeDir(daemon.dir);
}
