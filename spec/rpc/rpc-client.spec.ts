import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Observable } from 'rxjs';
import { RpcClient, tryConnect } from '../../src/rpc/rpc-client';
import { RpcConnectionError, RpcError } from '../../src/rpc/rpc-errors';
import { type RpcHandler, startRpcServer } from '../../src/rpc/rpc-server';
import { socketPathFor } from '../../src/rpc/socket-path';
import {
  type TestDaemon,
  echoHandler,
  longWorkspace,
  removeDir,
  startTestServer,
  stopTestServer,
  tempDir,
} from './rpc-test-helpers';
import { waitFor } from '../helpers/wait-for';

describe('RpcClient', () => {
  let daemon: TestDaemon | undefined;
  let client: RpcClient | undefined;
  afterEach(async () => {
    client?.close();
    client = undefined;
    await stopTestServer(daemon);
    daemon = undefined;
  });

  it('should carry many sequential requests on one persistent connection', async () => {
    daemon = await startTestServer();
    client = await RpcClient.connect(daemon.socketPath);
    const seen = new Set<unknown>();
    for (let n = 0; n < 20; n++) {
      const data = (await client.call('show', { id: `bd-${n}` })) as { args: unknown; connectionId: number };
      expect(data.args).toEqual({ id: `bd-${n}` });
      seen.add(data.connectionId);
    }
    expect(seen.size).toBe(1);
    expect(daemon.server.activeConnections()).toBe(1);
  });

  it('should match pipelined requests to their own answers', async () => {
    daemon = await startTestServer();
    client = await RpcClient.connect(daemon.socketPath);
    const answers = await Promise.all([
      client.call('ping'),
      client.call('dep_add', { from_id: 'bd-1', to_id: 'bd-2' }),
      client.call('list', { status: 'open', limit: 5 }),
    ]);
    expect(answers.map((a) => (a as { operation: string; args: unknown }).args)).toEqual([
      {},
      { from_id: 'bd-1', to_id: 'bd-2', dep_type: 'blocks' },
      { status: 'open', limit: 5 },
    ]);
  });

  it('should reject with an RpcError carrying the daemon\'s message, and keep the connection usable', async () => {
    const handler: RpcHandler = (req, ctx) =>
      req.operation === 'show' ? Promise.reject(new Error('issue "bd-9" not found')) : echoHandler(req, ctx);
    daemon = await startTestServer({ handler });
    client = await RpcClient.connect(daemon.socketPath);
    const failed = client.request('show', { id: 'bd-9' });
    await expect(failed).rejects.toThrow(RpcError);
    await expect(failed).rejects.toMatchObject({ message: 'issue "bd-9" not found', operation: 'show' });
    const invalid = client.request('create', { title: 'x', priority: 9 });
    await expect(invalid).rejects.toThrow('invalid args for create: priority: expected an integer 0-4, got 9');
    expect(await client.request('ping')).toMatchObject({ operation: 'ping' });
  });

  it('should send client_version and expected_db so a mismatched daemon refuses', async () => {
    daemon = await startTestServer();
    client = await RpcClient.connect(daemon.socketPath, { expectedDb: path.join(daemon.dir, 'elsewhere.db') });
    await expect(client.request('ping')).rejects.toThrow('database mismatch');
    client.close();
    client = await RpcClient.connect(daemon.socketPath, { clientVersion: '2.3.0' });
    await expect(client.request('ping')).rejects.toThrow('incompatible client version 2.3.0');
    client.close();
    client = await RpcClient.connect(daemon.socketPath, { expectedDb: daemon.dbPath });
    expect(await client.request('ping')).toMatchObject({ operation: 'ping' });
  });

  it('should fail a request the daemon does not answer in time, with the connection', async () => {
    daemon = await startTestServer({ handler: () => new Promise(() => undefined) });
    client = await RpcClient.connect(daemon.socketPath, { timeoutMs: 100 });
    const stuck = client.request('ping');
    await expect(stuck).rejects.toThrow(RpcConnectionError);
    await expect(stuck).rejects.toMatchObject({ code: 'ETIMEDOUT', message: 'no answer to ping from the daemon within 100 ms' });
    await expect(client.request('ping')).rejects.toThrow(RpcConnectionError);
  });

  it('should fail waiting requests when the daemon goes away', async () => {
    daemon = await startTestServer({ handler: () => new Promise(() => undefined) });
    client = await RpcClient.connect(daemon.socketPath);
    const waiting = expect(client.request('stats')).rejects.toThrow(
      new RpcConnectionError('the daemon closed the connection before answering stats'),
    );
    await waitFor(() => daemon?.server.activeConnections() === 1, 5000, 'the connection', 5);
    await daemon.server.close();
    await waiting;
  });

  describe('subscribe', () => {
    it('should deliver streamed events until close(), after which the daemon unsubscribes', async () => {
      let tornDown = false;
      const handler: RpcHandler = (req, ctx) =>
        req.operation !== 'subscribe'
          ? echoHandler(req, ctx)
          : new Observable<unknown>((subscriber) => {
              let n = 0;
              const timer = setInterval(() => subscriber.next({ type: 'fs/changed', path: `f${n++}` }), 5);
              return () => {
                clearInterval(timer);
                tornDown = true;
              };
            });
      daemon = await startTestServer({ handler });
      client = await RpcClient.connect(daemon.socketPath);
      const events: unknown[] = [];
      const subscription = client.subscribe((event) => events.push(event));
      await waitFor(() => events.length >= 3, 5000, 'three events', 5);
      expect(events.slice(0, 3)).toEqual([
        { type: 'fs/changed', path: 'f0' },
        { type: 'fs/changed', path: 'f1' },
        { type: 'fs/changed', path: 'f2' },
      ]);
      await expect(client.request('ping')).rejects.toThrow('this connection carries a subscription');
      subscription.close();
      await expect(subscription.done).resolves.toBeUndefined();
      await expect(waitFor(() => tornDown, 5000, 'the daemon to unsubscribe', 5)).resolves.toBe(true);
    });

    it('should end `done` with the daemon\'s error when the stream fails', async () => {
      const handler: RpcHandler = () =>
        new Observable<unknown>((subscriber) => {
          subscriber.next('first');
          subscriber.error(new Error('watcher died'));
        });
      daemon = await startTestServer({ handler });
      client = await RpcClient.connect(daemon.socketPath);
      const events: unknown[] = [];
      const subscription = client.subscribe((event) => events.push(event));
      await expect(subscription.done).rejects.toThrow('watcher died');
      expect(events).toEqual(['first']);
    });
  });

  describe('tryConnect', () => {
    it('should return null when there is no socket file', async () => {
      const dir = tempDir();
      try {
        expect(await tryConnect(path.join(dir, 'bd.sock'))).toBeNull();
      } finally {
        removeDir(dir);
      }
    });

    it('should return null when nothing listens on the socket file', async () => {
      const dir = tempDir();
      const socketPath = path.join(dir, 'bd.sock');
      // A socket file whose listener is gone: bind, then close the fd without unlinking.
      const listener = net.createServer().listen(socketPath);
      await new Promise((resolve) => listener.once('listening', resolve));
      fs.renameSync(socketPath, `${socketPath}.kept`);
      await new Promise((resolve) => listener.close(resolve));
      fs.renameSync(`${socketPath}.kept`, socketPath);
      try {
        expect(fs.lstatSync(socketPath).isSocket()).toBe(true);
        expect(await tryConnect(socketPath)).toBeNull();
      } finally {
        removeDir(dir);
      }
    });

    it('should connect when a daemon answers', async () => {
      daemon = await startTestServer();
      client = (await tryConnect(daemon.socketPath)) ?? undefined;
      expect(client).toBeInstanceOf(RpcClient);
      expect(await client?.request('ping')).toMatchObject({ operation: 'ping' });
    });
  });

  it('should reach a daemon of a long workspace path through the /tmp fallback, both sides agreeing', async () => {
    const root = tempDir();
    const workspace = longWorkspace(root);
    const daemonSide = socketPathFor(workspace);
    expect(daemonSide).toMatch(/^\/tmp\/beads-[0-9a-f]{8}\/bd\.sock$/);
    const server = await startRpcServer({
      socketPath: daemonSide,
      dbPath: path.join(workspace, '.beads', 'beads.db'),
      handler: echoHandler,
    });
    try {
      expect(fs.lstatSync(path.dirname(daemonSide)).mode & 0o777).toBe(0o700);
      expect(fs.statSync(daemonSide).mode & 0o777).toBe(0o600);
      const clientSide = socketPathFor(path.join(workspace, '.beads', '..'));
      expect(clientSide).toBe(daemonSide);
      client = await RpcClient.connect(clientSide);
      expect(await client.request('ping')).toMatchObject({ operation: 'ping' });
    } finally {
      client?.close();
      await server.close();
      removeDir(path.dirname(daemonSide));
      removeDir(root);
    }
  });
});
