/**
 * Soak: one workspace, a real `bd-rx daemon` (dist/) under mixed load for a given duration, then
 * the checks of issue 10. Usage: `npx ts-node --transpile-only scripts/soak.ts [--duration 10m]`
 * (`npm run build` first). Load: RPC writers, outside JSONL edits (a new file put over it, as git
 * does), SIGHUP at 1/3, a restart (SIGTERM + start) at 1/2. Git commits/pulls are skipped: the
 * daemon has no git sync settings. Exit 0 iff the verdict is PASS.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { parseInterval } from './soak-interval';
import { RpcClient } from '../src/rpc/rpc-client';
import { socketPathFor } from '../src/rpc/socket-path';
import { swapChecked, TargetChangedError } from '../src/jsonl/swap-checked';

const BIN = path.resolve(__dirname, '../dist/cli/bin.js');
const RSS_LIMIT_KB = 20 * 1024;
/** Error events the soak itself causes: none (SIGHUP is ignored, the restart is clean). */
const ERROR_TYPE = /\/failed$|^daemon\/error/;
/**
 * Except one the outside edits cause by design: an export whose JSONL was replaced under it on
 * every attempt gives up writing over it (`ETARGETCHANGED`) and is retried with backoff. Counted
 * and shown, not an error: losing that race is what keeps the outside edit.
 */
const RACE_LOST = (e: { type: string; code?: unknown }) => e.type === 'export/failed' && e.code === 'ETARGETCHANGED';

export interface SoakResult {
  rows: Array<[string, string, boolean]>;
  pass: boolean;
}

interface Daemon {
  child: ChildProcessWithoutNullStreams;
  events: Array<{ type: string; [k: string]: unknown }>;
  closed: Promise<number | null>;
}

function startDaemon(root: string): Daemon {
  const child = spawn(process.execPath, [BIN, 'daemon', '--workspace', root, '--log-format', 'json', '--debounce-ms', '200'], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const events: Daemon['events'] = [];
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const l of parts) {
      try {
        events.push(JSON.parse(l));
      } catch {
        events.push({ type: 'soak/bad-line', line: l });
      }
    }
  });
  child.stderr.resume();
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, events, closed };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(probe: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`soak: timed out waiting for ${what}`);
    await sleep(50);
  }
}

function procStat(pid: number): { rssKb: number; fds: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { rssKb, fds: fs.readdirSync(`/proc/${pid}/fd`).length };
}

const statKeyOf = (file: string): string | null => {
  try {
    const st = fs.statSync(file);
    return `${st.size}:${st.mtimeMs}:${st.ino}`;
  } catch {
    return null;
  }
};

/**
 * Adds `line` to the JSONL by a new file put in its place, unless the JSONL moved between the
 * read and the swap: the careful teammate swaps as the daemon does (`swapChecked`: the file
 * taken off the path is checked, the new one linked in without replacing anything), so no
 * window is left on either side. A file that is missing for the instant of the daemon's own
 * swap counts as moved. Returns whether it was written.
 */
function outsideEdit(jsonl: string, line: string): boolean {
  const before = statKeyOf(jsonl);
  let text: string;
  try {
    text = before === null ? '' : fs.readFileSync(jsonl, 'utf8');
  } catch {
    return false; // replaced or taken away between the stat and the read
  }
  if (statKeyOf(jsonl) !== before) return false;
  const tmp = `${jsonl}.soak`;
  fs.writeFileSync(tmp, text + line + '\n');
  try {
    swapChecked(tmp, jsonl, (held) => (held === null ? before === null : statKeyOf(held) === before));
    return true;
  } catch (err) {
    if (err instanceof TargetChangedError) return false;
    throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function jsonlIds(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { id: string }).id);
}

export async function runSoak(durationMs: number, log: (s: string) => void = console.log): Promise<SoakResult> {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'bd-rx-soak-')));
  const env = { ...process.env, BD_ACTOR: 'soak' };
  const init = spawnSync(process.execPath, [BIN, 'init', '--prefix', 'soak'], { cwd: root, env, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`soak: init failed: ${init.stderr}`);
  const jsonl = path.join(root, '.beads', 'issues.jsonl');
  const dbPath = path.join(root, '.beads', 'beads.db');
  const acked = new Set<string>();
  const outside = new Set<string>();
  const writeErrors: string[] = [];
  let daemon = startDaemon(root);
  const allEvents = () => daemon.events;
  const pastEvents: Daemon['events'][] = [];
  const waitServing = () => until(() => daemon.events.some((e) => e.type === 'rpc/listening' || e.type === 'daemon/started'), 20_000, 'daemon start');
  await waitServing();
  await until(() => fs.existsSync(socketPathFor(root)), 20_000, 'socket');

  const t0 = Date.now();
  const end = t0 + durationMs;
  let paused = false;
  let n = 0;
  const writer = async (w: number) => {
    while (Date.now() < end) {
      if (paused) {
        await sleep(50);
        continue;
      }
      let c: RpcClient | undefined;
      try {
        c = await RpcClient.connect(socketPathFor(root), { timeoutMs: 10_000, expectedDb: dbPath, actor: `w${w}` });
        for (let i = 0; i < 20 && !paused && Date.now() < end; i++) {
          const r = (await c.request('create', { title: `soak ${w}-${n++}` })) as { id: string };
          acked.add(r.id);
          if (i % 5 === 0) await c.request('update', { id: r.id, status: 'in_progress' });
          await sleep(20);
        }
      } catch (err) {
        if (!paused) writeErrors.push(`at ${Math.round((Date.now() - t0) / 1000)} s: ${(err as Error).message}`);
      } finally {
        c?.close();
      }
    }
  };
  let deferredEdits = 0;
  const editor = async () => {
    let k = 0;
    while (Date.now() < end) {
      await sleep(1500);
      if (paused || Date.now() >= end) continue;
      // An outside edit: the current file plus one new issue, renamed over it as git would. A
      // careful teammate: an edit made from a file the daemon has since replaced is not renamed
      // over the daemon's newer file (that would delete the issues it added, as a teammate's
      // stale copy does), it is made again from the new file.
      const id = `soak-out${k}`;
      const now = new Date().toISOString();
      const line = JSON.stringify({ id, title: `outside ${id}`, status: 'open', priority: 2, issue_type: 'task', created_at: now, updated_at: now });
      if (outsideEdit(jsonl, line)) {
        outside.add(id);
        k++;
      } else {
        deferredEdits++;
      }
    }
  };
  const samples: Array<{ t: number; rssKb: number; fds: number }> = [];
  const faults = (async () => {
    await sleep(durationMs / 3);
    daemon.child.kill('SIGHUP');
    await sleep(durationMs / 2 - durationMs / 3);
    paused = true;
    await sleep(300);
    daemon.child.kill('SIGTERM');
    await daemon.closed;
    pastEvents.push(daemon.events);
    daemon = startDaemon(root);
    await waitServing();
    await until(() => fs.existsSync(socketPathFor(root)), 20_000, 'socket after restart');
    paused = false;
  })();
  const sampler = (async () => {
    while (Date.now() < end) {
      await sleep(Math.max(250, durationMs / 120));
      if (!paused && daemon.child.pid) {
        try {
          samples.push({ t: Date.now() - t0, ...procStat(daemon.child.pid) });
        } catch {
          // between daemons
        }
      }
    }
  })();
  await Promise.all([writer(1), writer(2), editor(), faults, sampler]);

  // Quiescence: the last export has run, then a clean stop (which exports what is pending).
  await sleep(1500);
  const final = procStat(daemon.child.pid!);
  daemon.child.kill('SIGTERM');
  const exitCode = await daemon.closed;
  pastEvents.push(daemon.events);
  void allEvents;

  const db = new Database(dbPath, { readonly: true });
  const dbIds = (db.prepare('SELECT id FROM issues').all() as Array<{ id: string }>).map((r) => r.id).sort();
  db.close();
  const fileIds = jsonlIds(jsonl).sort();
  const missingAcked = [...acked, ...outside].filter((id) => !dbIds.includes(id) || !fileIds.includes(id));
  const errors = pastEvents.flat().filter((e) => (ERROR_TYPE.test(e.type) && !RACE_LOST(e)) || e.type === 'soak/bad-line');
  const racesLost = pastEvents.flat().filter(RACE_LOST).length;
  // Warm-up: the second daemon's first quarter of samples; growth is measured after it.
  const afterRestart = samples.filter((s) => s.t > durationMs / 2);
  const warm = afterRestart[Math.floor(afterRestart.length / 4)] ?? afterRestart[0] ?? { rssKb: final.rssKb, fds: final.fds };
  const rssGrowthKb = final.rssKb - warm.rssKb;
  // A leak shows as growth that goes on; in a 30-s run the second daemon has lived ~15 s, and its
  // heap and page cache are still settling (+20 MB seen with no leak, flat over 10 minutes).
  const judgeRss = durationMs >= 5 * 60_000;
  const peakRss = Math.max(...samples.map((s) => s.rssKb), final.rssKb);
  const sameIds = dbIds.length === fileIds.length && dbIds.every((id, i) => id === fileIds[i]);

  const rows: SoakResult['rows'] = [
    ['duration', `${Math.round(durationMs / 1000)} s`, true],
    ['acknowledged RPC creates', String(acked.size), acked.size > 0],
    ['outside JSONL edits (made again after a race)', `${outside.size} (${deferredEdits})`, true],
    ['RPC errors outside the restart', String(writeErrors.length), writeErrors.length === 0],
    ['DB ≡ JSONL (ids)', `${dbIds.length} / ${fileIds.length}`, sameIds],
    ['acknowledged writes missing', String(missingAcked.length), missingAcked.length === 0],
    [
      'RSS after warm-up → end',
      `${warm.rssKb} → ${final.rssKb} KB (peak ${peakRss})${judgeRss ? '' : '; not judged: a run under 5 min is all warm-up (V8 and SQLite caches still growing with the DB), see the 10-minute runs'}`,
      !judgeRss || rssGrowthKb < RSS_LIMIT_KB,
    ],
    ['open fds after warm-up → end', `${warm.fds} → ${final.fds}`, final.fds <= warm.fds + 2],
    ['error events', String(errors.length), errors.length === 0],
    ['exports that gave way to an outside edit (ETARGETCHANGED, retried)', String(racesLost), true],
    ['clean exit after SIGTERM', String(exitCode), exitCode === 0],
    ['git sync', 'skipped (no git sync settings)', true],
  ];
  const pass = rows.every((r) => r[2]);
  log('| check | measured | ok |\n|---|---|---|');
  for (const [k, v, ok] of rows) log(`| ${k} | ${v} | ${ok ? 'yes' : 'NO'} |`);
  if (writeErrors.length) log(`RPC errors: ${writeErrors.slice(0, 5).join('; ')}`);
  if (errors.length) log(`error events: ${errors.slice(0, 5).map((e) => JSON.stringify(e)).join('\n')}`);
  if (missingAcked.length) log(`missing: ${missingAcked.slice(0, 10).join(' ')}`);
  log(`verdict: ${pass ? 'PASS' : 'FAIL'} (workspace ${root})`);
  if (pass) fs.rmSync(root, { recursive: true, force: true });
  return { rows, pass };
}

if (require.main === module) {
  const i = process.argv.indexOf('--duration');
  const duration = parseInterval(i > 0 ? process.argv[i + 1] : '10m');
  runSoak(duration).then(
    (r) => process.exit(r.pass ? 0 : 1),
    (err) => {
      console.error(err);
      process.exit(2);
    },
  );
}
