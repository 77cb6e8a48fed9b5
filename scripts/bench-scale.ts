/**
 * Issue 13's targets at scale (default 100k issues), each printed beside the floor it is judged
 * against, measured in the same run, and a verdict. Runs the compiled CLI (`npm run build`
 * first) in direct mode and a real daemon, in temp workspaces.
 *
 *   npx ts-node --transpile-only scripts/bench-scale.ts [--issues 100k] [--small 1k] [--runs 3]
 *       [--samples 40] [--writes 200] [--edits 10] [--debounce-ms 500] [--no-daemon] [--keep]
 *       [--cases import,list,ready,show,update,edit,daemon] [--daemon-only] [--daemon-profile DIR]
 *
 * Sizes take k / M suffixes (10k, 100k, 1M). Floors: CLI commands against the same work done
 * by a fresh `node -e` (process start included on both sides); the daemon against the same
 * work done in this process. Cases:
 *   - `import -i FILE` into an empty workspace, end to end, and its peak RSS (VmHWM);
 *   - `list --json --limit 20`, `ready --json --limit 20`, `show ID --json` at --issues and --small;
 *   - direct-mode `update` of one issue (DB + JSONL), and its peak RSS;
 *   - an outside edit of --edits lines, imported by the next direct `list`;
 *   - a daemon: RSS idle, mutation → JSONL p50/p99 over --samples RPC creates, RSS after
 *     --writes writes in all, and the same outside edit seen by the daemon (import/done ms).
 * `--cases` runs only those (the import always runs: it makes the workspace the others use), e.g.
 * `--issues 1M --runs 1 --cases import,ready,daemon --samples 10 --writes 10` for the 1M run; each
 * row then also gives the command's peak RSS.
 * `--daemon-profile DIR` runs the daemon under `node --cpu-prof` (a .cpuprofile in DIR when it
 * stops), to see what its main thread did around the slowest samples, which the progress names.
 * Progress goes to stderr, the report (Markdown) to stdout. A report, not a test: exits 0
 * whatever the figures. The machine may be shared: the load average is printed at both ends.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RpcClient } from '../src/rpc/rpc-client';
import { socketPathFor } from '../src/rpc/socket-path';
import { CLI_BIN, cleanEnv, startDaemon, type DaemonProcess } from '../spec/helpers/daemon-process';
import {
  childFloor, editLines, median, memoryOf, readAndHash, readAndParse, timeMedian, writeAndFsync, writeIssues,
} from './bench-scale-data';
import { whenFileHolds } from './bench-scale-watch';

interface Options {
  issues: number;
  small: number;
  runs: number;
  samples: number;
  writes: number;
  edits: number;
  debounceMs: number;
  daemon: boolean;
  /** Only the daemon cases (and the import that makes their workspace). */
  daemonOnly: boolean;
  keep: boolean;
  cases: Set<string>;
  /** A directory for a V8 CPU profile of the daemon (`--cpu-prof`), written when it stops. */
  daemonProfile?: string;
}

const CASES = ['import', 'list', 'ready', 'show', 'update', 'edit', 'daemon'];

function size(v: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(v);
  if (!m) throw new Error(`not a size: ${v} (use e.g. 10000, 100k, 1M)`);
  return Math.round(Number(m[1]) * (m[2] === '' ? 1 : /k/i.test(m[2]) ? 1e3 : 1e6));
}

function parseOptions(argv: string[]): Options {
  const o: Options = { issues: 100_000, small: 1000, runs: 3, samples: 40, writes: 200, edits: 10, debounceMs: 500, daemon: true, daemonOnly: false, keep: false, cases: new Set(CASES) };
  const numeric: Record<string, keyof Options> = {
    '--issues': 'issues', '--small': 'small', '--runs': 'runs', '--samples': 'samples',
    '--writes': 'writes', '--edits': 'edits', '--debounce-ms': 'debounceMs',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--no-daemon') o.daemon = false;
    else if (a === '--daemon-only') {
      // Short for `--cases daemon`, with the import run once and not judged.
      o.daemonOnly = true;
      o.cases = new Set(['import', 'daemon']);
    }
    else if (a === '--keep') o.keep = true;
    else if (a === '--daemon-profile' && argv[i + 1] !== undefined) o.daemonProfile = path.resolve(argv[++i]);
    else if (a === '--cases' && argv[i + 1] !== undefined) {
      o.cases = new Set(['import', ...argv[++i].split(',')]);
      const unknown = [...o.cases].filter((c) => !CASES.includes(c));
      if (unknown.length) throw new Error(`unknown case ${unknown.join(', ')}: the cases are ${CASES.join(', ')}`);
    }
    else if (numeric[a] && argv[i + 1] !== undefined) (o[numeric[a]] as number) = size(argv[++i]);
    else throw new Error(`unknown argument ${a}: see the usage at the top of scripts/bench-scale.ts`);
  }
  if (o.daemonOnly && !o.daemon) throw new Error('--daemon-only and --no-daemon exclude each other: give one of them');
  return o;
}

const log = (msg: string): void => void process.stderr.write(`[bench-scale] ${new Date().toISOString().slice(11, 19)} ${msg}\n`);
const PEAK = path.join(__dirname, 'bench-scale-peak.js');

interface CliRun {
  ms: number;
  peakMB: number;
  stdout: string;
}

/** One CLI command in direct mode, timed from spawn to exit, with its own peak RSS. */
function cli(cwd: string, args: string[]): CliRun {
  const peakFile = path.join(os.tmpdir(), `bench-scale-peak-${process.pid}`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['-r', PEAK, CLI_BIN, ...args, '--no-daemon'], {
    cwd, env: cleanEnv({ BENCH_PEAK_FILE: peakFile }), encoding: 'utf8', maxBuffer: 1 << 26,
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`bd-rx ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const peakMB = Number(fs.readFileSync(peakFile, 'utf8')) / 1024;
  fs.rmSync(peakFile, { force: true });
  return { ms, peakMB, stdout: r.stdout };
}

function cliMedian(cwd: string, args: string[], runs: number, before?: (i: number) => void): { ms: number; peakMB: number } {
  const times: number[] = [];
  let peakMB = 0;
  for (let i = 0; i <= runs; i++) {
    before?.(i);
    const r = cli(cwd, args);
    if (i > 0) times.push(r.ms);
    peakMB = Math.max(peakMB, r.peakMB);
  }
  return { ms: median(times), peakMB };
}

interface Ws {
  root: string;
  jsonlPath: string;
}

function emptyWorkspace(base: string, name: string): Ws {
  const root = path.join(base, name);
  fs.mkdirSync(root, { recursive: true });
  cli(root, ['init', '--prefix', 'bench']);
  return { root, jsonlPath: path.join(root, '.beads', 'issues.jsonl') };
}

interface Row {
  what: string;
  result: string;
  floor: string;
  target: string;
  met: boolean | undefined;
}

const f0 = (x: number): string => (Number.isFinite(x) ? x.toFixed(0) : 'n/a');
const ratio = (x: number, floor: number): string => `${(x / floor).toFixed(2)}×`;

async function daemonCases(o: Options, ws: Ws, readHashMs: number, rows: Row[]): Promise<void> {
  // `--daemon-profile`: node's own flags go before the script, so the daemon's command gets a
  // shell prefix that puts them there (`$0` is node, `$@` the bin and its arguments).
  const wrap = o.daemonProfile ? ['/bin/sh', '-c', `exec "$0" --cpu-prof --cpu-prof-interval 500 --cpu-prof-dir '${o.daemonProfile}' "$@"`] : undefined;
  const d: DaemonProcess = startDaemon({ cwd: ws.root, args: ['--debounce-ms', String(o.debounceMs)], wrap });
  try {
    await d.waitUntilWatching(600_000);
    await new Promise((r) => setTimeout(r, 2000)); // let start-up garbage be collected
    const idle = memoryOf(d.pid);
    log(`daemon idle: RSS ${f0(idle.rssMB)} MB (peak ${f0(idle.peakMB)} MB)`);
    const client = await RpcClient.connect(socketPathFor(ws.root), { timeoutMs: 60_000 });
    const latencies: number[] = [];
    const exportMs: number[] = [];
    // How many sample exports only renamed a file written ahead, and what writing it cost.
    let staged = 0;
    const preparedMs: number[] = [];
    // Each sample's latency and its export, so the slowest ones can be told apart.
    const traces: string[] = [];
    try {
      for (let i = 0; i < o.samples; i++) {
        const token = `scale probe ${i} ${Math.random().toString(36).slice(2, 10)}`;
        const from = d.mark();
        const held = whenFileHolds(ws.jsonlPath, token, 120_000);
        const t0 = performance.now();
        const answer = client.request('create', { title: token });
        let answeredMs = NaN;
        void answer.then(() => (answeredMs = performance.now() - t0), () => undefined);
        latencies.push((await held) - t0);
        await answer;
        const done = await d.waitForEvent('export/done', 120_000, from);
        if (done.type === 'export/done') {
          exportMs.push(done.ms);
          if (done.staged) staged++;
          if (done.prepared_ms !== undefined) preparedMs.push(done.prepared_ms);
          const sent = Date.now() - (performance.now() - t0);
          const lane = d.all(() => true, from).map((e) => `${e.type} +${Date.parse(e.ts) - Math.round(sent)}`).join(', ');
          traces.push(`${f0(latencies[i])} ms: export/done ${f0(done.ms)} ms, ${done.staged ? `renamed a file written ahead in ${f0(done.prepared_ms ?? NaN)} ms` : 'not written ahead'} (answered +${f0(answeredMs)}; ${lane})`);
        }
        if ((i + 1) % 10 === 0) log(`mutation → JSONL ${i + 1}/${o.samples}, last ${f0(latencies[i])} ms`);
      }
      for (let i = o.samples; i < o.writes; i++) await client.request('create', { title: `scale write ${i}` });
    } finally {
      client.close();
    }
    await d.waitForQuiet((e) => e.type.startsWith('export/') || e.type.startsWith('import/'), o.debounceMs + 3000, 600_000);
    const after = memoryOf(d.pid);
    const sorted = [...latencies].sort((a, b) => a - b);
    const slowest = [...traces].sort((a, b) => parseFloat(b) - parseFloat(a)).slice(0, 3);
    log(`slowest samples: ${slowest.join('; ')}`);
    const p = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
    const parts = (m: typeof idle): string => `anon ${f0(m.anonMB)} + file-backed ${f0(m.fileMB)}`;
    rows.push({ what: `daemon RSS, idle (${parts(idle)})`, result: `${f0(idle.rssMB)} MB`, floor: '', target: '≤ 100 MB', met: idle.rssMB <= 100 });
    rows.push({
      what: `daemon RSS after ${Math.max(o.writes, o.samples)} RPC writes (${parts(after)})`, result: `${f0(after.rssMB)} MB (peak ${f0(after.peakMB)} MB)`,
      floor: '', target: '≤ 100 MB', met: after.rssMB <= 100,
    });
    rows.push({
      what:
        `mutation → JSONL, p50 / p99 (n=${sorted.length}; export/done p50 ${f0(median(exportMs))} ms; ` +
        `${staged}/${exportMs.length} renamed a file written ahead, which took p50 ${f0(median(preparedMs))} ms, max ${f0(Math.max(...preparedMs))} ms)`,
      result: `${f0(p(0.5))} / ${f0(p(0.99))} ms`, floor: `debounce ${o.debounceMs} ms`,
      target: `p99 ≤ ${o.debounceMs + 50} ms`, met: p(0.99) <= o.debounceMs + 50,
    });

    const importMs: number[] = [];
    const seen: number[] = [];
    for (let i = 0; i < o.runs; i++) {
      const from = d.mark();
      const t0 = performance.now();
      editLines(ws.jsonlPath, o.edits, 1000 + i);
      const done = await d.waitForEvent('import/done', 600_000, from);
      seen.push(performance.now() - t0);
      if (done.type === 'import/done') importMs.push(done.ms);
      await d.waitForQuiet((e) => e.type.startsWith('export/') || e.type.startsWith('import/'), 1500, 600_000);
    }
    const imp = median(importMs);
    rows.push({
      what: `daemon: outside edit of ${o.edits} lines, import/done ms (edit → logged ${f0(median(seen))} ms)`,
      result: `${f0(imp)} ms`, floor: `read + SHA-256 ${f0(readHashMs)} ms (in process)`,
      target: `≤ 2× (${ratio(imp, readHashMs)})`, met: imp <= 2 * readHashMs,
    });
  } finally {
    await d.stop('SIGTERM', 60_000).catch(() => d.kill());
  }
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const load0 = os.loadavg();
  const started = new Date();
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'bd-rx-scale-')));
  const rows: Row[] = [];
  // Read now: the tree may move on while a long run goes (dist/ is what was built before).
  const code = git(['rev-parse', '--short', 'HEAD']) + (git(['status', '--porcelain', '--', 'src']) ? ' + uncommitted changes in src/' : '');
  try {
    const source = path.join(base, 'source.jsonl');
    log(`generating ${o.issues} issues`);
    const bytes = writeIssues(source, o.issues);
    log(`${(bytes / 1e6).toFixed(1)} MB`);

    log('floors');
    const inProcReadHash = timeMedian(o.runs, () => readAndHash(source));
    let data: Buffer | undefined = fs.readFileSync(source);
    const inProcWrite = timeMedian(o.runs, () => writeAndFsync(path.join(base, 'floor-write'), data!));
    data = undefined; // ~0.9 GB at 1M: not held for the rest of the run
    fs.rmSync(path.join(base, 'floor-write'), { force: true });
    const inProcParse = timeMedian(o.runs, () => readAndParse(source));
    const nodeStart = childFloor('start', source, base, o.runs);
    const childReadHash = childFloor('read+sha256', source, base, o.runs);
    const childReadWrite = childFloor('write+fsync', source, base, o.runs);
    const childReadParse = childFloor('read+parse', source, base, o.runs);

    log('import -i into an empty workspace');
    const imports: number[] = [];
    let importPeak = 0;
    let ws: Ws | undefined;
    for (let i = 0; i < (o.daemonOnly || o.issues >= 500_000 ? 1 : Math.max(1, o.runs)); i++) {
      const w = emptyWorkspace(base, `ws-import-${i}`);
      const r = cli(w.root, ['import', '-i', source, '--json']);
      imports.push(r.ms);
      importPeak = Math.max(importPeak, r.peakMB);
      if (ws) fs.rmSync(ws.root, { recursive: true, force: true });
      ws = w;
    }
    const imp = median(imports);
    log(`import -i runs: ${imports.map((ms) => Math.round(ms)).join(', ')} ms`);
    if (!o.daemonOnly) rows.push({
      what: `CLI \`import -i\` of ${o.issues} issues, end to end`, result: `${f0(imp)} ms, peak RSS ${f0(importPeak)} MB`,
      floor: `node: read + JSON.parse ${f0(childReadParse)} ms`, target: `≤ 4× (${ratio(imp, childReadParse)}), RSS ≤ 300 MB`,
      met: imp <= 4 * childReadParse && importPeak <= 300,
    });
    const w = ws!;

    const queries = (['list', 'ready', 'show'] as const).filter((c) => o.cases.has(c));
    // Any query, the update and the edit need an id: `list` finds one.
    const someId = (root: string): string => (JSON.parse(cli(root, ['list', '--json', '--limit', '1']).stdout) as Array<{ id: string }>)[0].id;
    const bigId = queries.length || o.cases.has('update') ? someId(w.root) : '';
    if (queries.length) {
      log(`query commands at ${o.issues} and ${o.small}`);
      const small = emptyWorkspace(base, 'ws-small');
      const smallSource = path.join(base, 'small.jsonl');
      writeIssues(smallSource, o.small);
      cli(small.root, ['import', '-i', smallSource]);
      const smallId = someId(small.root);
      const all: Record<(typeof queries)[number], [string, string[], string[] | undefined]> = {
        list: ['list --json --limit 20', ['list', '--json', '--limit', '20'], undefined],
        ready: ['ready --json --limit 20', ['ready', '--json', '--limit', '20'], undefined],
        show: ['show ID --json', ['show', bigId, '--json'], ['show', smallId, '--json']],
      };
      for (const [name, args, smallArgs] of queries.map((q) => all[q])) {
        const big = cliMedian(w.root, args, o.runs);
        const little = cliMedian(small.root, smallArgs ?? args, o.runs).ms;
        rows.push({
          what: `\`${name}\``, result: `${f0(big.ms)} ms, peak RSS ${f0(big.peakMB)} MB`, floor: `same at ${o.small}: ${f0(little)} ms`,
          target: `≤ 2× (${ratio(big.ms, little)})`, met: big.ms <= 2 * little,
        });
      }
    }

    if (o.cases.has('update')) {
      log('direct update');
      const upd = cliMedian(w.root, ['update', bigId, '--title', 'scale update'], o.runs);
      rows.push({
        what: 'direct-mode `update` of one issue (DB + JSONL)', result: `${f0(upd.ms)} ms, peak RSS ${f0(upd.peakMB)} MB`,
        floor: `node: read + write + fsync ${f0(childReadWrite)} ms`, target: `≤ 2× (${ratio(upd.ms, childReadWrite)})`,
        met: upd.ms <= 2 * childReadWrite,
      });
    }

    if (o.cases.has('edit')) {
      log(`outside edit of ${o.edits} lines, direct mode`);
      const edited = cliMedian(w.root, ['list', '--json', '--limit', '20'], o.runs, (i) => void editLines(w.jsonlPath, o.edits, 100 + i));
      rows.push({
        what: `outside edit of ${o.edits} lines, imported by the next direct \`list\``,
        result: `${f0(edited.ms)} ms, peak RSS ${f0(edited.peakMB)} MB`,
        floor: `node: read + SHA-256 ${f0(childReadHash)} ms`, target: `≤ 2× (${ratio(edited.ms, childReadHash)})`,
        met: edited.ms <= 2 * childReadHash,
      });
    }

    if (o.daemon && o.cases.has('daemon')) {
      log('daemon');
      await daemonCases(o, w, inProcReadHash, rows);
    }

    const load1 = os.loadavg();
    const cpus = os.cpus();
    const out = [
      `### bench-scale: ${o.issues} issues (${(bytes / 1e6).toFixed(1)} MB JSONL)`,
      '',
      `- Command: \`npm run build && npx ts-node --transpile-only scripts/bench-scale.ts ${process.argv.slice(2).join(' ')}\``.replace(/ `$/, '`'),
      `- Date: ${started.toISOString()}; code: ${code} (dist/ as last built); ${cpus.length} × ${cpus[0]?.model.trim() ?? '?'}, node ${process.version}`,
      `- Load average (1/5/15 min): ${load0.map((x) => x.toFixed(2)).join(' / ')} at start, ${load1.map((x) => x.toFixed(2)).join(' / ')} at end`,
      `- Floors in this process: read + SHA-256 ${f0(inProcReadHash)} ms, write + fsync ${f0(inProcWrite)} ms, read + JSON.parse ${f0(inProcParse)} ms; ` +
        `a fresh node: start ${f0(nodeStart)} ms, read + SHA-256 ${f0(childReadHash)} ms, read + write + fsync ${f0(childReadWrite)} ms, read + parse ${f0(childReadParse)} ms. Medians of ${o.runs} runs after a warm-up.`,
      '',
      '| what | result | floor (same run) | target | met |',
      '|---|---|---|---|---|',
      ...rows.map((r) => `| ${r.what} | ${r.result} | ${r.floor} | ${r.target} | ${r.met === undefined ? '' : r.met ? 'yes' : 'no'} |`),
      '',
    ];
    process.stdout.write(out.join('\n') + '\n');
  } finally {
    if (o.keep) log(`kept ${base}`);
    else fs.rmSync(base, { recursive: true, force: true });
  }
}

function git(args: string[]): string {
  return spawnSync('git', args, { cwd: path.resolve(__dirname, '..'), encoding: 'utf8' }).stdout?.trim() ?? '';
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
