/**
 * Merge benchmark (issue 11's last acceptance item, its merge part): the merge policy on two
 * sides of an N-issue file with C changes each, against the floor of reading and parsing the
 * three files, measured in the same run.
 *
 *   npx ts-node --transpile-only scripts/bench-git-merge.ts [--sizes 10000,100000] [--changes 100] [--runs 7]
 *
 * Sides: "ours" retitles C issues (newer updated_at), deletes C/10 untouched ones and adds C/10;
 * "theirs" changes the priority and labels of C issues, a tenth of them the same issues ours
 * retitled (a field merge each), and deletes C/10 that ours retitled (kept over the delete).
 * Floor: readFileSync + parseJsonl of base, ours and theirs. Merge: the same reads + mergeJsonl
 * (which parses them itself). Also one row for the whole `bd-rx merge` process (node start
 * included), which is what git waits for. Reported: median and min of --runs runs after one
 * warm-up, and the ratio of the medians. A report, not a test: exits 0 whatever the numbers,
 * unless a sanity check on the merged file fails.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseJsonl } from '../src/jsonl/parse-jsonl';
import { mergeJsonl } from '../src/merge/merge-policy';
import { bdLine, generateIssues, makeRng } from './gen-issues';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const CLI = path.join(__dirname, '..', 'dist', 'cli', 'bin.js');

function sides(base: string, c: number): { ours: string; theirs: string; both: string[]; keptOverDelete: string[] } {
  const rng = makeRng(7);
  const lines = base.trimEnd().split('\n');
  const pick = new Set<number>();
  while (pick.size < c * 2 + c / 5) pick.add(Math.floor(rng() * lines.length));
  const picked = [...pick];
  const retitle = picked.slice(0, c);
  const reprio = [...picked.slice(c, c + c - c / 10), ...retitle.slice(0, c / 10)];
  const oursDelete = new Set(picked.slice(2 * c, 2 * c + c / 10));
  const theirsDelete = new Set(retitle.slice(c / 10, c / 10 + c / 10));
  const ours = [...lines];
  const theirs = [...lines];
  for (const i of retitle) ours[i] = bdLine({ ...JSON.parse(lines[i]), title: `ours ${i}`, updated_at: '2026-06-01T00:00:00Z' });
  for (const i of reprio) theirs[i] = bdLine({ ...JSON.parse(lines[i]), priority: 0, labels: ['bench'], updated_at: '2026-06-02T00:00:00Z' });
  const oursOut = ours.filter((_, i) => !oursDelete.has(i));
  for (let k = 0; k < c / 10; k++) oursOut.push(bdLine({ id: `zz-new-${k}`, title: `new ${k}`, status: 'open', priority: 2, issue_type: 'task' }));
  return {
    ours: oursOut.join('\n') + '\n',
    theirs: theirs.filter((_, i) => !theirsDelete.has(i)).join('\n') + '\n',
    both: retitle.slice(0, c / 10).map((i) => JSON.parse(lines[i]).id),
    keptOverDelete: [...theirsDelete].map((i) => JSON.parse(lines[i]).id),
  };
}

function time(fn: () => void, runs: number): number[] {
  fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    out.push(performance.now() - t);
  }
  return out.sort((a, b) => a - b);
}

const median = (xs: number[]) => xs[Math.floor(xs.length / 2)];
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

export interface MergeBenchRow {
  issues: number;
  floorMs: number;
  mergeMs: number;
  processMs: number;
}

/**
 * Prints the table (through `log`) and returns its rows: for each size, the floor (read +
 * parse the three files), the merge (the same reads + mergeJsonl) and the `bd-rx merge` process.
 */
export function runMergeBench(opts: { sizes: number[]; changes: number; runs: number }, log: (line: string) => void = console.log): MergeBenchRow[] {
  const { sizes, changes, runs } = opts;
  const rows: MergeBenchRow[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bd-rx-bench-merge-'));
  log(`node ${process.version}, ${os.cpus().length} cpus, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; ${changes} changes a side; ${runs} runs (+1 warm-up)`);
  log('');
  log('| issues | file | floor: read + parse ×3 (median / min) | merge: read + mergeJsonl (median / min) | ratio | bd-rx merge process (median) |');
  log('|---|---|---|---|---|---|');
  try {
    for (const n of sizes) {
      const base = generateIssues(n);
      const s = sides(base, changes);
      const files = { base: path.join(dir, 'base'), ours: path.join(dir, 'ours'), theirs: path.join(dir, 'theirs'), out: path.join(dir, 'out') };
      fs.writeFileSync(files.base, base);
      fs.writeFileSync(files.ours, s.ours);
      fs.writeFileSync(files.theirs, s.theirs);
      const floor = time(() => {
        for (const f of [files.base, files.ours, files.theirs]) parseJsonl(fs.readFileSync(f));
      }, runs);
      let report: ReturnType<typeof mergeJsonl>['report'] | undefined;
      const merge = time(() => {
        report = mergeJsonl({ base: fs.readFileSync(files.base), ours: fs.readFileSync(files.ours), theirs: fs.readFileSync(files.theirs) }).report;
      }, runs);
      // Sanity: every id both sides edited is a field merge, every one theirs deleted and ours edited kept.
      if (!report || s.both.some((id) => !report!.merged.includes(id)) || s.keptOverDelete.some((id) => !report!.kept_over_delete.includes(id))) {
        throw new Error('sanity check failed: the merge lost an edit');
      }
      const proc: number[] = [];
      for (let i = 0; i <= Math.min(runs, 5); i++) {
        fs.copyFileSync(files.ours, files.out);
        const t = performance.now();
        const r = spawnSync(process.execPath, [CLI, 'merge', files.out, files.base, files.out, files.theirs], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`bd-rx merge exited ${r.status}: ${r.stderr}`);
        if (i > 0) proc.push(performance.now() - t);
      }
      proc.sort((a, b) => a - b);
      const mb = (fs.statSync(files.base).size / 1e6).toFixed(1);
      rows.push({ issues: n, floorMs: median(floor), mergeMs: median(merge), processMs: median(proc) });
      log(`| ${n.toLocaleString('en')} | ${mb} MB | ${fmt(median(floor))} / ${fmt(floor[0])} | ${fmt(median(merge))} / ${fmt(merge[0])} | ${(median(merge) / median(floor)).toFixed(2)}× | ${fmt(median(proc))} |`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (require.main === module) {
  console.log(`bench-git-merge — ${new Date().toISOString()}`);
  runMergeBench({
    sizes: arg('--sizes', '10000,100000').split(',').map(Number),
    changes: Number(arg('--changes', '100')),
    runs: Number(arg('--runs', '7')),
  });
}
