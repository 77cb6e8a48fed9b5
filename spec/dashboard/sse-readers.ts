import { type ChildProcess, fork } from 'node:child_process';
import * as http from 'node:http';

/**
 * Dashboard tabs without a browser: `n` plain HTTP clients following the daemon's `/events`
 * stream, in a process of their own, so what they cost the machine is a few ms of CPU and the
 * daemon's own cost of serving `n` streams can be measured apart from a browser's rendering.
 * Each counts the events it got live (the `events` messages, not the replay).
 */
export interface SseReaders {
  readonly pid: number;
  /** Live events received so far, per stream. */
  counts(): Promise<number[]>;
  close(): Promise<void>;
}

type FromParent = { ask: 'counts' } | { ask: 'close' };
type FromChild = { ready: true } | { counts: number[] } | { failed: string };

export function startSseReaders(dashboardUrl: string, n: number): Promise<SseReaders> {
  const eventsUrl = dashboardUrl.replace('/?', '/events?');
  const child: ChildProcess = fork(__filename, [eventsUrl, String(n)], {
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = () =>
    new Promise<FromChild>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the SSE readers exited (${code}) before answering`));
      child.once('exit', onExit);
      child.once('message', (m: FromChild) => {
        child.off('exit', onExit);
        if ('failed' in m) reject(new Error(`an SSE reader failed: ${m.failed}`));
        else resolve(m);
      });
    });
  return next().then(() => ({
    pid: child.pid ?? -1,
    counts: async () => {
      const answer = next();
      child.send({ ask: 'counts' } satisfies FromParent);
      return ((await answer) as { counts: number[] }).counts;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send({ ask: 'close' } satisfies FromParent);
      }),
  }));
}

/** One stream: counts the events of each `events` message; resolves once the stream is open. */
function follow(url: string, counts: number[], i: number): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`GET /events answered ${res.statusCode}`));
      res.setEncoding('utf8');
      let buffer = '';
      let open = false;
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith('event: events\n')) {
            counts[i] += (JSON.parse(block.slice(block.indexOf('data: ') + 6)) as { events: unknown[] }).events.length;
          } else if (block.startsWith('event: replay\n') && !open) {
            open = true; // from here on every event reaches this stream live
            resolve(req);
          }
        }
      });
    });
    req.on('error', reject);
  });
}

function runChild(url: string, n: number): void {
  const counts = new Array<number>(n).fill(0);
  const send = (m: FromChild) => process.send?.(m);
  Promise.all(counts.map((_, i) => follow(url, counts, i))).then(
    (reqs) => {
      process.on('message', (m: FromParent) => {
        if (m.ask === 'counts') send({ counts });
        else {
          for (const r of reqs) r.destroy();
          process.disconnect?.();
        }
      });
      send({ ready: true });
    },
    (err: Error) => {
      send({ failed: err.message });
      process.exit(1);
    },
  );
}

if (require.main === module) runChild(process.argv[2], Number(process.argv[3]));
