import * as fs from 'node:fs';
import * as path from 'node:path';
import { Observable } from 'rxjs';
import { isCallOf } from '../../src/rpc/protocol';
import { AlreadyRunningError } from '../../src/rpc/rpc-errors';
import { type RpcHandler, startRpcServer } from '../../src/rpc/rpc-server';
import {
  RawClient,
  type TestDaemon,
  echoHandler,
  leaveStaleSocket,
  oneShot,
  startTestServer,
  stopTestServer,
  tempDir,
} from './rpc-test-helpers';
import { waitFor } from '../helpers/wait-for';

const ping = { operation: 'ping', args: {} };
const pong = { success: true, data: { operation: 'ping', args: {}, connectionId: expect.any(Number) } };

describe('startRpcServer', () => {
  let daemon: TestDaemon | undefined;
  afterEach(async () => {
    await stopTestServer(daemon);
    daemon = undefined;
  });

  it('should create the socket file with mode 0600', async () => {
    daemon = await startTestServer();
    const stat = fs.statSync(daemon.socketPath);
    expect(stat.isSocket()).toBe(true);
    expect(stat.mode & 0o777).toBe(0o600);
  });

  it('should answer a one-shot client that writes one line, reads one line and hangs up', async () => {
    daemon = await startTestServer();
    expect(await oneShot(daemon.socketPath, ping)).toEqual(pong);
    expect(await oneShot(daemon.socketPath, { operation: 'show', args: { id: 'bd-1' } })).toEqual({
      success: true,
      data: { operation: 'show', args: { id: 'bd-1' }, connectionId: expect.any(Number) },
    });
  });

  it('should answer a client that half-closes right after its request', async () => {
    daemon = await startTestServer();
    const client = await RawClient.open(daemon.socketPath);
    client.socket.end(`${JSON.stringify(ping)}\n`);
    expect(await client.next()).toEqual(pong);
    await client.waitClosed();
    // One answer, then the end: nothing more was sent.
    expect(client.lines).toHaveLength(1);
  });

  it('should answer pipelined requests on one connection in request order', async () => {
    // Later requests finish first, so answering in completion order would show.
    const handler: RpcHandler = (req) =>
      new Promise((resolve) => {
        const n = isCallOf(req, 'show') ? Number(req.args.id.slice(3)) : 0;
        setTimeout(() => resolve(n), (10 - n) * 5);
      });
    daemon = await startTestServer({ handler });
    const client = await RawClient.open(daemon.socketPath);
    const lines = Array.from({ length: 10 }, (_, n) => JSON.stringify({ operation: 'show', args: { id: `bd-${n}` } }));
    client.write(`${lines.join('\n')}\n`);
    const answers = [];
    for (let n = 0; n < 10; n++) answers.push(await client.next());
    expect(answers).toEqual(Array.from({ length: 10 }, (_, n) => ({ success: true, data: n })));
    client.destroy();
  });

  it('should answer a rejected or throwing handler with {success: false, error}', async () => {
    const handler: RpcHandler = (req) => {
      if (isCallOf(req, 'show') && req.args.id === 'bd-sync') throw new Error('thrown before any promise');
      return Promise.reject(new Error('issue "bd-404" not found'));
    };
    daemon = await startTestServer({ handler });
    expect(await oneShot(daemon.socketPath, { operation: 'show', args: { id: 'bd-404' } })).toEqual({
      success: false,
      error: 'issue "bd-404" not found',
    });
    expect(await oneShot(daemon.socketPath, { operation: 'show', args: { id: 'bd-sync' } })).toEqual({
      success: false,
      error: 'thrown before any promise',
    });
  });

  it('should answer a handler that returns nothing with a bare success', async () => {
    daemon = await startTestServer({ handler: async () => undefined });
    const client = await RawClient.open(daemon.socketPath);
    client.send(ping);
    await waitFor(() => client.lines.length === 1, 5000, 'the response', 5);
    expect(client.lines[0]).toBe('{"success":true}');
    client.destroy();
  });

  describe('malformed input', () => {
    let client: RawClient;
    let handled: string[];
    beforeEach(async () => {
      handled = [];
      daemon = await startTestServer({
        handler: (req, ctx) => {
          handled.push(req.operation);
          return echoHandler(req, ctx);
        },
      });
      client = await RawClient.open(daemon.socketPath);
    });
    afterEach(() => client.destroy());

    /** The same connection still works, and so does a new one. */
    async function stillServing(): Promise<void> {
      client.send(ping);
      expect(await client.next()).toEqual(pong);
      expect(await oneShot((daemon as TestDaemon).socketPath, ping)).toEqual(pong);
    }

    it('should answer garbage bytes with an error and keep serving', async () => {
      client.write(Buffer.from([0x00, 0x1b, 0x5b, 0x41, 0x0a]));
      expect(await client.next()).toEqual({ success: false, error: expect.stringMatching(/^invalid request: not JSON/) });
      await stillServing();
      expect(handled).toEqual(['ping', 'ping']);
    });

    it('should answer a line that is not valid UTF-8 with an error saying so, in its turn, and keep serving', async () => {
      const create = Buffer.from(`{"operation":"create","args":{"title":"caf\xe9"}}\n`, 'latin1');
      client.write(Buffer.concat([Buffer.from(`${JSON.stringify(ping)}\n`), create, Buffer.from([0xff, 0xfe, 0x0a])]));
      expect(await client.next()).toEqual(pong);
      for (let i = 0; i < 2; i++) {
        expect(await client.next()).toEqual({
          success: false,
          error: 'invalid request: the line is not valid UTF-8; send text as UTF-8 (JSON escapes like \\u00e9 are fine)',
        });
      }
      await stillServing();
      // Neither bad line reached the handler, altered or not.
      expect(handled).toEqual(['ping', 'ping', 'ping']);
    });

    it('should answer invalid JSON with an error and keep serving', async () => {
      client.write('{"operation": "ping", \n');
      expect(await client.next()).toEqual({ success: false, error: expect.stringMatching(/^invalid request: not JSON \(/) });
      await stillServing();
    });

    it('should answer an unknown operation with the list of known ones', async () => {
      client.send({ operation: 'frobnicate', args: {} });
      expect(await client.next()).toEqual({
        success: false,
        error: expect.stringMatching(/^unknown operation "frobnicate"; known: ping, health, status, create, /),
      });
      await stillServing();
    });

    it('should answer wrong argument types with an error naming the field, without calling the handler', async () => {
      client.send({ operation: 'create', args: { title: 'x', priority: 'high' } });
      expect(await client.next()).toEqual({
        success: false,
        error: 'invalid args for create: priority: expected an integer 0-4, got "high"',
      });
      client.send({ operation: 'update', args: { id: 'bd-1', status: 'done' } });
      expect((await client.next()).error).toMatch(/^invalid args for update: status: expected one of open\|/);
      await stillServing();
      expect(handled).toEqual(['ping', 'ping']);
    });

    it('should drop half a line followed by a hang-up quietly', async () => {
      client.write('{"operation":"pi');
      client.socket.end();
      await client.waitClosed();
      expect(client.lines).toEqual([]);
      await waitFor(() => (daemon as TestDaemon).server.activeConnections() === 0, 5000, 'the connection to be gone', 5);
      client = await RawClient.open((daemon as TestDaemon).socketPath);
      await stillServing();
      expect(handled).toEqual(['ping', 'ping']);
    });

    it('should answer a 20 MB line with an error, close that connection, and keep serving', async () => {
      client.write(Buffer.alloc(20 * 1024 * 1024, 0x61));
      client.write('\n');
      expect(await client.next(10_000)).toEqual({
        success: false,
        error: `request too large: a request line may hold at most ${10 * 1024 * 1024} bytes; the connection is closed`,
      });
      await client.waitClosed();
      client = await RawClient.open((daemon as TestDaemon).socketPath);
      await stillServing();
      expect(handled).toEqual(['ping', 'ping']);
    });

    it('should answer requests sent before an overlong line, then the error', async () => {
      client.destroy();
      await stopTestServer(daemon);
      daemon = await startTestServer({ maxRequestBytes: 1024 });
      client = await RawClient.open(daemon.socketPath);
      client.write(`${JSON.stringify(ping)}\n${'x'.repeat(2000)}`);
      expect(await client.next()).toEqual(pong);
      expect((await client.next()).error).toMatch(/^request too large: a request line may hold at most 1024 bytes/);
      await client.waitClosed();
      expect(client.lines).toHaveLength(2);
    });
  });

  describe('expected_db', () => {
    it('should serve a client naming the database through a symlink', async () => {
      daemon = await startTestServer();
      const link = path.join(daemon.dir, 'db-link');
      fs.symlinkSync(daemon.dbPath, link);
      expect(await oneShot(daemon.socketPath, { ...ping, expected_db: link })).toEqual(pong);
      expect(await oneShot(daemon.socketPath, { ...ping, expected_db: daemon.dbPath })).toEqual(pong);
    });

    it('should refuse a client expecting another database, naming both', async () => {
      daemon = await startTestServer();
      const other = path.join(daemon.dir, 'other.db');
      fs.writeFileSync(other, '');
      const response = await oneShot(daemon.socketPath, { ...ping, expected_db: other });
      expect(response.success).toBe(false);
      expect(response.error).toContain('database mismatch');
      expect(response.error).toContain(fs.realpathSync(other));
      expect(response.error).toContain(fs.realpathSync(daemon.dbPath));
    });

    it('should resolve a relative expected_db against the request\'s cwd', async () => {
      daemon = await startTestServer();
      const request = { ...ping, cwd: daemon.dir, expected_db: '.beads/beads.db' };
      expect(await oneShot(daemon.socketPath, request)).toEqual(pong);
    });
  });

  describe('client_version', () => {
    it('should serve protocol 0.1.0 and a client that does not say', async () => {
      daemon = await startTestServer();
      expect(await oneShot(daemon.socketPath, { ...ping, client_version: '0.1.0' })).toEqual(pong);
      expect(await oneShot(daemon.socketPath, ping)).toEqual(pong);
    });

    it('should refuse a 1.0.0 client with a clear message', async () => {
      daemon = await startTestServer();
      const response = await oneShot(daemon.socketPath, { ...ping, client_version: '1.0.0' });
      expect(response).toEqual({ success: false, error: expect.stringContaining('incompatible client version 1.0.0') });
      expect(response.error).toContain('this daemon speaks protocol 0.x');
    });
  });

  describe('connection limit', () => {
    it('should refuse the 101st connection with an error line, and accept new ones once some close', async () => {
      const counts: number[] = [];
      daemon = await startTestServer({ onConnectionCountChange: (n) => counts.push(n) });
      const idle = await Promise.all(Array.from({ length: 100 }, () => RawClient.open((daemon as TestDaemon).socketPath)));
      await waitFor(() => daemon?.server.activeConnections() === 100, 5000, '100 connections', 5);

      const excess = await RawClient.open(daemon.socketPath);
      expect(await excess.next()).toEqual({
        success: false,
        error: 'too many connections: this daemon serves at most 100 at once; retry shortly',
      });
      await excess.waitClosed();
      expect(daemon.server.activeConnections()).toBe(100);

      for (const client of idle.slice(0, 5)) client.destroy();
      await waitFor(() => daemon?.server.activeConnections() === 95, 5000, '95 connections', 5);
      expect(await oneShot(daemon.socketPath, ping)).toEqual(pong);
      idle[99]?.send(ping);
      expect(await idle[99]?.next()).toEqual(pong);

      for (const client of idle) client.destroy();
      await waitFor(() => daemon?.server.activeConnections() === 0, 5000, 'no connections', 5);
      expect(Math.max(...counts)).toBe(100);
      expect(counts[counts.length - 1]).toBe(0);
    });
  });

  describe('request deadline (fault 8: slowloris)', () => {
    it('should refuse a line still unfinished at the deadline from its first byte, however often a byte arrives', async () => {
      daemon = await startTestServer({ idleTimeoutMs: 60_000, requestTimeoutMs: 300 });
      const client = await RawClient.open(daemon.socketPath);
      const started = Date.now();
      const line = '{"operation":"ping","args":{}}';
      let sent = 0;
      const trickle = setInterval(() => {
        if (!client.closed && sent < line.length) client.write(line.charAt(sent++));
      }, 20);
      try {
        await client.waitClosed(5000);
      } finally {
        clearInterval(trickle);
      }
      expect(Date.now() - started).toBeLessThan(2000);
      expect(client.lines.map((l) => JSON.parse(l))).toEqual([
        {
          success: false,
          error: 'request timed out: a request line must be complete within 300 ms of its first byte; the connection is closed',
        },
      ]);
    });

    it('should close a connection trickling bytes of a line at its idle timeout, not reset by each byte', async () => {
      daemon = await startTestServer({ idleTimeoutMs: 300, requestTimeoutMs: 60_000 });
      const client = await RawClient.open(daemon.socketPath);
      const started = Date.now();
      const trickle = setInterval(() => client.closed || client.write(' '), 20);
      try {
        await client.waitClosed(5000);
      } finally {
        clearInterval(trickle);
      }
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('should give each line of a pipelining client its own deadline', async () => {
      daemon = await startTestServer({ idleTimeoutMs: 60_000, requestTimeoutMs: 300 });
      const client = await RawClient.open(daemon.socketPath);
      const line = `${JSON.stringify(ping)}\n`;
      // Five whole requests, 100 ms apart, each sent in two halves: 500 ms in all, no line late.
      for (let i = 0; i < 5; i++) {
        client.write(line.slice(0, 10));
        await new Promise((resolve) => setTimeout(resolve, 50));
        client.write(line.slice(10));
        expect(await client.next()).toEqual(pong);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(client.closed).toBe(false);
      client.destroy();
    });
  });

  describe('idle timeout', () => {
    it('should close a connection that sends nothing', async () => {
      daemon = await startTestServer({ idleTimeoutMs: 100 });
      const client = await RawClient.open(daemon.socketPath);
      await client.waitClosed(3000);
      expect(client.lines).toEqual([]);
    });

    it('should close a connection that stalls in the middle of a line', async () => {
      daemon = await startTestServer({ idleTimeoutMs: 100 });
      const client = await RawClient.open(daemon.socketPath);
      client.write('{"operation":');
      await client.waitClosed(3000);
      expect(client.lines).toEqual([]);
    });

    it('should not count time spent in the handler as idle', async () => {
      const handler: RpcHandler = () => new Promise((resolve) => setTimeout(() => resolve('slow'), 400));
      daemon = await startTestServer({ idleTimeoutMs: 100, handler });
      const client = await RawClient.open(daemon.socketPath);
      client.send(ping);
      expect(await client.next()).toEqual({ success: true, data: 'slow' });
      // Idle only after the answer: the connection then times out, having said nothing more.
      await client.waitClosed(3000);
      expect(client.lines).toHaveLength(1);
    });

    it('should free the slot of a client that hung up while its handler is stuck', async () => {
      daemon = await startTestServer({ idleTimeoutMs: 100, handler: () => new Promise(() => undefined) });
      const client = await RawClient.open(daemon.socketPath);
      client.socket.end(`${JSON.stringify(ping)}\n`);
      await waitFor(() => daemon?.server.activeConnections() === 1, 5000, 'the connection', 5);
      await waitFor(() => daemon?.server.activeConnections() === 0, 3000, 'the slot to be freed', 5);
      expect(client.lines).toEqual([]);
    });
  });

  describe('streams', () => {
    it('should stream every value until the client hangs up, then unsubscribe', async () => {
      let tornDown = false;
      const handler: RpcHandler = (req, ctx) => {
        if (req.operation !== 'subscribe') return echoHandler(req, ctx);
        return new Observable<unknown>((subscriber) => {
          let n = 0;
          const timer = setInterval(() => subscriber.next({ type: 'store/mutated', op: 'create', id: `bd-${n++}` }), 5);
          return () => {
            clearInterval(timer);
            tornDown = true;
          };
        });
      };
      daemon = await startTestServer({ handler });
      const client = await RawClient.open(daemon.socketPath);
      client.send({ operation: 'subscribe', args: {} });
      expect(await client.next()).toEqual({ success: true, data: { type: 'store/mutated', op: 'create', id: 'bd-0' } });
      expect(await client.next()).toEqual({ success: true, data: { type: 'store/mutated', op: 'create', id: 'bd-1' } });
      expect(await client.next()).toEqual({ success: true, data: { type: 'store/mutated', op: 'create', id: 'bd-2' } });
      expect(tornDown).toBe(false);
      client.destroy();
      await waitFor(() => tornDown, 5000, 'the subscription to be torn down', 5);
      await waitFor(() => daemon?.server.activeConnections() === 0, 5000, 'the connection to be gone', 5);
      expect({ tornDown, connections: daemon.server.activeConnections() }).toEqual({ tornDown: true, connections: 0 });
    });

    it('should end the connection when the stream completes, and report a stream error', async () => {
      const handler: RpcHandler = (req) =>
        new Observable<unknown>((subscriber) => {
          subscriber.next(1);
          if (req.operation === 'subscribe') subscriber.complete();
          else subscriber.error(new Error('watcher failed'));
        });
      daemon = await startTestServer({ handler });
      const completes = await RawClient.open(daemon.socketPath);
      completes.send({ operation: 'subscribe', args: {} });
      expect(await completes.next()).toEqual({ success: true, data: 1 });
      await completes.waitClosed();
      expect(completes.lines).toHaveLength(1);

      const fails = await RawClient.open(daemon.socketPath);
      fails.send(ping);
      expect(await fails.next()).toEqual({ success: true, data: 1 });
      expect(await fails.next()).toEqual({ success: false, error: 'watcher failed' });
      await fails.waitClosed();
      expect(fails.lines).toHaveLength(2);
    });
  });

  describe('socket file left behind', () => {
    it('should replace a stale socket file nothing answers on', async () => {
      const dir = tempDir();
      const socketPath = path.join(dir, '.beads', 'bd.sock');
      fs.mkdirSync(path.dirname(socketPath));
      await leaveStaleSocket(socketPath);
      daemon = await startTestServer({}, dir);
      expect(await oneShot(daemon.socketPath, ping)).toEqual(pong);
      expect(fs.statSync(daemon.socketPath).mode & 0o777).toBe(0o600);
    });

    it('should throw AlreadyRunningError when a live server answers on the path', async () => {
      daemon = await startTestServer();
      const second = startRpcServer({ socketPath: daemon.socketPath, dbPath: daemon.dbPath, handler: echoHandler });
      await expect(second).rejects.toThrow(AlreadyRunningError);
      await expect(second).rejects.toThrow(`already running: a daemon answers on ${daemon.socketPath}`);
      expect(await oneShot(daemon.socketPath, ping)).toEqual(pong);
    });
  });

  describe('close', () => {
    it('should end open connections, remove the socket file, and be idempotent', async () => {
      daemon = await startTestServer();
      const client = await RawClient.open(daemon.socketPath);
      client.send(ping);
      expect(await client.next()).toEqual(pong);
      await Promise.all([daemon.server.close(), daemon.server.close()]);
      await client.waitClosed();
      expect(fs.existsSync(daemon.socketPath)).toBe(false);
      expect(daemon.server.activeConnections()).toBe(0);
      await daemon.server.close();
    });

    it('should let the response in flight out before ending its connection', async () => {
      let release: ((value: unknown) => void) | undefined;
      daemon = await startTestServer({ handler: () => new Promise((resolve) => (release = resolve)) });
      const client = await RawClient.open(daemon.socketPath);
      client.send({ operation: 'shutdown', args: {} });
      await waitFor(() => release !== undefined, 5000, 'the handler to be called', 5);
      const closing = daemon.server.close();
      release?.({ stopping: true });
      expect(await client.next()).toEqual({ success: true, data: { stopping: true } });
      await closing;
      await client.waitClosed();
      expect(client.lines).toHaveLength(1);
    });
  });
});
