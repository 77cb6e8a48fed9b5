import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type SchedulerLike, Subject, type Subscription, takeUntil } from 'rxjs';
import { batchWindow } from './batch-window';
import { loadAssets } from './dashboard-assets';
import type { DashboardRuntime } from './dashboard-runtime';
import { newDashboardToken, tokenMatches } from './dashboard-token';
import { JsonRing } from './json-ring';
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
  /** Events gathered into one message per tab (default 50 ms: 20 writes a second per tab at most)... */
  flushEveryMs?: number;
  /**
   * ... and how long that window grows while events do not pause (default 1000 ms: a message a
   * second per tab under a steady stream, as often as the page draws one; see batchWindow).
   */
  maxFlushEveryMs?: number;
  /** Recent events a new tab is sent first (default 5000). */
  replay?: number;
  scheduler?: SchedulerLike;
}

export interface DashboardServer {
  /** `http://127.0.0.1:PORT/?token=…` */
  readonly url: string;
  readonly port: number;
  /** Tabs connected right now. */
  clients(): number;
  /** Events numbered and sent (to the tabs open then, and into the replay), since start. */
  sent(): number;
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
 * then `events` (the events of one window, `flushEveryMs` after a pause and growing to
 * `maxFlushEveryMs` while events keep coming, so a burst costs a tab one message
 * and the daemon one write per tab; both as `{from, n, events}`, `from` numbering the first,
 * `n` counting them, both first so a page can read them without parsing the rest) and
 * `status` every `statusEveryMs` while anyone watches. Each event is serialised once, whatever
 * the number of tabs, and nothing is done per event per tab.
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

  // Events are numbered in the order seen, so a tab that reconnects skips what it has. Each is
  // serialised once, for every tab and the replay alike, and only once per window: on the
  // daemon's side of the stream, an event costs one push (see batchWindow).
  let seen = 0;
  const replay = new JsonRing(opts.replay ?? 5000);
  const broadcast = (frame: string) => {
    if (clients.size === 0) return;
    const bytes = Buffer.from(frame, 'utf8'); // encoded once, written to every tab
    for (const c of clients) c.send(bytes);
  };
  const stop$ = new Subject<void>();
  const subscription: Subscription = runtime.events$
    .pipe(takeUntil(stop$), batchWindow(opts.flushEveryMs ?? 50, opts.scheduler, Math.max(opts.flushEveryMs ?? 50, opts.maxFlushEveryMs ?? 1000)))
    .subscribe({
      next: (batch) => {
        const from = seen;
        seen += batch.length;
        const json = batch.map((e) => JSON.stringify(e));
        for (const j of json) replay.push(j);
        if (clients.size > 0) broadcast(sseFrame('events', batchJson(from, batch.length, json.join(','))));
      },
      // The daemon is stopping: tell the tabs, so they show it rather than a generic error.
      complete: () => broadcast(sseFrame('bye', '{}')),
    });

  let statusTimer: NodeJS.Timeout | undefined;
  const sendStatus = () => broadcast(sseFrame('status', JSON.stringify(runtime.status())));
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
    const events = replay.toJsonArray();
    client.send(sseFrame('replay', batchJson(seen - replay.size, replay.size, events.slice(1, -1))));
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
    sent: () => seen,
    cutOff: () => cutOff,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        // The open window (daemon/stopped, say) reaches the tabs before the streams end.
        stop$.next();
        subscription.unsubscribe();
        if (statusTimer) clearInterval(statusTimer);
        for (const c of [...clients]) c.close();
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

/** `{from, n, events}`: `events` is the events' JSON joined by commas. */
function batchJson(from: number, n: number, events: string): string {
  return `{"from":${from},"n":${n},"events":[${events}]}`;
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
