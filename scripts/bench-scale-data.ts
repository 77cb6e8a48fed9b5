/**
 * Data and floors for scripts/bench-scale.ts: a JSONL of any size written in chunks (1M issues
 * are ~0.9 GB, past V8's longest string), outside edits of k lines made on the bytes (no copy
 * of the file as a string), and the floors each target is judged against, measured in the same
 * run: in this process (for the daemon, which is already running) and as a fresh `node`
 * process (for CLI commands, whose times include a process start).
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bdLine, generateIssues, makeRng } from './gen-issues';

/** gen-issues makes ids `bench-xxxx`; chunk c's become `bench-<c>xxxx`, so chunks stay apart and in byte order. */
const CHUNK = 100_000;

/** Writes `n` generated issues (sorted by id, as an export writes them) to `file`; returns its size. */
export function writeIssues(file: string, n: number): number {
  fs.writeFileSync(file, '');
  if (n <= CHUNK) {
    fs.appendFileSync(file, generateIssues(n, 1));
  } else {
    const chunks = Math.ceil(n / CHUNK);
    for (let c = 0; c < chunks; c++) {
      const size = Math.min(CHUNK, n - c * CHUNK);
      const tag = String.fromCharCode(97 + c % 26).repeat(1 + Math.floor(c / 26));
      fs.appendFileSync(file, generateIssues(size, c + 1).replaceAll('"bench-', `"bench-${c < 10 ? c : tag}`));
    }
  }
  return fs.statSync(file).size;
}

/** The byte ranges of every line (without its newline), found without decoding the file. */
export function lineStarts(buf: Buffer): number[] {
  const starts: number[] = [];
  let at = 0;
  while (at < buf.length) {
    starts.push(at);
    const nl = buf.indexOf(10, at);
    at = nl < 0 ? buf.length : nl + 1;
  }
  return starts;
}

/**
 * `k` lines of the file edited as a collaborator's `git pull` would bring them: a new title and
 * a later `updated_at`, so last-writer-wins takes them. Replaces the file as git does (a new
 * file renamed over it) and returns the ids edited.
 */
export function editLines(file: string, k: number, seed: number): string[] {
  const buf = fs.readFileSync(file);
  const starts = lineStarts(buf);
  const rng = makeRng(seed);
  const picked = new Set<number>();
  while (picked.size < Math.min(k, starts.length)) picked.add(Math.floor(rng() * starts.length));
  const parts: Buffer[] = [];
  const ids: string[] = [];
  let from = 0;
  for (const i of [...picked].sort((a, b) => a - b)) {
    const s = starts[i];
    const nl = buf.indexOf(10, s);
    const e = nl < 0 ? buf.length : nl;
    const rec = JSON.parse(buf.subarray(s, e).toString('utf8')) as Record<string, unknown>;
    rec.title = `${String(rec.title)} (edited ${seed})`;
    rec.updated_at = `2027-01-01T00:00:${String(seed % 60).padStart(2, '0')}.000000Z`;
    parts.push(buf.subarray(from, s), Buffer.from(bdLine(rec)));
    ids.push(String(rec.id));
    from = e;
  }
  parts.push(buf.subarray(from));
  // As git checks a file out: a new file renamed into place (a new inode), not an in-place write.
  const tmp = `${file}.bench-edit`;
  fs.writeFileSync(tmp, Buffer.concat(parts));
  fs.renameSync(tmp, file);
  return ids;
}

// ---- floors -----------------------------------------------------------------------------------

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Median ms of `runs` timed calls after one warm-up. */
export function timeMedian(runs: number, fn: () => void): number {
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const t0 = performance.now();
    fn();
    if (i > 0) times.push(performance.now() - t0);
  }
  return median(times);
}

export function readAndHash(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

export function writeAndFsync(file: string, data: Buffer): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function readAndParse(file: string): number {
  const buf = fs.readFileSync(file);
  let n = 0;
  let at = 0;
  while (at < buf.length) {
    const nl = buf.indexOf(10, at);
    const e = nl < 0 ? buf.length : nl;
    if (e > at) {
      JSON.parse(buf.toString('utf8', at, e));
      n++;
    }
    at = e + 1;
  }
  return n;
}

/** The same floors as one-liners for a fresh `node` (what a CLI command pays on top is ours). */
const CHILD_FLOORS: Record<string, string> = {
  start: '0',
  'read+sha256': `require('crypto').createHash('sha256').update(require('fs').readFileSync(process.argv[1])).digest('hex')`,
  'write+fsync': `const fs=require('fs');const d=fs.readFileSync(process.argv[1]);const fd=fs.openSync(process.argv[2],'w');fs.writeSync(fd,d);fs.fsyncSync(fd);fs.closeSync(fd)`,
  'read+parse': `const b=require('fs').readFileSync(process.argv[1]);let a=0;while(a<b.length){let n=b.indexOf(10,a);if(n<0)n=b.length;if(n>a)JSON.parse(b.toString('utf8',a,n));a=n+1}`,
};

/**
 * Median wall ms of a fresh node running one floor. The write floor reads the file first (as
 * an export has the bytes to write), so its child time includes a read: subtract `read` when
 * only the write matters.
 */
export function childFloor(kind: keyof typeof CHILD_FLOORS, file: string, scratch: string, runs: number): number {
  return timeMedian(runs, () => {
    const r = spawnSync(process.execPath, ['-e', CHILD_FLOORS[kind], file, path.join(scratch, 'floor-out')], { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`floor ${kind} failed (exit ${r.status})`);
  });
}

/**
 * VmRSS / VmHWM of a running process, in MB, and what the RSS is made of: anonymous memory (the
 * JS heap, buffers, SQLite's caches, malloc) and file-backed pages (node's own code, ~40 MB of it).
 */
export function memoryOf(pid: number | 'self'): { rssMB: number; peakMB: number; anonMB: number; fileMB: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMB: kib('VmRSS') / 1024, peakMB: kib('VmHWM') / 1024, anonMB: kib('RssAnon') / 1024, fileMB: kib('RssFile') / 1024 };
}
