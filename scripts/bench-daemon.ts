/**
 * Daemon benchmarks against the compiled CLI (`npm run build` first), in temp workspaces of
 * realistic size:
 *
 *   1. mutation → JSONL latency: an RPC `create` sent to a running daemon (debounce 500 ms), timed
 *      from just before the request is written to the moment the JSONL on disk holds the new
 *      issue (fs.watch on .beads/ plus a 5 ms stat poll; the file is read only when its stat
 *      changes). One mutation at a time, so each sample is one debounce + one export. Run at
 *      --issues and again at --small-issues, since a full export's cost grows with the file.
 *   2. outside change → DB latency: one line appended to the JSONL by this process, timed until
 *      the daemon logs `import/done` for it.
 *   3. idle CPU over a window, events mode and poll mode (default 5 s interval) side by side, each
 *      daemon in its own workspace, after a warm-up window (measured too: V8 runs a GC or two
 *      some 10–40 s after start, ~40–60 ms each, then nothing): the sum of
 *      /proc/<pid>/task/<tid>/schedstat (ns, every thread), and utime+stime from /proc/<pid>/stat
 *      (clock ticks, 10 ms resolution) as a cross-check.
 *   4. a storm: 10,000 appends to the JSONL within about a second from another process, and how
 *      many imports the daemon ran for it.
 *
 * Usage: npx ts-node --transpile-only scripts/bench-daemon.ts
 *          [--issues 10000] [--samples 200] [--import-samples 100] [--idle-seconds 60]
 *          [--warmup-seconds 60] [--storm 10000] [--debounce-ms 500] [--small-issues 1000]
 * Prints a Markdown section (the same text BENCHMARKS.md gets) to stdout; progress on stderr.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { RpcClient } from '../src/rpc/rpc-client';
import { socketPathFor } from '../src/rpc/socket-path';
import {
  type DaemonProcess,
  issueLine,
  readDbIssues,
  runCliOk,
  startDaemon,
} from '../spec/helpers/daemon-process';
import { whenFileHolds } from './bench-scale-watch';

interface Options {
  issues: number;
  samples: number;
  importSamples: number;
  idleSeconds: number;
  warmupSeconds: number;
  storm: number;
  debounceMs: number;
  /** A second mutation → JSONL run on a workspace this size (0: skip), to show what the export adds. */
  smallIssues: number;
}

function parseOptions(argv: string[]): Options {
  const o: Options = { issues: 10_000, samples: 200, importSamples: 100, idleSeconds: 60, warmupSeconds: 60, storm: 10_000, debounceMs: 500, smallIssues: 1000 };
  const names: Record<string, keyof Options> = {
    '--issues': 'issues',
    '--samples': 'samples',
    '--import-samples': 'importSamples',
    '--idle-seconds': 'idleSeconds',
    '--warmup-seconds': 'warmupSeconds',
    '--storm': 'storm',
    '--debounce-ms': 'debounceMs',
    '--small-issues': 'smallIssues',
  };
  for (let i = 0; i < argv.length; i += 2) {
    const key = names[argv[i]];
    const value = Number(argv[i + 1]);
    if (!key || !Number.isInteger(value) || value < 0) {
      throw new Error(`usage: bench-daemon.ts [${Object.keys(names).join(' N] [')} N]; got ${argv[i]} ${argv[i + 1]}`);
    }
    o[key] = value;
  }
  return o;
}

const log = (msg: string): void => {
  process.stderr.write(`[bench-daemon] ${msg}\n`);
};

// ---- workspace ------------------------------------------------------------------------------

/** scripts/gen-issues.ts when present (realistic shapes and sizes); otherwise plain issues. */
function generate(n: number): { text: string; how: string } {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const gen = require('./gen-issues') as { generateIssues: (n: number, seed?: number) => string };
    return { text: gen.generateIssues(n, 1), how: 'scripts/gen-issues.ts generateIssues(n, 1)' };
  } catch {
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(issueLine(`bench-${i.toString(36).padStart(5, '0')}`, { description: 'x'.repeat(400) }));
    return { text: lines.sort().join('\n') + '\n', how: 'inline generator (400-char descriptions)' };
  }
}

interface Ws {
  root: string;
  jsonlPath: string;
  dbPath: string;
}

const tempRoots: string[] = [];

function makeWorkspace(text: string): Ws {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'bd-rx-bench-')));
  tempRoots.push(root);
  fs.mkdirSync(path.join(root, '.beads'));
  const jsonlPath = path.join(root, '.beads', 'issues.jsonl');
  fs.writeFileSync(jsonlPath, text);
  runCliOk(root, ['init', '--prefix', 'bench']); // imports the file, as for a fresh clone
  return { root, jsonlPath, dbPath: path.join(root, '.beads', 'beads.db') };
}

// ---- statistics -----------------------------------------------------------------------------

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

interface Summary {
  n: number;
  p50: number;
  p99: number;
  min: number;
  max: number;
  mean: number;
}

function summarize(xs: number[]): Summary {
  const s = [...xs].sort((a, b) => a - b);
  return {
    n: s.length,
    p50: percentile(s, 50),
    p99: percentile(s, 99),
    min: s[0],
    max: s[s.length - 1],
    mean: s.reduce((a, b) => a + b, 0) / Math.max(1, s.length),
  };
}

const ms = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(0)} ms` : 'n/a');

// ---- 1. mutation → JSONL ----------------------------------------------------------------------

async function benchMutationLatency(ws: Ws, d: DaemonProcess, samples: number): Promise<{ latency: Summary; exportMs: Summary }> {
  const client = await RpcClient.connect(socketPathFor(ws.root), { expectedDb: ws.dbPath, timeoutMs: 30_000 });
  const latencies: number[] = [];
  const exportMs: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const token = `latency probe ${i} ${Math.random().toString(36).slice(2, 10)}`;
      const from = d.mark();
      // Armed before the write, so the change cannot slip past.
      const held = whenFileHolds(ws.jsonlPath, token, 30_000);
      const t0 = performance.now();
      const answer = client.request('create', { title: token });
      const seenAt = await held;
      await answer;
      latencies.push(seenAt - t0);
      const exported = await d.waitForEvent('export/done', 30_000, from);
      if (exported.type === 'export/done') exportMs.push(exported.ms);
      if ((i + 1) % 25 === 0) log(`mutation → JSONL: ${i + 1}/${samples}, last ${ms(seenAt - t0)}`);
    }
  } finally {
    client.close();
  }
  return { latency: summarize(latencies), exportMs: summarize(exportMs) };
}

// ---- 2. outside change → DB ------------------------------------------------------------------

async function benchImportLatency(ws: Ws, d: DaemonProcess, samples: number): Promise<{ latency: Summary; importMs: Summary }> {
  const latencies: number[] = [];
  const importMs: number[] = [];
  // Let the own-write check after the last export pass first (an import writes no file, so
  // later rounds leave nothing behind).
  await d.waitForQuiet((e) => e.type.startsWith('import/') || e.type.startsWith('export/'), 1000, 30_000);
  for (let i = 0; i < samples; i++) {
    const from = d.mark();
    const t0 = performance.now();
    fs.appendFileSync(ws.jsonlPath, issueLine(`bench-zz-imp-${i}`) + '\n');
    const done = await d.waitForEvent('import/done', 30_000, from);
    latencies.push(performance.now() - t0);
    if (done.type === 'import/done') importMs.push(done.ms);
    if ((i + 1) % 25 === 0) log(`outside change → DB: ${i + 1}/${samples}`);
  }
  return { latency: summarize(latencies), importMs: summarize(importMs) };
}

// ---- 3. idle CPU -------------------------------------------------------------------------------

const CLK_TCK = 100; // USER_HZ: 100 on every mainstream Linux

interface CpuSample {
  ticks: number;
  ns: number;
}

function cpuOf(pid: number): CpuSample {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // comm may hold spaces: fields are counted after the closing parenthesis (field 3 = state).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime (14), stime (15)
  let ns = 0;
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended between readdir and read
    }
  }
  return { ticks, ns };
}

interface IdleResult {
  cpuMsPerMinStat: number;
  cpuMsPerMinSched: number;
  events: number;
}

/** CPU of each daemon over the next `seconds`, per minute. */
async function idleWindow(daemons: DaemonProcess[], seconds: number): Promise<IdleResult[]> {
  const before = daemons.map((d) => ({ cpu: cpuOf(d.pid), events: d.events.length }));
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const minutes = (performance.now() - t0) / 60_000;
  return daemons.map((d, i) => {
    const after = cpuOf(d.pid);
    return {
      cpuMsPerMinStat: ((after.ticks - before[i].cpu.ticks) * 1000) / CLK_TCK / minutes,
      cpuMsPerMinSched: (after.ns - before[i].cpu.ns) / 1e6 / minutes,
      events: d.events.length - before[i].events,
    };
  });
}

// ---- 4. storm ------------------------------------------------------------------------------------

async function benchStorm(
  ws: Ws,
  d: DaemonProcess,
  n: number,
  quietMs: number,
): Promise<{ appendMs: number; imports: number; importDone: number; created: number; fsChanged: number; dbCount: number }> {
  const source = path.join(path.dirname(ws.root), `${path.basename(ws.root)}-storm.txt`);
  tempRoots.push(source);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(issueLine(`bench-zz-storm-${String(i).padStart(5, '0')}`));
  fs.writeFileSync(source, lines.join('\n') + '\n');
  await d.waitForQuiet((e) => e.type.startsWith('import/') || e.type.startsWith('export/'), 1000, 60_000);
  const from = d.mark();
  // Paced to spread the appends over one second, each a separate write(2) from another process.
  const script = `
    const fs = require('fs');
    const [file, src] = process.argv.slice(1);
    const lines = fs.readFileSync(src, 'utf8').split('\\n').filter(Boolean);
    const step = 1e9 / lines.length;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < lines.length; i++) {
      while (Number(process.hrtime.bigint() - t0) < i * step) {}
      fs.appendFileSync(file, lines[i] + '\\n');
    }
    process.stdout.write(String(Number(process.hrtime.bigint() - t0) / 1e6));`;
  const child = spawn(process.execPath, ['-e', script, ws.jsonlPath, source], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  await new Promise((r) => child.on('close', r));
  await d.waitForEvent('import/done', 60_000, from);
  await d.waitForQuiet((e) => e.type.startsWith('import/'), quietMs, 120_000);
  const imports = d.all((e) => e.type.startsWith('import/'), from);
  const done = imports.filter((e) => e.type === 'import/done');
  return {
    appendMs: Number(out),
    imports: imports.length,
    importDone: done.length,
    created: done.reduce((a, e) => a + (e.type === 'import/done' ? e.created : 0), 0),
    fsChanged: d.count('fs/changed', from),
    dbCount: readDbIssues(ws.dbPath).length,
  };
}

/** The commit dist/ was presumably built from (the command rebuilds first), and whether src/ differs. */
function codeVersion(): string {
  const git = (args: string[]): string =>
    spawnSync('git', args, { cwd: path.resolve(__dirname, '..'), encoding: 'utf8' }).stdout?.trim() ?? '';
  const head = git(['rev-parse', '--short', 'HEAD']) || 'unknown';
  return git(['status', '--porcelain', '--', 'src']) ? `${head} + uncommitted changes in src/` : head;
}

// ---- main ------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const load0 = os.loadavg();
  const started = new Date();
  const daemons: DaemonProcess[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(daemons.map((d) => d.stop('SIGTERM').catch(() => d.kill())));
  };
  try {
    log(`generating ${o.issues} issues`);
    const { text, how } = generate(o.issues);
    let t = performance.now();
    const wsA = makeWorkspace(text);
    const wsB = makeWorkspace(text);
    log(`two workspaces of ${o.issues} issues (${(text.length / 1e6).toFixed(1)} MB each) in ${ms(performance.now() - t)}`);

    const args = ['--debounce-ms', String(o.debounceMs)];
    const events = startDaemon({ cwd: wsA.root, args });
    daemons.push(events);
    await events.waitUntilWatching(120_000);

    // 3 first, while both workspaces are fresh: the idle window sees no earlier work.
    const poll = startDaemon({ cwd: wsB.root, args: [...args, '--mode', 'poll'] });
    daemons.push(poll);
    await poll.waitForEvent('mode/poll', 60_000);
    await poll.waitForEvent('import/skipped', 60_000, poll.mark()); // the first tick has run
    // The first seconds after start-up still hold V8's own after-start work (GC, heap
    // shrinking): measured apart, so the idle window shows the steady state.
    log(`idle CPU: ${o.warmupSeconds} s warm-up, then ${o.idleSeconds} s, events and poll daemons side by side`);
    const [warmEvents, warmPoll] = await idleWindow([events, poll], o.warmupSeconds);
    const [idleEvents, idlePoll] = await idleWindow([events, poll], o.idleSeconds);
    await poll.stop('SIGTERM');

    log(`mutation → JSONL: ${o.samples} RPC creates`);
    t = performance.now();
    const mutation = await benchMutationLatency(wsA, events, o.samples);
    log(`done in ${ms(performance.now() - t)}`);

    let small: { latency: Summary; exportMs: Summary } | undefined;
    if (o.smallIssues > 0) {
      log(`mutation → JSONL at ${o.smallIssues} issues: ${o.samples} RPC creates`);
      const wsS = makeWorkspace(generate(o.smallIssues).text);
      const smallDaemon = startDaemon({ cwd: wsS.root, args });
      daemons.push(smallDaemon);
      await smallDaemon.waitUntilWatching(60_000);
      small = await benchMutationLatency(wsS, smallDaemon, o.samples);
      await smallDaemon.stop('SIGTERM');
    }

    log(`outside change → DB: ${o.importSamples} appends`);
    const imported = await benchImportLatency(wsA, events, o.importSamples);

    log(`storm: ${o.storm} appends in ~1 s`);
    const storm = await benchStorm(wsA, events, o.storm, o.debounceMs + 2000 + 1000);
    const stormDb = readDbIssues(wsA.dbPath).length;

    await stopAll();
    const load1 = os.loadavg();

    const cpus = os.cpus();
    const ratio = idleEvents.cpuMsPerMinSched / idlePoll.cpuMsPerMinSched;
    const target = o.debounceMs + 50;
    const rows: string[][] = [
      ['Measure', 'Result', 'Target', 'Met'],
      [
        `RPC create → JSONL holds it (debounce ${o.debounceMs} ms, ${o.issues} issues, n=${mutation.latency.n})`,
        `p50 ${ms(mutation.latency.p50)}, p99 ${ms(mutation.latency.p99)} (min ${ms(mutation.latency.min)}, max ${ms(mutation.latency.max)})`,
        `p99 ≤ ${target} ms`,
        mutation.latency.p99 <= target ? 'yes' : 'no',
      ],
      [
        '… of which the export itself (export/done ms)',
        `p50 ${ms(mutation.exportMs.p50)}, p99 ${ms(mutation.exportMs.p99)}`,
        '',
        '',
      ],
      ...(small
        ? [
            [
              `RPC create → JSONL holds it (debounce ${o.debounceMs} ms, ${o.smallIssues} issues, n=${small.latency.n})`,
              `p50 ${ms(small.latency.p50)}, p99 ${ms(small.latency.p99)} (min ${ms(small.latency.min)}, max ${ms(small.latency.max)}); export p50 ${ms(small.exportMs.p50)}, p99 ${ms(small.exportMs.p99)}`,
              `p99 ≤ ${target} ms`,
              small.latency.p99 <= target ? 'yes' : 'no',
            ],
          ]
        : []),
      [
        `Outside append → import/done logged (${o.issues} issues, n=${imported.latency.n})`,
        `p50 ${ms(imported.latency.p50)}, p99 ${ms(imported.latency.p99)} (import itself p50 ${ms(imported.importMs.p50)})`,
        '',
        '',
      ],
      [
        `CPU in the first ${o.warmupSeconds} s after start-up, events / poll`,
        `${warmEvents.cpuMsPerMinSched.toFixed(1)} / ${warmPoll.cpuMsPerMinSched.toFixed(1)} CPU-ms/min`,
        '',
        '',
      ],
      [
        `Idle CPU, events mode (next ${o.idleSeconds} s)`,
        `${idleEvents.cpuMsPerMinSched.toFixed(1)} CPU-ms/min (stat ticks: ${idleEvents.cpuMsPerMinStat.toFixed(0)}), ${idleEvents.events} events logged`,
        '≤ 1/20 of poll',
        ratio <= 1 / 20 ? 'yes' : 'no',
      ],
      [
        `Idle CPU, poll mode, 5 s interval (next ${o.idleSeconds} s)`,
        `${idlePoll.cpuMsPerMinSched.toFixed(1)} CPU-ms/min, ≈ ${(idlePoll.cpuMsPerMinSched / 12).toFixed(1)} ms per tick (stat ticks: ${idlePoll.cpuMsPerMinStat.toFixed(0)}), ${idlePoll.events} events logged`,
        '',
        '',
      ],
      [
        'Idle CPU ratio events / poll',
        ratio === 0
          ? '0 (the events daemon was not scheduled once in the window)'
          : ratio < 1
            ? `${ratio.toFixed(4)} (1/${(1 / ratio).toFixed(0)})`
            : `${ratio.toFixed(2)} (events used more)`,
        '≤ 0.05',
        ratio <= 0.05 ? 'yes' : 'no',
      ],
      [
        `${o.storm} appends by another process (took ${ms(storm.appendMs)})`,
        `${storm.importDone} import/done (${storm.imports} import events, ${storm.fsChanged} fs/changed), created ${storm.created}; DB ${stormDb} issues`,
        'few imports, none lost',
        storm.created === o.storm ? 'yes' : 'no',
      ],
    ];
    const table = rows.map((r, i) => `| ${r.join(' | ')} |${i === 0 ? `\n|${r.map(() => '---').join('|')}|` : ''}`).join('\n');
    const section = [
      `## Daemon: latency, idle CPU, event storm (scripts/bench-daemon.ts)`,
      '',
      `- Command: \`npm run build && npx ts-node --transpile-only scripts/bench-daemon.ts${process.argv.length > 2 ? ' ' + process.argv.slice(2).join(' ') : ''}\``,
      `- Date: ${started.toISOString()}; code: ${codeVersion()}`,
      `- Machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Linux ${os.release()}, node ${process.version}`,
      `- Load average (1/5/15 min): ${load0.map((x) => x.toFixed(2)).join(' / ')} at start, ${load1.map((x) => x.toFixed(2)).join(' / ')} at end`,
      `- Workspaces: ${o.issues} issues, ${(text.length / 1e6).toFixed(1)} MB JSONL, from ${how}; daemon defaults except --debounce-ms ${o.debounceMs} (max wait 2000 ms)`,
      '',
      table,
      '',
    ].join('\n');
    process.stdout.write(section + '\n');
  } finally {
    await stopAll();
    for (const p of tempRoots) fs.rmSync(p, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
