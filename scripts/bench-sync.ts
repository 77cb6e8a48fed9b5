/**
 * Import/export benchmark: src/sync against the floors of the same machine, in the same run.
 *
 *   npx ts-node --transpile-only scripts/bench-sync.ts [--sizes 10000,100000] [--runs 5] [--no-real] [--keep]
 *
 * Data sets: synthetic files of each size (scripts/gen-issues.ts) and the largest real bd export
 * in spec/fixtures. Everything runs in a temp directory under os.tmpdir() (same disk as the
 * repo here; the path and file system are printed). Floors, measured in the same run: `cp` as a
 * process, fs.copyFileSync, write + fsync + rename of the same bytes, and read + JSON.parse of
 * every line. Cases: import into an empty DB (with and without the close that checkpoints the
 * WAL), re-import of an unchanged file (stat skip, and hash skip after a touch), import of the
 * file with ~1% of lines changed into a populated DB, export of an unchanged DB (skip), forced
 * full export, export after ~1% local edits. Reported: median and min wall time and median CPU
 * time of --runs runs after one warm-up, the ratio to a floor, PASS/FAIL for the two targets,
 * and the peak RSS of the largest import in a child process.
 *
 * A report, not a test: exits 0 whatever the numbers. It stops with an error only if a sanity
 * check fails (e.g. a forced export that does not reproduce the input byte for byte).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BeadsStore } from '../src/store/beads-store';
import { exportJsonl } from '../src/sync/export-jsonl';
import { importJsonl } from '../src/sync/import-jsonl';
import { generateIssues, makeRng, mutateIssues } from './gen-issues';

const REAL_FIXTURE = path.join(__dirname, '..', 'spec', 'fixtures', 'steveyegge__beads__issues__20260113-ab4fba2.jsonl');
const CHANGED_FRACTION = 0.01;

interface Args {
  sizes: number[];
  runs: number;
  real: boolean;
  keep: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { sizes: [10_000, 100_000], runs: 5, real: true, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--sizes') args.sizes = value().split(',').filter(Boolean).map(Number);
    else if (a === '--runs') args.runs = Number(value());
    else if (a === '--no-real') args.real = false;
    else if (a === '--keep') args.keep = true;
    else throw new Error(`unknown argument ${a}: use --sizes N,N --runs N --no-real --keep`);
  }
  if (args.sizes.some((n) => !Number.isInteger(n) || n <= 0) || !Number.isInteger(args.runs) || args.runs < 1) {
    throw new Error('--sizes takes positive integers (e.g. 10000,100000), --runs a positive integer');
  }
  return args;
}

// ---- measuring ------------------------------------------------------------------------------

interface Sample {
  median: number;
  min: number;
  /** Median CPU time (user + system) of this process: steadier than wall time on a busy machine. */
  cpuMedian: number;
  runs: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

/** Runs `setup` (untimed) then `fn` (timed) `runs` times; one untimed warm-up first. */
function measure<T>(runs: number, setup: () => T, fn: (ctx: T) => void, teardown?: (ctx: T) => void): Sample {
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const ctx = setup();
    const c0 = cpuMs();
    const t0 = performance.now();
    fn(ctx);
    const t1 = performance.now();
    const c1 = cpuMs();
    teardown?.(ctx);
    if (i > 0) {
      times.push(t1 - t0);
      cpu.push(c1 - c0);
    }
  }
  return { median: median(times), min: Math.min(...times), cpuMedian: median(cpu), runs: times.length };
}

let tmpCounter = 0;
function freshDir(base: string, name: string): string {
  const dir = path.join(base, `${name}-${++tmpCounter}`);
  fs.mkdirSync(path.join(dir, '.beads'), { recursive: true });
  return dir;
}

interface Workspace {
  dir: string;
  jsonlPath: string;
  dbPath: string;
}

function workspace(dir: string): Workspace {
  return { dir, jsonlPath: path.join(dir, '.beads', 'issues.jsonl'), dbPath: path.join(dir, '.beads', 'beads.db') };
}

/** A copy of a populated workspace; one hash-checked import syncs the DB with the new file's stat. */
function cloneWorkspace(base: string, template: Workspace, jsonl?: Buffer): Workspace {
  const ws = workspace(freshDir(base, 'clone'));
  fs.copyFileSync(template.dbPath, ws.dbPath);
  fs.writeFileSync(ws.jsonlPath, jsonl ?? fs.readFileSync(template.jsonlPath));
  return ws;
}

function rmrf(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`benchmark sanity check failed: ${what}`);
}

// ---- one data set ---------------------------------------------------------------------------

interface Row {
  dataset: string;
  kase: string;
  sample: Sample;
  floor?: string;
  floorMs?: number;
}

function benchDataset(base: string, label: string, data: Buffer, runs: number, rows: Row[]): void {
  const lines = data.toString('utf8').split('\n').filter((l) => l !== '').length;
  const dsDir = path.join(base, label.replace(/\W+/g, '_'));
  fs.mkdirSync(dsDir, { recursive: true });
  const src = path.join(dsDir, 'issues.jsonl');
  fs.writeFileSync(src, data);
  const changed = mutateIssues(data.toString('utf8'), CHANGED_FRACTION, 7);
  const changedBuf = Buffer.from(changed.text, 'utf8');
  const add = (kase: string, sample: Sample, floor?: string) => {
    const floorMs = floor ? rows.find((r) => r.dataset === label && r.kase === floor)?.sample.median : undefined;
    rows.push({ dataset: label, kase, sample, floor, floorMs });
    const ratio = floorMs ? `  ${(sample.median / floorMs).toFixed(2)}× ${floor}` : '';
    process.stderr.write(`  ${label.padEnd(16)} ${kase.padEnd(36)} ${sample.median.toFixed(2).padStart(10)} ms${ratio}\n`);
  };
  process.stderr.write(`${label}: ${lines} lines, ${(data.length / 1e6).toFixed(2)} MB, ${changed.changed.length} changed for the 1% cases\n`);

  // Floors.
  const dst = path.join(dsDir, 'copy.jsonl');
  add(
    'floor: cp (process)',
    measure(
      runs,
      () => fs.rmSync(dst, { force: true }),
      () => {
        const r = spawnSync('cp', [src, dst]);
        check(r.status === 0, `cp exited ${r.status}`);
      },
    ),
  );
  add(
    'floor: fs.copyFileSync',
    measure(
      runs,
      () => fs.rmSync(dst, { force: true }),
      () => fs.copyFileSync(src, dst),
    ),
  );
  add(
    'floor: write + fsync + rename',
    measure(
      runs,
      () => undefined,
      () => {
        // What any crash-safe writer of these bytes pays (same steps as src/jsonl/atomic-write.ts).
        const tmp = `${dst}.tmp`;
        const fd = fs.openSync(tmp, 'w', 0o644);
        fs.writeSync(fd, data);
        fs.fsyncSync(fd);
        fs.closeSync(fd);
        fs.renameSync(tmp, dst);
        const dfd = fs.openSync(dsDir, 'r');
        fs.fsyncSync(dfd);
        fs.closeSync(dfd);
      },
    ),
  );
  add(
    'floor: read + JSON.parse lines',
    measure(
      runs,
      () => undefined,
      () => {
        const text = fs.readFileSync(src, 'utf8');
        let n = 0;
        for (const line of text.split('\n')) if (line) n += JSON.parse(line) ? 1 : 0;
        check(n === lines, 'parse floor line count');
      },
    ),
  );

  // Import into an empty DB: a fresh store per run. The last run's workspace becomes the template.
  let template: Workspace | undefined;
  const setupEmpty = () => {
    const ws = workspace(freshDir(base, 'empty'));
    fs.writeFileSync(ws.jsonlPath, data);
    return { ws, store: new BeadsStore(ws.dbPath) };
  };
  add(
    'import → empty DB',
    measure(
      runs,
      setupEmpty,
      ({ ws, store }) => {
        const r = importJsonl(store, { jsonlPath: ws.jsonlPath });
        check(r.created === lines, `import created ${r.created} of ${lines}`);
      },
      ({ ws, store }) => {
        if (template) rmrf(template.dir);
        store.checkpoint('TRUNCATE');
        store.dispose();
        template = ws;
      },
    ),
    'floor: read + JSON.parse lines',
  );
  add(
    'import → empty DB, incl. close',
    measure(
      runs,
      setupEmpty,
      ({ ws, store }) => {
        importJsonl(store, { jsonlPath: ws.jsonlPath });
        store.dispose(); // closing checkpoints the WAL into the DB file: what a CLI import pays
      },
      ({ ws }) => rmrf(ws.dir),
    ),
    'floor: read + JSON.parse lines',
  );
  const tpl = template!;

  // Re-import of an unchanged file: skipped by stat, or (after a touch) by hash.
  {
    const ws = cloneWorkspace(base, tpl);
    const store = new BeadsStore(ws.dbPath);
    check(importJsonl(store, { jsonlPath: ws.jsonlPath }).skipped === 'unchanged', 'clone import skipped by hash');
    add(
      're-import unchanged (stat)',
      measure(
        runs,
        () => undefined,
        () => check(importJsonl(store, { jsonlPath: ws.jsonlPath }).skipped === 'unchanged', 'stat skip'),
      ),
      'floor: cp (process)',
    );
    let tick = 0;
    add(
      're-import touched file (hash)',
      measure(
        runs,
        () => {
          const t = new Date(Date.now() + ++tick * 1000);
          fs.utimesSync(ws.jsonlPath, t, t);
        },
        () => check(importJsonl(store, { jsonlPath: ws.jsonlPath }).skipped === 'unchanged', 'hash skip'),
      ),
      'floor: cp (process)',
    );

    // Export with nothing to write: skipped.
    add(
      'export unchanged DB (skip)',
      measure(
        runs,
        () => undefined,
        () => check(exportJsonl(store, { jsonlPath: ws.jsonlPath }).skipped === 'clean', 'export skipped'),
      ),
      'floor: cp (process)',
    );

    // Forced full export: render, write, fsync, rename. Its bytes must be the input's.
    add(
      'export forced full (fsync)',
      measure(
        runs,
        () => undefined,
        () => check(exportJsonl(store, { jsonlPath: ws.jsonlPath, force: true }).issues === lines, 'forced export count'),
      ),
      'floor: write + fsync + rename',
    );
    check(fs.readFileSync(ws.jsonlPath).equals(data), 'forced export reproduces the input byte for byte');
    store.dispose();
    rmrf(ws.dir);
  }

  // Import of the file with ~1% of its lines changed, into the populated DB.
  add(
    'import 1% changed → populated DB',
    measure(
      runs,
      () => {
        const ws = cloneWorkspace(base, tpl, changedBuf);
        return { ws, store: new BeadsStore(ws.dbPath) };
      },
      ({ ws, store }) => {
        const r = importJsonl(store, { jsonlPath: ws.jsonlPath });
        check(r.updated === changed.changed.length, `1% import updated ${r.updated} of ${changed.changed.length}`);
      },
      ({ ws, store }) => {
        store.dispose();
        rmrf(ws.dir);
      },
    ),
    'floor: read + JSON.parse lines',
  );

  // Export after 1% of the issues were edited locally (through the store, as the CLI does).
  const ids = data
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.slice(7, l.indexOf('"', 7)));
  let round = 0;
  add(
    'export after 1% local edits',
    measure(
      runs,
      () => {
        const ws = cloneWorkspace(base, tpl);
        const store = new BeadsStore(ws.dbPath);
        check(importJsonl(store, { jsonlPath: ws.jsonlPath }).skipped === 'unchanged', 'clone in sync');
        const rng = makeRng(100 + ++round);
        const n = Math.max(1, Math.round(ids.length * CHANGED_FRACTION));
        const picked = new Set<string>();
        while (picked.size < n) picked.add(ids[Math.floor(rng() * ids.length)]);
        store.inTransaction(() => {
          for (const id of picked) store.update(id, { notes: `edited in round ${round}` }, 'bench');
        });
        check(store.pendingExportCount() === n, 'dirty count before export');
        return { ws, store };
      },
      ({ ws, store }) => {
        const r = exportJsonl(store, { jsonlPath: ws.jsonlPath });
        check(r.issues === lines && !r.merged, 'export after edits wrote everything without a merge');
      },
      ({ ws, store }) => {
        store.dispose();
        rmrf(ws.dir);
      },
    ),
    'floor: write + fsync + rename',
  );
  rmrf(tpl.dir);
}

// ---- memory (child process) -----------------------------------------------------------------

interface MemReport {
  maxRssMB: number;
  rssMB: number;
  heapUsedMB: number;
  externalMB: number;
  ms: number;
}

/**
 * The process's own peak RSS. On Linux, getrusage's maxRSS (process.resourceUsage()) keeps
 * the high-water mark of the process that forked it across exec, so a child of this big bench
 * process would report the parent's peak; /proc/self/status VmHWM belongs to the child alone.
 */
function peakRssKiB(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // not Linux: fall back below
  }
  return process.resourceUsage().maxRSS;
}

function childMain(mode: string, file: string, dir: string): void {
  const started = performance.now();
  if (mode === 'parse') {
    const text = fs.readFileSync(file, 'utf8');
    const parsed = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown);
    check(parsed.length > 0, 'parsed something');
  } else if (mode === 'import') {
    const ws = workspace(dir);
    fs.copyFileSync(file, ws.jsonlPath);
    const store = new BeadsStore(ws.dbPath);
    importJsonl(store, { jsonlPath: ws.jsonlPath });
    store.dispose();
  } else if (mode !== 'baseline') {
    throw new Error(`unknown child mode ${mode}`);
  }
  const mu = process.memoryUsage();
  const report: MemReport = {
    maxRssMB: peakRssKiB() / 1024,
    rssMB: mu.rss / 2 ** 20,
    heapUsedMB: mu.heapUsed / 2 ** 20,
    externalMB: mu.external / 2 ** 20, // includes arrayBuffers (Node Buffers)
    ms: performance.now() - started,
  };
  process.stdout.write(JSON.stringify(report));
}

/**
 * The children run as plain JavaScript, not under ts-node: loading the TypeScript compiler
 * alone peaks near 280 MB of RSS, which would hide what the import itself needs. This
 * transpiles src/ and this script (no type check) into `outDir`, beside a node_modules link.
 */
function transpileForChildren(outDir: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require('typescript') as typeof import('typescript');
  const root = path.join(__dirname, '..');
  const emit = (rel: string) => {
    const src = fs.readFileSync(path.join(root, rel), 'utf8');
    const js = ts.transpileModule(src, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      fileName: rel,
    }).outputText;
    const out = path.join(outDir, rel.replace(/\.ts$/, '.js'));
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, js);
  };
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) walk(r);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) emit(r);
    }
  };
  walk('src');
  emit('scripts/bench-sync.ts');
  emit('scripts/gen-issues.ts');
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(outDir, 'node_modules'));
  return path.join(outDir, 'scripts', 'bench-sync.js');
}

function runChild(script: string, mode: string, file: string, dir: string): MemReport {
  const r = spawnSync(process.execPath, [script, '--child', mode, file, dir], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`child ${mode} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as MemReport;
}

// ---- report ---------------------------------------------------------------------------------

function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return (r.stdout ?? '').trim();
}

function loadAvg(): string {
  return os.loadavg().map((x) => x.toFixed(2)).join(', ');
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'bd-rx-bench-sync-'));
  const loadBefore = loadAvg();
  const started = new Date();
  const fsType = sh('df', ['-T', base]).split('\n').pop()?.split(/\s+/).slice(0, 2).join(' ') ?? '?';
  process.stderr.write(`temp dir ${base} (${fsType}); load average ${loadBefore}\n`);
  const rows: Row[] = [];
  const datasets: Array<{ label: string; data: () => Buffer }> = args.sizes.map((n) => ({
    label: `synthetic ${n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : n}`,
    data: () => Buffer.from(generateIssues(n, 1), 'utf8'),
  }));
  if (args.real) datasets.push({ label: 'real bd 2,657', data: () => fs.readFileSync(REAL_FIXTURE) });

  const sizes = new Map<string, { lines: number; bytes: number }>();
  let largest: { label: string; file: string } | undefined;
  try {
    for (const ds of datasets) {
      const data = ds.data();
      sizes.set(ds.label, { lines: data.toString('utf8').split('\n').filter(Boolean).length, bytes: data.length });
      benchDataset(base, ds.label, data, args.runs, rows);
      const file = path.join(base, ds.label.replace(/\W+/g, '_'), 'issues.jsonl');
      if (!largest || data.length > sizes.get(largest.label)!.bytes) largest = { label: ds.label, file };
    }

    // Peak memory of the largest import, beside the same process doing nothing and only parsing.
    let mem: Record<string, MemReport> = {};
    if (largest) {
      const dir = freshDir(base, 'mem');
      const script = transpileForChildren(path.join(base, 'js'));
      mem = {
        'baseline (node + our modules, no work)': runChild(script, 'baseline', largest.file, dir),
        'read + JSON.parse all lines': runChild(script, 'parse', largest.file, dir),
        'importJsonl → empty DB (incl. close)': runChild(script, 'import', largest.file, dir),
      };
    }

    // ---- print
    const out: string[] = [];
    out.push(`bench-sync — ${started.toISOString()}`);
    out.push(
      `machine: ${os.cpus().length} CPU (${os.cpus()[0]?.model ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ` +
        `node ${process.version}, ${os.platform()} ${os.release()}`,
    );
    out.push(`temp dir: ${base} (${fsType}); runs per case: ${args.runs} (+1 warm-up, discarded)`);
    out.push(`load average before: ${loadBefore}; after: ${loadAvg()}`);
    out.push('');
    out.push('| data set | case | median ms | min ms | CPU ms (median) | ratio vs floor (medians) |');
    out.push('|---|---|---:|---:|---:|---|');
    let last = '';
    for (const r of rows) {
      const size = sizes.get(r.dataset)!;
      const ds = r.dataset === last ? '' : `${r.dataset} (${size.lines} lines, ${(size.bytes / 1e6).toFixed(1)} MB)`;
      last = r.dataset;
      const ratio = r.floorMs ? `${(r.sample.median / r.floorMs).toFixed(2)}× ${r.floor!.replace('floor: ', '')}` : '';
      // A spawned `cp` burns its CPU in the child, which this process cannot see.
      const cpu = r.kase === 'floor: cp (process)' ? 'n/a' : r.sample.cpuMedian.toFixed(1);
      out.push(`| ${ds} | ${r.kase} | ${r.sample.median.toFixed(2)} | ${r.sample.min.toFixed(2)} | ${cpu} | ${ratio} |`);
    }
    if (largest) {
      out.push('');
      out.push(`peak memory, ${largest.label}, each in its own child process (plain node on transpiled JS; peak = VmHWM):`);
      out.push('');
      out.push('| child | peak RSS MB | RSS at end MB | heap used at end MB | external (incl. Buffers) MB | ms |');
      out.push('|---|---:|---:|---:|---:|---:|');
      for (const [name, m] of Object.entries(mem)) {
        out.push(
          `| ${name} | ${m.maxRssMB.toFixed(0)} | ${m.rssMB.toFixed(0)} | ${m.heapUsedMB.toFixed(0)} | ${m.externalMB.toFixed(0)} | ${m.ms.toFixed(0)} |`,
        );
      }
    }

    // ---- targets
    out.push('');
    const find = (ds: string, kase: string) => rows.find((r) => r.dataset === ds && r.kase === kase)?.sample.median;
    const target = (name: string, ds: string, kase: string, floor: string, limit: number) => {
      const v = find(ds, kase);
      const f = find(ds, floor);
      if (v === undefined || f === undefined) {
        out.push(`NOT RUN  ${name} (${ds} not in --sizes)`);
        return;
      }
      const ratio = v / f;
      out.push(
        `${ratio <= limit ? 'PASS' : 'FAIL'}  ${name}: ${v.toFixed(2)} ms / ${f.toFixed(2)} ms = ${ratio.toFixed(2)}× (target ≤ ${limit}×)`,
      );
    };
    target('import of 100k into an empty DB ≤ 4× parse floor', 'synthetic 100k', 'import → empty DB', 'floor: read + JSON.parse lines', 4);
    target('export of an unchanged 100k DB ≤ 4× cp', 'synthetic 100k', 'export unchanged DB (skip)', 'floor: cp (process)', 4);
    process.stdout.write(out.join('\n') + '\n');
  } finally {
    if (!args.keep) rmrf(base);
  }
}

if (process.argv[2] === '--child') {
  childMain(process.argv[3], process.argv[4], process.argv[5]);
} else {
  main();
}
