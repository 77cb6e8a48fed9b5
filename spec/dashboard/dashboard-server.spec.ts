import * as http from 'node:http';
import * as net from 'node:net';
import { Subject } from 'rxjs';
import { startDashboard, type DashboardServer } from '../../src/dashboard/dashboard-server';
import type { LoggedEvent } from '../../src/events/daemon-event';
import { waitFor } from '../helpers/wait-for';

/**
 * The dashboard's server on its own: a real HTTP server on 127.0.0.1 and real sockets, fed
 * by a Subject standing in for the daemon's event stream (the browser tests use the real one).
 */

const mutated = (i: number): LoggedEvent => ({ type: 'store/mutated', op: 'create', id: `t-${i}`, ts: new Date(1_700_000_000_000 + i).toISOString() });

/** Reads an SSE stream into parsed messages until `done()` says stop. */
function readStream(url: string): { messages: Array<{ event: string; data: any }>; close(): void; ended: Promise<void> } {
  const messages: Array<{ event: string; data: any }> = [];
  let buffer = '';
  let req: http.ClientRequest;
  const ended = new Promise<void>((resolve, reject) => {
    req = http.get(url, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let i: number;
        while ((i = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) messages.push({ event, data: JSON.parse(data) });
        }
      });
      res.on('end', resolve);
      res.on('close', resolve);
    });
    req.on('error', reject);
  });
  return { messages, close: () => req.destroy(), ended };
}

describe('startDashboard', () => {
  let events: Subject<LoggedEvent>;
  const cleanups: Array<() => Promise<void> | void> = [];

  async function start(opts: Parameters<typeof startDashboard>[1] = {}): Promise<DashboardServer> {
    events = new Subject<LoggedEvent>();
    const server = await startDashboard({ events$: events, status: () => ({ mutations: 7 }) }, { replay: 3, ...opts });
    cleanups.push(() => server.close());
    return server;
  }

  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it('should listen on 127.0.0.1 only, with a 128-bit token in its URL', async () => {
    const s = await start();
    const url = new URL(s.url);
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.searchParams.get('token')).toMatch(/^[0-9a-f]{32}$/);
    const other = await start();
    expect(new URL(other.url).searchParams.get('token')).not.toBe(url.searchParams.get('token'));
  });

  it('should send a late client the replay (numbered, counted), then the live events of one flush window as one message', async () => {
    const s = await start();
    for (let i = 0; i < 5; i++) events.next(mutated(i));
    // The replay is what has gone out: the window holding events 0–4 closes first.
    await waitFor(() => s.sent() === 5, 5000, 'the first window to close');
    const stream = readStream(s.url.replace('/?', '/events?'));
    await waitFor(() => stream.messages.some((m) => m.event === 'replay'), 5000, 'the replay');
    await waitFor(() => s.clients() === 1, 5000, 'the client to be counted');
    events.next(mutated(5));
    events.next(mutated(6));
    await waitFor(() => stream.messages.some((m) => m.event === 'events'), 5000, 'live events');
    stream.close();
    const hello = stream.messages.find((m) => m.event === 'hello')!;
    expect(hello.data.status).toEqual({ mutations: 7 });
    const replay = stream.messages.find((m) => m.event === 'replay')!;
    // The recorder keeps 3: events 2, 3, 4, numbered from 2.
    expect(replay.data.from).toBe(2);
    expect(replay.data.n).toBe(3);
    expect(replay.data.events.map((e: LoggedEvent & { id: string }) => e.id)).toEqual(['t-2', 't-3', 't-4']);
    const live = stream.messages.filter((m) => m.event === 'events');
    expect(live).toHaveLength(1);
    expect(live[0].data.from).toBe(5);
    expect(live[0].data.n).toBe(2);
    expect(live[0].data.events.map((e: LoggedEvent & { id: string }) => e.id)).toEqual(['t-5', 't-6']);
  });

  it('should cut off a client that stops reading once its buffer is full, and keep serving the others', async () => {
    const s = await start({ maxBufferedBytes: 64 * 1024 });
    const url = new URL(s.url);
    // A client that never reads: its socket's buffers fill, then the server's queue.
    const stalled = net.connect(Number(url.port), '127.0.0.1');
    stalled.pause();
    stalled.write(`GET /events?token=${url.searchParams.get('token')} HTTP/1.1\r\nHost: 127.0.0.1:${url.port}\r\n\r\n`);
    const reader = readStream(s.url.replace('/?', '/events?'));
    await waitFor(() => s.clients() === 2, 5000, 'both clients to be connected');
    const big = 'x'.repeat(20_000);
    const delivered = () => reader.messages.reduce((n, m) => n + (m.event === 'events' ? m.data.n : 0), 0);
    let sent = 0;
    const t0 = Date.now();
    while (s.cutOff() === 0 && Date.now() - t0 < 30_000) {
      // Pushing never blocks: the daemon's side of the stream is a synchronous next().
      for (let i = 0; i < 10; i++) events.next({ type: 'fs/changed', path: big, ts: new Date().toISOString() });
      sent += 10;
      // At the reader's pace: it keeps up, the stalled client falls behind by 200 KB a round.
      await waitFor(() => delivered() === sent || s.cutOff() > 0, 10_000, 'the reader to read the round', 2);
    }
    expect(s.cutOff()).toBe(1);
    expect(s.clients()).toBe(1);
    events.next(mutated(99));
    await waitFor(() => reader.messages.some((m) => m.event === 'events' && m.data.events.some((e: { id?: string }) => e.id === 't-99')), 10_000, 'the reader to get the event after the cut-off');
    reader.close();
    stalled.destroy();
    expect(sent).toBeGreaterThan(0);
  });

  it('should answer 403 without the token, 403 for a foreign Host, 405 for other methods, 404 for unknown paths', async () => {
    const s = await start();
    const url = new URL(s.url);
    const token = url.searchParams.get('token')!;
    const status = (path: string, opts: http.RequestOptions = {}) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: Number(url.port), path, ...opts }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await status('/')).toBe(403);
    expect(await status(`/?token=${token.slice(0, -1)}`)).toBe(403);
    expect(await status(`/?token=${token}`, { headers: { Host: 'evil.example:80' } })).toBe(403);
    expect(await status(`/?token=${token}`, { method: 'POST' })).toBe(405);
    expect(await status(`/nope?token=${token}`)).toBe(404);
    expect(await status(`/?token=${token}`)).toBe(200);
    expect(await status(`/dashboard.js?token=${token}`)).toBe(200);
  });

  it('should end every stream, with the last events and a bye, when the daemon stops', async () => {
    const s = await start();
    const stream = readStream(s.url.replace('/?', '/events?'));
    await waitFor(() => s.clients() === 1, 5000, 'the client');
    events.next({ type: 'daemon/stopped', ts: new Date().toISOString() });
    events.complete();
    await s.close();
    await stream.ended;
    const last = stream.messages.slice(-2);
    expect(last[0].event).toBe('events');
    expect(last[0].data.events[0].type).toBe('daemon/stopped');
    expect(last[1].event).toBe('bye');
  });
});
