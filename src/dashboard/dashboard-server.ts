import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Subscription } from 'rxjs';
import { loadAssets } from './dashboard-assets';
import type { DashboardRuntime } from './dashboard-runtime';
import { newDashboardToken, tokenMatches } from './dashboard-token';
import { SseClient, sseFrame } from './sse-client';

export interface DashboardOptions {
  /** 0 = any free port. */
  port?: number;
  /** Bytes a tab may leave unread before it is cut off (default 4 MiB). */
  maxBufferedBytes?: number;
  /** Open tabs at most; more get 503 (default 32). */
  maxClients?: number;
  /** How often the status numbers go out (default 1000 ms). */
  statusEveryMs?: number;
}

export interface DashboardServer {
  /** `http://127.0.0.1:PORT/?token=…` */
  readonly url: string;
  readonly port: number;
  /** Tabs connected right now. */
  clients(): number;
  /** Tabs cut off for reading too slowly, since start. */
  cutOff(): number;
  /** Ends every stream and stops listening. Idempotent. */
  close(): Promise<void>;
}

export class DashboardPortError extends Error {
  constructor(port: number, cause: unknown) {
    super(
      `the dashboard could not listen on 127.0.0.1:${port} (${(cause as Error).message}): ` +
        'choose another --dashboard-port / BEADS_DASHBOARD_PORT, or 0 for any free port',
    );
    this.name = 'DashboardPortError';
  }
}

const HOST = '127.0.0.1';

const SECURITY_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  // The page needs nothing but its own files and its own stream; the token never leaves in a
  // Referer. Inline style attributes (lane colours in rendered rows) are allowed, scripts are not.
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:",
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

/**
 * The live dashboard: the page's files and one Server-Sent Events stream at `/events`, on
 * 127.0.0.1 only, every request checked against a token that is new for each start. It only
 * reads: GET (and HEAD) are the only methods, and no request changes anything in the daemon.
 *
 * Stream: `hello` (the run, the status numbers), `replay` (the recent events, oldest first),
 * then `events` (the events of one event-loop turn, so a burst costs a tab one message and the
 * daemon one write per tab; both as `{from, events}`, `from` numbering the first) and `status` every `statusEveryMs` while anyone watches.
 * Each event is serialized once, whatever the number of tabs.
 */
export async function startDashboard(runtime: DashboardRuntime, opts: DashboardOptions = {}): Promise<DashboardServer> {
  const token = newDashboardToken();
  const assets = loadAssets(token);
  const maxBuffered = opts.maxBufferedBytes ?? 4 * 1024 * 1024;
  const maxClients = opts.maxClients ?? 32;
  const clients = new Set<SseClient>();
  const run = newRun();
  let cutOff = 0;
  let port = 0;

  // Events are numbered in the order seen, so a tab that reconnects skips what it has.
  let seen = 0;
  let pending: string[] = [];
  let pendingFrom = 0;
  let flushScheduled = false;
  const flush = () => {
    flushScheduled = false;
    if (pending.length === 0) return;
    const frame = sseFrame('events', `{"from":${pendingFrom},"events":[${pending.join(',')}]}`);
    pending = [];
    for (const c of clients) c.send(frame);
  };
  const subscription: Subscription = runtime.events$.subscribe({
    next: (event) => {
      const seq = seen++;
      if (clients.size === 0) return;
      if (pending.length === 0) pendingFrom = seq;
      pending.push(JSON.stringify(event));
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    },
    // The daemon is stopping: tell the tabs, so they show it rather than a generic error.
    complete: () => {
      flush();
      for (const c of clients) c.send(sseFrame('bye', '{}'));
    },
  });

  let statusTimer: NodeJS.Timeout | undefined;
  const sendStatus = () => {
    const frame = sseFrame('status', JSON.stringify(runtime.status()));
    for (const c of clients) c.send(frame);
  };
  const watchersChanged = () => {
    if (clients.size > 0 && !statusTimer) {
      statusTimer = setInterval(sendStatus, opts.statusEveryMs ?? 1000);
      statusTimer.unref();
    } else if (clients.size === 0 && statusTimer) {
      clearInterval(statusTimer);
      statusTimer = undefined;
    }
  };

  const openStream = (res: http.ServerResponse) => {
    if (clients.size >= maxClients) {
      return refuse(res, 503, `too many dashboard tabs open (${maxClients}): close one and reload`);
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      Connection: 'keep-alive',
      // EventSource's own retry is ~3 s; a restarted daemon is back sooner than that.
      'X-Accel-Buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    const client = new SseClient(res, maxBuffered, (c, wasCutOff) => {
      clients.delete(c);
      if (wasCutOff) cutOff++;
      watchersChanged();
    });
    client.send(`retry: 1000\n\n`);
    client.send(sseFrame('hello', JSON.stringify({ run, server_time: new Date().toISOString(), status: runtime.status() })));
    const replay = runtime.recentEvents();
    client.send(sseFrame('replay', `{"from":${seen - replay.length},"events":${JSON.stringify(replay)}}`));
    if (!client.isClosed) {
      clients.add(client);
      watchersChanged();
    }
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${HOST}`);
    if (!tokenMatches(token, url.searchParams.get('token'))) {
      return refuse(res, 403, 'forbidden: the dashboard URL carries a token; get it with `bd-rx dashboard`');
    }
    // Defence against DNS rebinding: a page on another origin that learnt the token still
    // could not be served under a foreign host name.
    if (!isLocalHost(req.headers.host, port)) return refuse(res, 403, 'forbidden: wrong Host header');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return refuse(res, 405, 'the dashboard only reads: use GET');
    }
    if (url.pathname === '/events') return openStream(res);
    const asset = assets.get(url.pathname);
    if (!asset) return refuse(res, 404, `no such page: ${url.pathname}`);
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': asset.contentType, 'Content-Length': asset.body.length });
    res.end(req.method === 'HEAD' ? undefined : asset.body);
  });
  // An idle keep-alive connection must not hold up the daemon's stop.
  server.keepAliveTimeout = 2000;

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, HOST, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    subscription.unsubscribe();
    throw new DashboardPortError(opts.port ?? 0, err);
  }
  port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${HOST}:${port}/?token=${token}`,
    port,
    clients: () => clients.size,
    cutOff: () => cutOff,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        subscription.unsubscribe();
        flush(); // the last events (daemon/stopped) reach the tabs before the streams end
        if (statusTimer) clearInterval(statusTimer);
        for (const c of [...clients]) c.close();
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

function refuse(res: http.ServerResponse, status: number, message: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`${message}\n`);
}

function isLocalHost(host: string | undefined, port: number): boolean {
  return host === `${HOST}:${port}` || host === `localhost:${port}`;
}

/** Tells one daemon run from the next, so a reconnecting tab knows the daemon restarted. */
function newRun(): string {
  return `${process.pid}-${Date.now().toString(36)}`;
}
