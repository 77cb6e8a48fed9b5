/**
 * Git sync benchmark (issue 11's last acceptance item), against the compiled CLI (`npm run
 * build` first), with real git, a bare remote in a temp dir and a daemon per clone:
 *
 *   1. create on A → visible on B: an RPC `create` on A's daemon, timed until B's daemon
 *      answers `show` for it (polled every 10 ms); --samples samples, each after a random pause
 *      of up to one interval so the samples do not ride B's tick. Floor, measured in the same
 *      run: the debounce + the git round trip done by hand (commit, push on A; fetch, merge on
 *      B) + half an interval (B's mean wait for its next tick).
 *   2. N clones (--clones 3,5,10), a daemon each, each creating --per-clone issues at once
 *      (pipelined on one connection): the time until every clone's JSONL is byte-identical and
 *      holds all of them, the pushes rejected (each retried), the pushes that went through,
 *      the commits and merge commits on the remote. Floor: N × one push cycle done by hand
 *      (commit, fetch, push: the remote takes one push at a time) + one fetch and merge (the
 *      last clone to hear) + the debounce. How each figure grows from the smallest N to the
 *      largest is fitted as a power law (y = a·N^b, least squares in log space) and
 *      projected to 20 and 50 clones.
 *   1b. the same at B's worst phase (--worst-samples): each create sent right after B's tick
 *      reported, so A's push lands after B looked and B needs its next tick: what
 *      spec/git/daemon-git-latency.spec.ts judges against the promise.
 *   1c. what the remote ticks cost (--idle-s, 0 to skip): one daemon with a remote, idle for
 *      that long, its git runs per minute and CPU (its own and its git children's, from
 *      /proc/<pid>/stat) per minute; the interval is a staleness bound, so the ticks come the
 *      interval less a pull (src/pipeline/git-leads.ts): what that period is at 30 s is
 *      computed from the idle runs' cost measured here.
 *   3. The merge of two 10k-issue sides with 100 changes each against reading and parsing the
 *      three files: scripts/bench-git-merge.ts's table (`--merge-sizes`, 0 to skip).
 *
 * Usage: npx ts-node --transpile-only scripts/bench-git.ts
 *          [--samples 20] [--interval-ms 1000] [--debounce-ms 100] [--clones 3,5,10]
 *          [--per-clone 20] [--merge-sizes 10000] [--merge-runs 5] [--worst-samples 10] [--idle-s 20]
 * Prints a Markdown section to stdout (what BENCHMARKS.md gets), progress on stderr. A report,
 * not a test: exits 0 whatever the numbers, unless a run does not converge.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { RpcClient } from '../src/rpc/rpc-client';
import { type DaemonProcess, startDaemon } from '../spec/helpers/daemon-process';
import { connect, jsonlIds, jsonlOf, sameJsonl, workspaceClones } from '../spec/git/git-clones';
import { GIT_TEST_ENV, gitOk, makeGitSandbox, type GitSandbox } from '../spec/git/git-repos';
import { gitFloors } from '../spec/git/git-floors';
import { runMergeBench } from './bench-git-merge';
import { fetchPeriodFor, NO_GIT_COSTS, withCost } from '../src/pipeline/git-leads';

interface Options {
  samples: number;
  intervalMs: number;
  debounceMs: number;
  clones: number[];
  perClone: number;
  mergeSizes: number[];
  mergeRuns: number;
  worstSamples: number;
  idleS: number;
}

function parseOptions(argv: string[]): Options {
  const o: Options = { samples: 20, intervalMs: 1000, debounceMs: 100, clones: [3, 5, 10], perClone: 20, mergeSizes: [10_000], mergeRuns: 5, worstSamples: 10, idleS: 20 };
  const list = (v: string) => v.split(',').map(Number).filter((n) => n > 0);
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, v] = [argv[i], argv[i + 1] ?? ''];
    if (flag === '--samples') o.samples = Number(v);
    else if (flag === '--interval-ms') o.intervalMs = Number(v);
    else if (flag === '--debounce-ms') o.debounceMs = Number(v);
    else if (flag === '--clones') o.clones = list(v);
    else if (flag === '--per-clone') o.perClone = Number(v);
    else if (flag === '--merge-sizes') o.mergeSizes = list(v);
    else if (flag === '--merge-runs') o.mergeRuns = Number(v);
    else if (flag === '--worst-samples') o.worstSamples = Number(v);
    else if (flag === '--idle-s') o.idleS = Number(v);
    else throw new Error(`bench-git: unknown option ${flag}; see the usage at the top of scripts/bench-git.ts`);
  }
  return o;
}

const log = (msg: string): void => void process.stderr.write(`[bench-git] ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ms = (x: number) => `${Math.round(x).toLocaleString('en')} ms`;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Polls `probe` every `everyMs` until it is true; fails after `timeoutMs`. */
async function until(probe: () => boolean | Promise<boolean>, timeoutMs: number, what: string, everyMs = 10): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`bench-git: ${what} did not happen within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

function syncArgs(o: Options): string[] {
  return ['--auto-sync', '--remote-sync-interval', `${o.intervalMs}ms`, '--debounce-ms', String(o.debounceMs), '--max-wait-ms', String(Math.max(4 * o.debounceMs, 400)), '--log-format', 'json'];
}

async function startAll(dirs: string[], o: Options): Promise<DaemonProcess[]> {
  const ds = dirs.map((cwd) => startDaemon({ cwd, args: syncArgs(o), env: GIT_TEST_ENV }));
  await Promise.all(ds.map((d) => d.waitUntilWatching(60_000)));
  return ds;
}

async function stopAll(ds: DaemonProcess[]): Promise<void> {
  await Promise.all(ds.map((d) => d.stop('SIGTERM', 30_000).catch(() => d.kill())));
}

// ---- 1. create on A → visible on B ----------------------------------------------------------

async function visible(client: RpcClient, id: string): Promise<boolean> {
  try {
    await client.request('show', { id });
    return true;
  } catch {
    return false;
  }
}

/** Where one sample's time went, from the daemons' own event timestamps (ms, wall clock). */
interface Trace {
  /** Create sent → A's export/done: the debounce and the export. */
  exported: number;
  /** → A's git/pushed: commit, fetch, push. */
  pushed: number;
  /** → B's git/pulled: the wait for B's next tick, then fetch, merge, import. */
  pulled: number;
}

const traces: Trace[] = [];

async function latency(o: Options, samples: number, phase: 'random' | 'worst'): Promise<number[]> {
  const s = makeGitSandbox('bench-git-latency');
  let ds: DaemonProcess[] = [];
  const clients: RpcClient[] = [];
  try {
    const [a, b] = workspaceClones(s, ['b']);
    ds = await startAll([a, b], o);
    clients.push(await connect(a, 'bench-a'), await connect(b, 'bench-b'));
    const out: number[] = [];
    for (let i = 0; i < samples; i++) {
      if (phase === 'random') await sleep(Math.random() * o.intervalMs);
      // Right after B's tick reported: A's push lands after B looked.
      else await ds[1].waitForEvent((e) => e.type.startsWith('git/'), 10_000, ds[1].mark());
      const marks = ds.map((d) => d.mark());
      const wall0 = Date.now();
      const t0 = performance.now();
      const { id } = (await clients[0].request('create', { title: `latency ${i}` })) as { id: string };
      await until(() => visible(clients[1], id), 60_000, `${id} visible on B`);
      out.push(performance.now() - t0);
      const at = (d: DaemonProcess, mark: number, type: string) => Date.parse(d.all((e) => e.type === type, mark)[0]?.ts ?? '') - wall0;
      const [exported, pushed, pulled] = [at(ds[0], marks[0], 'export/done'), at(ds[0], marks[0], 'git/pushed'), at(ds[1], marks[1], 'git/pulled')];
      if (phase === 'random' && [exported, pushed, pulled].every(Number.isFinite)) traces.push({ exported, pushed: pushed - exported, pulled: pulled - pushed });
      log(`latency sample (${phase} phase) ${i + 1}/${samples}: ${ms(out[out.length - 1])}`);
    }
    return out.sort((x, y) => x - y);
  } finally {
    for (const c of clients) c.close();
    await stopAll(ds);
    s.dispose();
  }
}

// ---- 1c. what the remote ticks cost -------------------------------------------------------

interface IdleRun {
  seconds: number;
  gitRuns: number;
  cpuMs: number;
  /** The idle runs' own cost (`run_ms` of their git/skipped), median. */
  runMs: number;
}

/** utime + stime of the process and of its reaped children (its git processes), in ms. */
function cpuMsOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14-17 of stat(5), counted from the state (field 3) here: utime, stime, cutime, cstime.
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  return (ticks * 1000) / CLOCK_TICKS;
}
/** sysconf(_SC_CLK_TCK): 100 on Linux. */
const CLOCK_TICKS = 100;

async function idleTicks(o: Options): Promise<IdleRun> {
  const s = makeGitSandbox('bench-git-idle');
  let ds: DaemonProcess[] = [];
  try {
    const [a] = workspaceClones(s, []);
    ds = await startAll([a], o);
    // Past the start-up runs.
    await sleep(2 * o.intervalMs);
    const mark = ds[0].mark();
    const cpu0 = cpuMsOf(ds[0].pid);
    const t0 = performance.now();
    await sleep(o.idleS * 1000);
    const cpuMs = cpuMsOf(ds[0].pid) - cpu0;
    const seconds = (performance.now() - t0) / 1000;
    const runs = ds[0].all((e) => e.type.startsWith('git/'), mark);
    const costs = runs.map((e) => (e as { run_ms?: number }).run_ms).filter((x): x is number => typeof x === 'number').sort((x, y) => x - y);
    return { seconds, gitRuns: runs.length, cpuMs, runMs: costs.length > 0 ? quantile(costs, 0.5) : NaN };
  } finally {
    await stopAll(ds);
    s.dispose();
  }
}

// ---- 2. N clones converging -----------------------------------------------------------------

interface ConvergeRun {
  clones: number;
  convergeMs: number;
  rejected: number;
  pushed: number;
  remoteCommits: number;
  mergeCommits: number;
  failed: number;
}

async function converge(n: number, o: Options): Promise<ConvergeRun> {
  const s: GitSandbox = makeGitSandbox(`bench-git-n${n}`);
  let ds: DaemonProcess[] = [];
  try {
    const dirs = workspaceClones(s, Array.from({ length: n - 1 }, (_, i) => `c${i + 2}`));
    const before = Number(gitOk(s.remote, ['rev-list', '--count', 'main']).trim());
    ds = await startAll(dirs, o);
    const clients = await Promise.all(dirs.map((d, i) => connect(d, `bench-${i}`)));
    const marks = ds.map((d) => d.mark());
    const t0 = performance.now();
    // At once: every clone's creates go out together, pipelined on its connection.
    const made = (
      await Promise.all(clients.map((c, i) => Promise.all(Array.from({ length: o.perClone }, (_, k) => c.request('create', { title: `clone ${i} #${k}` }) as Promise<{ id: string }>))))
    )
      .flat()
      .map((r) => r.id);
    for (const c of clients) c.close();
    await until(() => sameJsonl(dirs, (records) => made.every((id) => records.has(id))), 600_000, `${n} clones converging`, 50);
    const convergeMs = performance.now() - t0;
    const ids = jsonlIds(jsonlOf(dirs[0]));
    if (new Set(ids).size !== ids.length || ids.length !== made.length) throw new Error(`bench-git: ${n} clones converged on ${ids.length} lines for ${made.length} issues`);
    const count = (type: string) => ds.reduce((sum, d, i) => sum + d.count((e) => e.type === type, marks[i]), 0);
    return {
      clones: n,
      convergeMs,
      rejected: count('git/rejected'),
      pushed: count('git/pushed'),
      remoteCommits: Number(gitOk(s.remote, ['rev-list', '--count', 'main']).trim()) - before,
      mergeCommits: Number(gitOk(s.remote, ['rev-list', '--count', '--merges', 'main']).trim()),
      failed: count('git/failed'),
    };
  } finally {
    await stopAll(ds);
    s.dispose();
  }
}

/** y = a·N^b through the points (least squares on log y = log a + b log N). */
function powerFit(points: Array<[number, number]>): { a: number; b: number } {
  const pts = points.filter(([, y]) => y > 0).map(([x, y]) => [Math.log(x), Math.log(y)]);
  if (pts.length < 2) return { a: points[0]?.[1] ?? 0, b: 0 };
  const mx = pts.reduce((s, [x]) => s + x, 0) / pts.length;
  const my = pts.reduce((s, [, y]) => s + y, 0) / pts.length;
  const sxx = pts.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const sxy = pts.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const b = sxx === 0 ? 0 : sxy / sxx;
  return { a: Math.exp(my - b * mx), b };
}

// ---- report ---------------------------------------------------------------------------------

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const started = new Date().toISOString();
  const load0 = os.loadavg();
  log('floors: the git work by hand');
  const floors = gitFloors();
  log(`round trip ${ms(floors.roundTripMs)}, push cycle ${ms(floors.pushCycleMs)}`);
  const lat = await latency(o, o.samples, 'random');
  const worstPhase = o.worstSamples > 0 ? await latency(o, o.worstSamples, 'worst') : [];
  const idle = o.idleS > 0 ? await idleTicks(o) : null;
  const runs: ConvergeRun[] = [];
  for (const n of o.clones) {
    log(`${n} clones × ${o.perClone} issues`);
    runs.push(await converge(n, o));
    log(`${n} clones: ${ms(runs[runs.length - 1].convergeMs)}`);
  }
  const out: string[] = [];
  const p = (line = '') => out.push(line);
  p(`bench-git — ${started}`);
  p(`node ${process.version}, ${os.cpus().length} cpus, load ${load0.map((l) => l.toFixed(2)).join(' ')} at the start, ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at the end`);
  p(`daemons: --auto-sync --remote-sync-interval ${o.intervalMs}ms --debounce-ms ${o.debounceMs}; git by hand: round trip (A commit+push, B fetch+merge) ${ms(floors.roundTripMs)}, push cycle (commit+fetch+push) ${ms(floors.pushCycleMs)}`);
  p('');
  const promise = o.intervalMs + 2 * o.debounceMs;
  const latFloor = o.debounceMs + floors.roundTripMs + o.intervalMs / 2;
  if (lat.length > 0) {
    p(`Create on A → visible on B (${lat.length} samples; floor = debounce + git round trip by hand + interval/2 = ${ms(latFloor)}):`);
    p('');
    p('| p50 | p90 | p99 | max | p50 / floor | p99 / floor | promise (interval + 2 × debounce) |');
    p('|---|---|---|---|---|---|---|');
    const [p50, p90, p99] = [0.5, 0.9, 0.99].map((q) => quantile(lat, q));
    p(`| ${ms(p50)} | ${ms(p90)} | ${ms(p99)} | ${ms(lat[lat.length - 1])} | ${(p50 / latFloor).toFixed(2)}× | ${(p99 / latFloor).toFixed(2)}× | ${ms(promise)} |`);
  }
  if (worstPhase.length > 0) {
    p('');
    p(`At B's worst phase (${worstPhase.length} samples, each create right after B's tick; the promise holds for every create or not at all):`);
    p('');
    p('| p50 | max | max / promise | over the promise |');
    p('|---|---|---|---|');
    const max = worstPhase[worstPhase.length - 1];
    p(`| ${ms(quantile(worstPhase, 0.5))} | ${ms(max)} | ${(max / promise).toFixed(2)}× | ${worstPhase.filter((x) => x > promise).length} of ${worstPhase.length} |`);
  }
  if (idle) {
    const perMin = (x: number) => (x * 60) / idle.seconds;
    const at30 = Number.isFinite(idle.runMs) ? fetchPeriodFor(withCost(NO_GIT_COSTS, { kind: 'fetch', ms: idle.runMs }), 30_000) : NaN;
    p('');
    p(`What the remote ticks cost (one daemon, idle for ${idle.seconds.toFixed(0)} s at a ${o.intervalMs} ms interval):`);
    p('');
    p('| git runs / min | at a fixed period | CPU ms / min (daemon + git children) | CPU ms per run | idle run (median run_ms) | period at the default 30 s (from that run) |');
    p('|---|---|---|---|---|---|');
    p(`| ${perMin(idle.gitRuns).toFixed(1)} | ${(60_000 / o.intervalMs).toFixed(1)} | ${perMin(idle.cpuMs).toFixed(0)} | ${(idle.cpuMs / Math.max(1, idle.gitRuns)).toFixed(1)} | ${ms(idle.runMs)} | ${ms(at30)} (${((30_000 / at30 - 1) * 100).toFixed(2)} % more fetches) |`);
  }
  if (traces.length > 0) {
    const med = (get: (t: Trace) => number) => ms(quantile(traces.map(get).sort((x, y) => x - y), 0.5));
    const worst = (get: (t: Trace) => number) => ms(Math.max(...traces.map(get)));
    p('');
    p(`Where it went (median / max over ${traces.length} samples, from the daemons' event timestamps):`);
    p('');
    p('| create → A export/done (debounce + export) | → A git/pushed (commit, fetch, push) | → B git/pulled (wait for B\'s tick, fetch, rev-list, merge, import) |');
    p('|---|---|---|');
    p(`| ${med((t) => t.exported)} / ${worst((t) => t.exported)} | ${med((t) => t.pushed)} / ${worst((t) => t.pushed)} | ${med((t) => t.pulled)} / ${worst((t) => t.pulled)} |`);
  }
  if (runs.length > 0) {
    p('');
    p(`N clones, a daemon each, each creating ${o.perClone} issues at once (floor = N × push cycle + round trip + debounce):`);
    p('');
    p('| clones | issues | converged after | floor | ratio | pushes rejected (each retried) | pushes | commits on the remote | of them merges | git/failed |');
    p('|---|---|---|---|---|---|---|---|---|---|');
    const floorOf = (n: number) => n * floors.pushCycleMs + floors.roundTripMs + o.debounceMs;
    for (const r of runs) {
      p(`| ${r.clones} | ${r.clones * o.perClone} | ${ms(r.convergeMs)} | ${ms(floorOf(r.clones))} | ${(r.convergeMs / floorOf(r.clones)).toFixed(2)}× | ${r.rejected} | ${r.pushed} | ${r.remoteCommits} | ${r.mergeCommits} | ${r.failed} |`);
    }
  }
  if (runs.length >= 2) {
    p('');
    p(`Growth from ${runs[0].clones} to ${runs[runs.length - 1].clones} clones (y = a·N^b fitted) and what it projects:`);
    p('');
    p('| figure | b | 20 clones | 50 clones |');
    p('|---|---|---|---|');
    const rows: Array<[string, (r: ConvergeRun) => number, (v: number) => string]> = [
      ['converged after', (r) => r.convergeMs, ms],
      ['pushes rejected', (r) => r.rejected, (v) => v.toFixed(0)],
      ['pushes', (r) => r.pushed, (v) => v.toFixed(0)],
      ['commits on the remote', (r) => r.remoteCommits, (v) => v.toFixed(0)],
    ];
    for (const [name, get, fmt] of rows) {
      const { a, b } = powerFit(runs.map((r) => [r.clones, get(r)]));
      p(`| ${name} | ${b.toFixed(2)} | ${fmt(a * 20 ** b)} | ${fmt(a * 50 ** b)} |`);
    }
  }
  if (o.mergeSizes.length > 0) {
    p('');
    p(`Merge of two sides with 100 changes each against reading and parsing the three files (scripts/bench-git-merge.ts):`);
    p('');
    runMergeBench({ sizes: o.mergeSizes, changes: 100, runs: o.mergeRuns }, p);
  }
  process.stdout.write(out.join('\n') + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
