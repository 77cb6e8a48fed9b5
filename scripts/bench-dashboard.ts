/**
 * Dashboard benchmark: does watching slow the daemon? A real `bd-rx daemon --dashboard` (the
 * compiled CLI: `npm run build` first) in a temp workspace, RPC creates over its socket (a
 * connection per round, 32 in flight), in rounds that rotate through the arms:
 *
 *   none       no viewer (the floor)
 *   sse        `--tabs` plain SSE readers in a process of their own (the daemon's own cost)
 *   tabs       `--tabs` real headless Chromium tabs (the daemon's cost + the browsers' CPU)
 *   tabs-nice  the same in a Chromium reniced to 19 (the browsers only get what is left)
 *
 *   npx ts-node --transpile-only scripts/bench-dashboard.ts [--creates 2000] [--rounds 5] [--tabs 5]
 *       [--arms none,sse,tabs,tabs-nice] [--idle-seconds 10] [--no-append]
 *   npx ts-node --transpile-only scripts/bench-dashboard.ts --profile [--creates 2000] [--tabs 5]
 *
 * `--profile` instead measures where the tabs' CPU goes during one round: a Chromium trace of
 * the whole browser (per process and thread; on the renderers' main threads, by trace event)
 * and /proc per kind of process, for `--tabs` visible tabs and for a window of 1 visible tab
 * and the rest hidden (what a hidden tab still costs is the part that does not draw).
 *
 * First, the idle cost: `--tabs` Chromium tabs (normal priority) open on the daemon while
 * nothing happens, for `--idle-seconds`: the CPU of their renderers, of the GPU process (which
 * composites every frame, in software here) and of the browser process, per second, and the
 * animation frames the pages ran (0 skips it).
 *
 * Besides creates/s it reads, from /proc, the daemon's CPU per 1,000 creates and the viewers'
 * CPU during the round: that tells what serving the streams costs the daemon from what the
 * browsers take from the same cores. The floor is the no-viewer arm of the same run; its noise
 * is the spread of its rounds ((max − min) / median). Prints a Markdown section and appends it
 * to BENCHMARKS.md (unless --no-append). A report, not a test: exits 0 whatever the numbers.
 */
import { execSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RpcClient } from '../src/rpc/rpc-client';
import { socketPathFor } from '../src/rpc/socket-path';
import type { Page } from 'playwright-core';
import type { PageGlobals } from '../spec/dashboard/browser';
import { cpuMs, cpuMsByThread, cpuMsByType } from '../spec/dashboard/process-cpu';
import { traceBrowser } from '../spec/dashboard/trace-split';
import { createsPerSecond } from '../spec/dashboard/rpc-load';
import { launchViewerBrowser, openSseReaders, openTabs, type ViewerBrowser, type Viewers } from '../spec/dashboard/viewers';
import { runCliOk, startDaemon } from '../spec/helpers/daemon-process';

const REPO = path.resolve(__dirname, '..');
const ARMS = ['none', 'sse', 'tabs', 'tabs-nice'] as const;
type Arm = (typeof ARMS)[number];

function option(argv: string[], name: string, fallback: string): string {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

interface Row {
  round: number;
  arm: Arm;
  rate: number;
  daemonCpuPer1k: number;
  viewerCpuMs: number;
  viewerCpuByType: Record<string, number>;
  complete: boolean;
  /** How long after the round's last create every viewer had every event. */
  receivedAfterMs: number;
}

interface Idle {
  seconds: number;
  /** CPU ms per second, by kind of Chromium process. */
  perSec: Record<string, number>;
  /** Animation frames per second, all tabs together. */
  framesPerSec: number;
}

/** `n` tabs open and drawn, then `seconds` of nothing happening: what they cost the machine. */
async function measureIdle(vb: ViewerBrowser, url: string, n: number, seconds: number): Promise<Idle> {
  const tabs: Page[] = [];
  for (let t = 0; t < n; t++) tabs.push(await vb.browser.open(url));
  for (const tab of tabs) {
    await tab.waitForFunction(() => (globalThis as PageGlobals).bdDashboard.connection() === 'live', undefined, { timeout: 20_000 });
    await tab.waitForFunction(() => (globalThis as PageGlobals).bdDashboard.waiting() === 0, undefined, { timeout: 20_000 });
  }
  const frames = () => Promise.all(tabs.map((t) => t.evaluate(() => (globalThis as PageGlobals).bdDashboard.frames() as number)));
  await new Promise((resolve) => setTimeout(resolve, 2000)); // past the replay's drawing and its garbage
  const cpu0 = cpuMsByType(vb.processes());
  const f0 = await frames();
  const t0 = Date.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const cpu1 = cpuMsByType(vb.processes());
  const f1 = await frames();
  const secs = (Date.now() - t0) / 1000;
  for (const t of tabs) await t.close();
  const perSec: Record<string, number> = {};
  for (const k of Object.keys(cpu1)) perSec[k] = (cpu1[k] - (cpu0[k] ?? 0)) / secs;
  return { seconds: secs, perSec, framesPerSec: f1.reduce((a, b, i) => a + b - f0[i], 0) / secs };
}

/** One round with `n` tabs (`hidden` of them hidden), traced: where the tabs' CPU went. */
async function profileRound(vb: ViewerBrowser, url: string, n: number, hidden: number, creates: number, load: (label: string) => Promise<number>): Promise<void> {
  // Untraced first: a trace costs the browser CPU of its own (in the utility process most).
  const plain = await openTabs(vb, url, n, 20_000, hidden);
  const frames = () => Promise.all(vb.browser.context.pages().filter((t) => t.url().includes("token=")).map((t) => t.evaluate(() => (globalThis as PageGlobals).bdDashboard.frames() as number)));
  const f0 = await frames();
  const threads0 = cpuMsByThread(vb.processes());
  const plainRate = await load(`profile untraced ${hidden}`);
  const f1 = await frames();
  while ((await plain.received()).some((c) => c < creates)) await new Promise((r) => setTimeout(r, 50));
  const plainCpu = plain.cpuMsByType();
  const threads1 = cpuMsByThread(vb.processes());
  const threads = Object.entries(threads1).map(([k, v]) => [k, v - (threads0[k] ?? 0)] as const).filter(([, v]) => v > 0).sort((x, y) => y[1] - x[1]);
  console.log(`/proc by thread, ms CPU in the round: ${JSON.stringify(Object.fromEntries(threads))}`);

  await plain.close();
  console.log(`\n### ${plain.kind}, untraced: ${Math.round(plainRate)} creates/s; frames per tab in the round ${f1.map((f, i) => f - f0[i]).join(', ')}; /proc, ms CPU in the round: ${JSON.stringify(plainCpu)}`);
  const viewers = await openTabs(vb, url, n, 20_000, hidden);
  const page = vb.browser.context.pages().filter((t) => t.url().includes('token='))[0];
  // The first tab's JavaScript, sampled (the sampling costs that tab CPU of its own).
  const prof = await page.context().newCDPSession(page);
  await prof.send('Profiler.enable');
  await prof.send('Profiler.setSamplingInterval', { interval: 500 });
  await prof.send('Profiler.start');
  let rate = 0;
  let drawnAfterMs = 0;
  const split = await traceBrowser(page, async () => {
    rate = await load(`profile ${hidden}`);
    const t0 = Date.now();
    while ((await viewers.received()).some((c) => c < creates) && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 50));
    drawnAfterMs = Date.now() - t0;
  });
  const byType = viewers.cpuMsByType();
  const { profile } = await prof.send('Profiler.stop');
  await prof.detach();
  await viewers.close();
  const rest = Object.values(split.rendererMain).reduce((a, b) => a + b, 0);
  console.log(`${viewers.kind}, traced: ${creates} creates at ${Math.round(rate)} creates/s; every event received ${drawnAfterMs} ms after the last create; load ${os.loadavg()[0].toFixed(1)}`);
  console.log(`/proc, ms CPU in the round (tracing on): ${JSON.stringify(byType)}`);
  console.log(`trace, ms CPU by process/thread: ${JSON.stringify(split.threads)}`);
  console.log(`trace, renderers' main threads (${Math.round(rest)} ms), exclusive ms by event: ${JSON.stringify(split.rendererMain)}`);
  console.log(`the first tab's JS, ms by function (self, sampled): ${JSON.stringify(selfTimes(profile as CpuProfile))}`);
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples?: number[];
  timeDeltas?: number[];
}

/** Self time (ms) by function in a V8 CPU profile, the largest first. */
function selfTimes(p: CpuProfile): Record<string, number> {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const ms: Record<string, number> = {};
  (p.samples ?? []).forEach((id, i) => {
    const f = byId.get(id)!.callFrame;
    const k = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()?.split('?')[0] ?? ''}:${f.lineNumber + 1}`;
    ms[k] = (ms[k] ?? 0) + (p.timeDeltas?.[i] ?? 0) / 1000;
  });
  return Object.fromEntries(Object.entries(ms).sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, v]) => [k, Math.round(v)]));
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const creates = Number(option(argv, '--creates', '2000'));
  const rounds = Number(option(argv, '--rounds', '5'));
  const tabCount = Number(option(argv, '--tabs', '5'));
  const arms = option(argv, '--arms', ARMS.join(',')).split(',') as Arm[];
  for (const a of arms) if (!ARMS.includes(a)) throw new Error(`unknown arm ${a}: use ${ARMS.join(', ')}`);
  const append = !argv.includes('--no-append');
  const idleSeconds = Number(option(argv, '--idle-seconds', '10'));

  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'bd-rx-bench-dash-')));
  runCliOk(root, ['init', '--prefix', 'b']);
  const d = startDaemon({ cwd: root, args: ['--dashboard', '--debounce-ms', '500', '--log-format', 'json'] });
  const browsers: Partial<Record<Arm, ViewerBrowser>> = {};
  try {
    if (arms.includes('tabs')) browsers.tabs = await launchViewerBrowser();
    if (arms.includes('tabs-nice')) browsers['tabs-nice'] = await launchViewerBrowser(19);
    const started = (await d.waitForEvent('daemon/started', 20_000)) as { dashboard_url?: string };
    await d.waitUntilWatching();
    const url = started.dashboard_url!;
    // A connection per round: opening and closing tabs on a loaded machine can outlast the
    // daemon's 30 s idle timeout of a connection.
    const connect = () => RpcClient.connect(socketPathFor(root), { timeoutMs: 30_000, expectedDb: path.join(root, '.beads', 'beads.db'), actor: 'bench' });
    const load = async (label: string) => {
      const c = await connect();
      try {
        return await createsPerSecond(c, creates, 32, label);
      } finally {
        c.close();
      }
    };
    const client = await connect();
    await createsPerSecond(client, 1000, 32, 'warm-up');
    client.close();
    if (argv.includes('--profile')) {
      const vb = browsers.tabs ?? (browsers.tabs = await launchViewerBrowser());
      await load('warm-up round');
      for (const hidden of [0, tabCount - 1]) await profileRound(vb, url, tabCount, hidden, creates, load);
      return;
    }
    let idle: Idle | undefined;
    if (idleSeconds > 0) {
      const vb = browsers.tabs ?? (browsers.tabs = await launchViewerBrowser());
      idle = await measureIdle(vb, url, tabCount, idleSeconds);
      console.error(`idle: ${JSON.stringify(idle)}`);
    }
    // A round's worth, untimed: the first timed round was an outlier without it (JIT, SQLite's cache).
    await load('warm-up round');
    const rows: Row[] = [];
    for (let round = 1; round <= rounds; round++) {
      // Rotated, so no arm always follows the same one (an export still running, a tab closing).
      const order = arms.map((_, i) => arms[(i + round - 1) % arms.length]);
      for (const arm of order) {
        let viewers: Viewers | undefined;
        if (arm === 'sse') viewers = await openSseReaders(url, tabCount);
        else if (arm !== 'none') viewers = await openTabs(browsers[arm]!, url, tabCount, 20_000);
        const cpu0 = cpuMs(d.pid);
        const rate = await load(`${arm} ${round}`);
        const daemonCpuPer1k = ((cpuMs(d.pid) - cpu0) * 1000) / creates;
        let complete = true;
        let receivedAfterMs = 0;
        // The viewers' CPU until each has every event: a page that defers work past the round
        // (coalesced frames, a backlog) is charged for it.
        if (viewers) {
          const t0 = Date.now();
          while ((await viewers.received()).some((n) => n < creates) && Date.now() - t0 < 60_000) {
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          receivedAfterMs = Date.now() - t0;
          complete = (await viewers.received()).every((n) => n >= creates);
        }
        const viewerCpuMs = viewers?.cpuMs() ?? 0;
        const viewerCpuByType = viewers?.cpuMsByType() ?? {};
        await viewers?.close();
        rows.push({ round, arm, rate, daemonCpuPer1k, viewerCpuMs, viewerCpuByType, complete, receivedAfterMs });
        console.error(`round ${round} ${arm}: ${Math.round(rate)} creates/s, daemon ${daemonCpuPer1k.toFixed(0)} ms CPU / 1k, viewers ${viewerCpuMs} ms`);
      }
    }
    report(rows, arms, idle, { creates, rounds, tabCount, append });
  } catch (err) {
    // Say what the daemon said: a dropped connection is otherwise all one sees.
    console.error(`daemon exit: ${JSON.stringify(d.exit)}\nstderr: ${d.stderr.slice(-2000)}\nlast lines: ${d.lines.slice(-5).join('\n')}`);
    throw err;
  } finally {
    for (const b of Object.values(browsers)) await b?.close();
    await d.stop().catch(() => d.kill());
    fs.rmSync(root, { recursive: true, force: true });
  }
}

function report(rows: Row[], arms: Arm[], idle: Idle | undefined, o: { creates: number; rounds: number; tabCount: number; append: boolean }): void {
  const of = (arm: Arm) => rows.filter((r) => r.arm === arm);
  const floor = of('none').map((r) => r.rate);
  const floorMed = median(floor);
  const noise = floor.length > 1 ? (Math.max(...floor) - Math.min(...floor)) / floorMed : NaN;
  const commit = (() => {
    try {
      return execSync('git rev-parse --short HEAD', { cwd: REPO, encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })();
  const label: Record<Arm, string> = {
    none: 'no viewer (floor)',
    sse: `${o.tabCount} SSE readers`,
    tabs: `${o.tabCount} Chromium tabs`,
    'tabs-nice': `${o.tabCount} Chromium tabs, nice 19`,
  };
  const lines = [
    '',
    `## Dashboard: RPC throughput with ${o.tabCount} viewers (${process.env.BD_RX_CLI_BIN ? `daemon ${process.env.BD_RX_CLI_BIN}, bench` : 'code'} at ${commit}, ${new Date().toISOString().slice(0, 16)}Z)`,
    '',
    `\`${process.env.BD_RX_CLI_BIN ? `BD_RX_CLI_BIN=${process.env.BD_RX_CLI_BIN} ` : ''}npx ts-node --transpile-only scripts/bench-dashboard.ts --creates ${o.creates} --rounds ${o.rounds} --tabs ${o.tabCount} --arms ${arms.join(',')}\`: ` +
      `a new RPC connection per round, 32 creates in flight, debounce 500 ms; ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)} at the end.`,
    '',
    ...(idle
      ? [
          `Idle, ${o.tabCount} visible tabs, ${idle.seconds.toFixed(1)} s with nothing happening: ` +
            Object.entries(idle.perSec)
              .sort((a, b) => b[1] - a[1])
              .map(([k, v]) => `${k} ${v.toFixed(0)} ms/s`)
              .join(', ') +
            ` (total ${Object.values(idle.perSec).reduce((a, b) => a + b, 0).toFixed(0)} ms CPU per second); ${idle.framesPerSec.toFixed(1)} animation frames per second, all tabs.`,
          '',
        ]
      : []),
    '| arm | creates/s per round | median | / floor | daemon CPU ms per 1k creates (median) | viewers\' CPU ms per round, until each had every event (median; renderers / GPU process) | every viewer got every event (median ms after the last create) |',
    '|---|---|---|---|---|---|---|',
    ...arms.map((arm) => {
      const rs = of(arm);
      const med = median(rs.map((r) => r.rate));
      return `| ${label[arm]} | ${rs.map((r) => Math.round(r.rate)).join(', ')} | **${Math.round(med)}** | ${(med / floorMed).toFixed(2)} | ${median(rs.map((r) => r.daemonCpuPer1k)).toFixed(0)} | ${arm === 'none' ? '—' : median(rs.map((r) => r.viewerCpuMs)).toFixed(0) + (arm.startsWith('tabs') ? ` (${median(rs.map((r) => r.viewerCpuByType.renderer ?? 0)).toFixed(0)} / ${median(rs.map((r) => r.viewerCpuByType['gpu-process'] ?? 0)).toFixed(0)})` : '')} | ${arm === 'none' ? '—' : `${rs.every((r) => r.complete) ? 'yes' : 'NO'} (${median(rs.map((r) => r.receivedAfterMs)).toFixed(0)})`} |`;
    }),
    '',
    `Noise of the floor ((max − min) / median of its ${floor.length} rounds): ${(noise * 100).toFixed(1)} %, i.e. a band down to ${Math.round(Math.min(...floor))} creates/s.`,
    ...arms
      .filter((a) => a !== 'none')
      .map((arm) => {
        const med = median(of(arm).map((r) => r.rate));
        return `- ${label[arm]}: median ${Math.round(med)} → ${med >= Math.min(...floor) ? 'within the noise band (or above it)' : 'BELOW the noise band'}.`;
      }),
    '',
  ];
  const md = lines.join('\n');
  console.log(md);
  if (o.append) fs.appendFileSync(path.join(REPO, 'BENCHMARKS.md'), md);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
