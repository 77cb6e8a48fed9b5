/**
 * RPC benchmark: a real `bd-rx daemon` (the compiled CLI, `npm run build` first, started with
 * `bd-rx daemon start` like a user would) in a temp workspace, driven over its Unix socket.
 *
 *   npx ts-node --transpile-only scripts/bench-rpc.ts [--creates 5000] [--clients 16]
 *     [--per-client 1000] [--latency-samples 200] [--debounce-ms 500] [--no-append]
 *
 * Measured, in one run on one machine:
 *   - creates/s and p50/p99 latency of `create` for one client (one persistent connection,
 *     sequential requests), for one client with 32 requests in flight (pipelined), and for
 *     `--clients` clients in parallel (each persistent and sequential);
 *   - floors: `ping` round trips on the same socket (transport + dispatch, one cheap query),
 *     and `store.create` in this process against a SQLite file beside it (no RPC at all);
 *   - mutation → JSONL latency through RPC: one `create` at a time, timed from just before the
 *     request is written until the JSONL on disk holds the new id (fs.watch on .beads/ plus a
 *     1 ms stat poll; the file is read only when its stat changes), with the daemon's debounce at
 *     `--debounce-ms`.
 * Targets: ≥ 5,000 creates/s (judged for one client pipelining, for --clients clients, and for
 * one sequential client, with that client's ceiling on this machine computed from the two
 * floors: a round trip plus a durable in-process create per request), p99 < 5 ms for one
 * sequential client; mutation → JSONL p99 ≤ debounce + 50 ms. Prints a Markdown section and
 * appends it to BENCHMARKS.md (unless --no-append). A
 * report, not a test: exits 0 whatever the numbers.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { RpcClient } from '../src/rpc/rpc-client';
import { socketPathFor } from '../src/rpc/socket-path';
import { BeadsStore } from '../src/store/beads-store';

const REPO = path.resolve(__dirname, '..');
const CLI = path.join(REPO, 'dist', 'cli', 'bin.js');

interface Options {
  creates: number;
  clients: number;
  perClient: number;
  latencySamples: number;
  debounceMs: number;
  append: boolean;
}

function parseOptions(argv: string[]): Options {
  const o: Options = { creates: 5000, clients: 16, perClient: 1000, latencySamples: 200, debounceMs: 500, append: true };
  const numeric: Record<string, keyof Omit<Options, 'append'>> = {
    '--creates': 'creates',
    '--clients': 'clients',
    '--per-client': 'perClient',
    '--latency-samples': 'latencySamples',
    '--debounce-ms': 'debounceMs',
  };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--no-append') {
      o.append = false;
      continue;
    }
    const key = numeric[argv[i]];
    const value = Number(argv[i + 1]);
    if (!key || !Number.isInteger(value) || value < 0) {
      throw new Error(`usage: bench-rpc.ts [--creates N] [--clients N] [--per-client N] [--latency-samples N] [--debounce-ms N] [--no-append] (bad: ${argv[i]})`);
    }
    o[key] = value;
    i++;
  }
  return o;
}

// ---- statistics ----------------------------------------------------------------------------

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

interface Row {
  what: string;
  n: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  /** CPU time the daemon process spent per operation (µs), from /proc/<pid>/stat. */
  daemonCpuUs?: number;
  target?: string;
}

function row(what: string, latencies: number[], wallMs: number, target?: string): Row {
  const s = [...latencies].sort((a, b) => a - b);
  return { what, n: s.length, perSecond: (s.length / wallMs) * 1000, p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1], target };
}

const ms = (x: number): string => (Number.isNaN(x) ? '-' : x < 10 ? x.toFixed(3) : x < 100 ? x.toFixed(2) : x.toFixed(1));

function table(rows: Row[]): string {
  const head =
    '| measurement | n | ops/s | p50 ms | p99 ms | max ms | daemon CPU µs/op | target |\n|---|---:|---:|---:|---:|---:|---:|---|';
  const body = rows.map(
    (r) =>
      `| ${r.what} | ${r.n} | ${Number.isFinite(r.perSecond) ? Math.round(r.perSecond).toLocaleString('en-US') : '-'} | ` +
      `${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} | ${r.daemonCpuUs === undefined ? '' : Math.round(r.daemonCpuUs)} | ${r.target ?? ''} |`,
  );
  return [head, ...body].join('\n');
}

/** user + system CPU of a process in µs (Linux; undefined elsewhere). */
function cpuUs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line, in clock ticks (100 per second here).
    return ((Number(fields[11]) + Number(fields[12])) / 100) * 1e6;
  } catch {
    return undefined;
  }
}

/** Runs `fn`, and sets the row's daemon CPU per operation. */
async function withCpu(pid: number, fn: () => Promise<Row>): Promise<Row> {
  const before = cpuUs(pid);
  const r = await fn();
  const after = cpuUs(pid);
  if (before !== undefined && after !== undefined) r.daemonCpuUs = (after - before) / r.n;
  return r;
}

// ---- the daemon ----------------------------------------------------------------------------

function cli(cwd: string, args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, BD_ACTOR: 'bench' }, timeout: 60_000 });
  if (r.status !== 0) throw new Error(`bd-rx ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

function newWorkspace(label: string): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `bd-rx-bench-${label}-`)));
  cli(root, ['init', '--prefix', 'b']);
  return root;
}

async function withDaemon<T>(
  root: string,
  debounceMs: number,
  fn: (socket: string, pid: number) => Promise<T>,
  extra: string[] = [],
): Promise<T> {
  cli(root, ['daemon', 'start', '--debounce-ms', String(debounceMs), ...extra]);
  try {
    const pid = Number(fs.readFileSync(path.join(root, '.beads', 'daemon.pid'), 'utf8'));
    return await fn(socketPathFor(root), pid);
  } finally {
    cli(root, ['daemon', 'stop']);
  }
}

function connect(root: string, socket: string): Promise<RpcClient> {
  return RpcClient.connect(socket, { timeoutMs: 60_000, expectedDb: path.join(root, '.beads', 'beads.db'), actor: 'bench' });
}

/** `n` sequential requests on one connection; each latency in ms. */
async function sequential(n: number, request: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await request(i);
    out.push(performance.now() - t0);
  }
  return out;
}

// ---- measurements --------------------------------------------------------------------------

async function throughput(o: Options): Promise<Row[]> {
  const root = newWorkspace('rpc');
  const rows: Row[] = [];
  try {
    await withDaemon(root, o.debounceMs, async (socket, pid) => {
      const c = await connect(root, socket);
      try {
        // Warm-up: JIT, SQLite page cache, the daemon's first exports.
        await sequential(2000, () => c.request('ping'));
        await sequential(500, (i) => c.request('create', { title: `Warm-up ${i}` }));

        rows.push(
          await withCpu(pid, async () => {
            const t0 = performance.now();
            const lat = await sequential(o.creates, () => c.request('ping'));
            return row('floor: `ping` round trip, 1 client, sequential', lat, performance.now() - t0);
          }),
        );
        rows.push(
          await withCpu(pid, async () => {
            const t0 = performance.now();
            const lat = await sequential(o.creates, (i) => c.request('create', { title: `Sequential ${i}`, priority: i % 5, labels: ['bench'] }));
            return row('`create`, 1 client, persistent connection, sequential', lat, performance.now() - t0, '≥ 5,000/s, p99 < 5 ms');
          }),
        );
        // Pipelined: a window of 32 requests in flight on the one connection.
        rows.push(
          await withCpu(pid, async () => {
            const lat: number[] = [];
            const t0 = performance.now();
            let next = 0;
            await Promise.all(
              Array.from({ length: 32 }, async () => {
                while (next < o.creates) {
                  const i = next++;
                  const s = performance.now();
                  await c.request('create', { title: `Pipelined ${i}` });
                  lat.push(performance.now() - s);
                }
              }),
            );
            return row('`create`, 1 client, 32 in flight (pipelined)', lat, performance.now() - t0, '≥ 5,000/s');
          }),
        );
      } finally {
        c.close();
      }

      const clients = await Promise.all(Array.from({ length: o.clients }, () => connect(root, socket)));
      try {
        rows.push(
          await withCpu(pid, async () => {
            const t0 = performance.now();
            const all = await Promise.all(
              clients.map((c, k) => sequential(o.perClient, (i) => c.request('create', { title: `Client ${k} ${i}` }))),
            );
            return row(`\`create\`, ${o.clients} clients in parallel, each sequential`, all.flat(), performance.now() - t0, '≥ 5,000/s');
          }),
        );
      } finally {
        for (const c of clients) c.close();
      }
    });
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }

  // The same single-client run against a daemon without a file watcher (poll mode): what the
  // watcher costs while the daemon's own SQLite writes keep changing files in .beads/.
  const pollRoot = newWorkspace('poll');
  try {
    await withDaemon(
      pollRoot,
      o.debounceMs,
      async (socket, pid) => {
        const c = await connect(pollRoot, socket);
        try {
          await sequential(500, (i) => c.request('create', { title: `Warm-up ${i}` }));
          rows.push(
            await withCpu(pid, async () => {
              const t0 = performance.now();
              const lat = await sequential(o.creates, (i) => c.request('create', { title: `Sequential ${i}`, priority: i % 5, labels: ['bench'] }));
              return row('`create`, 1 client, sequential, daemon in poll mode (no watcher)', lat, performance.now() - t0);
            }),
          );
        } finally {
          c.close();
        }
      },
      ['--mode', 'poll'],
    );
  } finally {
    fs.rmSync(pollRoot, { recursive: true, force: true });
  }

  // Floor: the same store call in this process, no socket, no daemon.
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'bd-rx-bench-store-')));
  try {
    const store = new BeadsStore(path.join(dir, 'beads.db'), { prefix: 'b' });
    for (let i = 0; i < 500; i++) store.create({ title: `Warm-up ${i}` }, 'bench');
    const lat: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < o.creates; i++) {
      const s = performance.now();
      store.create({ title: `Direct ${i}`, priority: i % 5, labels: ['bench'] }, 'bench');
      lat.push(performance.now() - s);
    }
    rows.push(row('floor: `store.create` in-process (no RPC)', lat, performance.now() - t0));
    store.dispose();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

/** Resolves when `jsonl` holds `"id":"<id>"`, checking on every fs.watch event and every 1 ms. */
function whenInJsonl(jsonl: string, id: string, timeoutMs: number): Promise<number> {
  const needle = `{"id":${JSON.stringify(id)},`;
  return new Promise((resolve, reject) => {
    let lastKey = '';
    let done = false;
    const check = (): void => {
      if (done) return;
      let st: fs.Stats;
      try {
        st = fs.statSync(jsonl);
      } catch {
        return;
      }
      const key = `${st.ino}:${st.size}:${st.mtimeMs}`;
      if (key === lastKey) return;
      lastKey = key;
      if (fs.readFileSync(jsonl, 'utf8').includes(needle)) finish();
    };
    const watcher = fs.watch(path.dirname(jsonl), check);
    const timer = setInterval(check, 1);
    const deadline = setTimeout(() => {
      cleanup();
      reject(new Error(`${id} did not reach ${jsonl} within ${timeoutMs} ms`));
    }, timeoutMs);
    const cleanup = (): void => {
      done = true;
      watcher.close();
      clearInterval(timer);
      clearTimeout(deadline);
    };
    const finish = (): void => {
      const at = performance.now();
      cleanup();
      resolve(at);
    };
    check();
  });
}

async function mutationToJsonl(o: Options): Promise<{ row: Row; exportMs: number[] }> {
  const root = newWorkspace('latency');
  const jsonl = path.join(root, '.beads', 'issues.jsonl');
  try {
    return await withDaemon(root, o.debounceMs, async (socket) => {
      const c = await connect(root, socket);
      const lat: number[] = [];
      try {
        const t0 = performance.now();
        for (let i = 0; i < o.latencySamples; i++) {
          const id = `b-lat${i}`;
          const s = performance.now();
          const seen = whenInJsonl(jsonl, id, o.debounceMs + 30_000);
          await c.request('create', { id, title: `Latency ${i}` });
          lat.push((await seen) - s);
          if (i % 50 === 49) process.stderr.write(`  mutation → JSONL: ${i + 1}/${o.latencySamples}\n`);
        }
        const wall = performance.now() - t0;
        // What the daemon itself reports for those exports (its log, written by `daemon start`).
        const log = fs.readFileSync(path.join(root, '.beads', 'daemon.log'), 'utf8');
        const exportMs = log
          .split('\n')
          .filter((l) => l.includes('"type":"export/done"'))
          .map((l) => (JSON.parse(l) as { ms: number }).ms);
        return {
          row: row(`mutation → JSONL through RPC (debounce ${o.debounceMs} ms), one at a time`, lat, wall, `p99 ≤ ${o.debounceMs + 50} ms`),
          exportMs,
        };
      } finally {
        c.close();
      }
    });
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

// ---- report --------------------------------------------------------------------------------

function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}`;
}

const load = (): string => os.loadavg().map((x) => x.toFixed(2)).join(' / ');

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const startedAt = new Date();
  const loadBefore = load();
  process.stderr.write(`bench-rpc: throughput (${o.creates} creates; ${o.clients} × ${o.perClient})…\n`);
  const rows = await throughput(o);
  process.stderr.write(`bench-rpc: mutation → JSONL (${o.latencySamples} samples, debounce ${o.debounceMs} ms)…\n`);
  const latency = await mutationToJsonl(o);
  rows.push(latency.row);
  const loadAfter = load();

  const exportSorted = [...latency.exportMs].sort((a, b) => a - b);
  const find = (prefix: string) => rows.find((r) => r.what.startsWith(prefix));
  const single = find('`create`, 1 client, persistent');
  const pipelined = find('`create`, 1 client, 32 in flight');
  const parallel = find(`\`create\`, ${o.clients} clients`);
  const ping = find('floor: `ping`');
  const inProcess = find('floor: `store.create`');
  const rate = (r: Row) => `${Math.round(r.perSecond).toLocaleString('en-US')}/s (${r.perSecond >= 5000 ? 'met' : 'MISSED'})`;
  // A sequential client waits, per create, for a round trip and a durable commit: with both
  // floors measured in this run, no daemon could serve it faster than this.
  const ceiling = ping && inProcess ? 1 / (1 / ping.perSecond + 1 / inProcess.perSecond) : NaN;
  const verdicts = [
    single &&
      pipelined &&
      parallel &&
      `creates/s, target ≥ 5,000: one client with 32 requests in flight ${rate(pipelined)}; ${o.clients} clients ${rate(parallel)}; ` +
        `one client sequential ${rate(single)}, whose ceiling on this machine is ${Math.round(ceiling).toLocaleString('en-US')}/s ` +
        '(one `ping` round trip plus one in-process `store.create` per request, both measured above)',
    single && `one client p99, target < 5 ms: sequential ${ms(single.p99)} ms (${single.p99 < 5 ? 'met' : 'MISSED'})`,
    `mutation → JSONL: p99 ${ms(latency.row.p99)} ms (target ≤ ${o.debounceMs + 50} ms: ${latency.row.p99 <= o.debounceMs + 50 ? 'met' : 'MISSED'}); the daemon's own export/done times for those exports: p50 ${ms(percentile(exportSorted, 50))} ms, p99 ${ms(percentile(exportSorted, 99))} ms, max ${ms(exportSorted[exportSorted.length - 1])} ms`,
  ].filter(Boolean);

  const section = [
    `## RPC: creates/s, latency, mutation → JSONL (scripts/bench-rpc.ts)`,
    '',
    `- Command: \`npx ts-node --transpile-only scripts/bench-rpc.ts${process.argv.slice(2).length ? ' ' + process.argv.slice(2).join(' ') : ''}\``,
    `- Date: ${startedAt.toISOString()}`,
    `- Machine: ${machine()}`,
    `- Load average (1/5/15 min): ${loadBefore} before, ${loadAfter} after`,
    `- Daemon: \`bd-rx daemon start --debounce-ms ${o.debounceMs}\` (compiled dist/, event log to .beads/daemon.log), workspace under ${os.tmpdir()}`,
    '',
    table(rows),
    '',
    ...verdicts.map((v) => `- ${v}`),
    '',
  ].join('\n');
  process.stdout.write(section + '\n');
  if (o.append) {
    const file = path.join(REPO, 'BENCHMARKS.md');
    // Others append their own sections: add ours at the end, never rewrite.
    const sep = fs.existsSync(file) && !fs.readFileSync(file, 'utf8').endsWith('\n\n') ? '\n' : '';
    fs.appendFileSync(file, (fs.existsSync(file) ? sep : '# Benchmarks\n\n') + section);
    process.stderr.write(`bench-rpc: appended to ${file}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-rpc: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
