/**
 * Dashboard benchmark: does watching slow the daemon? A real `bd-rx daemon --dashboard` (the
 * compiled CLI: `npm run build` first) in a temp workspace, RPC creates over its socket (one
 * connection, 32 in flight), alternating rounds with no tab open and with `--tabs` real
 * headless Chromium tabs following every event.
 *
 *   npx ts-node --transpile-only scripts/bench-dashboard.ts [--creates 3000] [--rounds 5] [--tabs 5] [--no-append]
 *
 * The floor is the same daemon's throughput with no tab, measured in the same run; the noise
 * is the spread of those no-tab rounds ((max − min) / median). Target: the tabs' median within
 * that noise of the floor's. Prints a Markdown section and appends it to BENCHMARKS.md (unless
 * --no-append). A report, not a test: exits 0 whatever the numbers.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RpcClient } from '../src/rpc/rpc-client';
import { socketPathFor } from '../src/rpc/socket-path';
import { launchBrowser } from '../spec/dashboard/browser';
import { createsPerSecond } from '../spec/dashboard/rpc-load';
import { runCliOk, startDaemon } from '../spec/helpers/daemon-process';

const REPO = path.resolve(__dirname, '..');

function option(argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const creates = option(argv, '--creates', 3000);
  const rounds = option(argv, '--rounds', 5);
  const tabCount = option(argv, '--tabs', 5);
  const append = !argv.includes('--no-append');

  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'bd-rx-bench-dash-')));
  runCliOk(root, ['init', '--prefix', 'b']);
  const d = startDaemon({ cwd: root, args: ['--dashboard', '--debounce-ms', '500', '--log-format', 'json'] });
  const browser = await launchBrowser();
  try {
    const started = (await d.waitForEvent('daemon/started', 20_000)) as { dashboard_url?: string };
    await d.waitUntilWatching();
    const client = await RpcClient.connect(socketPathFor(root), { timeoutMs: 30_000, expectedDb: path.join(root, '.beads', 'beads.db'), actor: 'bench' });
    await createsPerSecond(client, 1000, 32, 'warm-up');
    const rows: Array<{ round: number; none: number; tabs: number; cutOff: boolean }> = [];
    for (let round = 1; round <= rounds; round++) {
      const none = await createsPerSecond(client, creates, 32, `none ${round}`);
      const tabs = [];
      for (let t = 0; t < tabCount; t++) tabs.push(await browser.open(started.dashboard_url!));
      for (const tab of tabs) await tab.waitForFunction(() => (globalThis as any).bdDashboard.connection() === 'live');
      const before = await Promise.all(tabs.map((t) => t.evaluate(() => (globalThis as any).bdDashboard.received() as number)));
      const withTabs = await createsPerSecond(client, creates, 32, `tabs ${round}`);
      let caughtUp = true;
      for (let i = 0; i < tabs.length; i++) {
        caughtUp &&= await tabs[i]
          .waitForFunction((n) => (globalThis as any).bdDashboard.received() >= n, before[i] + creates, { timeout: 60_000 })
          .then(() => true, () => false);
      }
      await Promise.all(tabs.map((t) => t.close()));
      rows.push({ round, none, tabs: withTabs, cutOff: !caughtUp });
      console.error(`round ${round}: none ${Math.round(none)}/s, ${tabCount} tabs ${Math.round(withTabs)}/s`);
    }
    client.close();

    const noneMed = median(rows.map((r) => r.none));
    const tabsMed = median(rows.map((r) => r.tabs));
    const noise = (Math.max(...rows.map((r) => r.none)) - Math.min(...rows.map((r) => r.none))) / noneMed;
    const ratio = tabsMed / noneMed;
    const verdict = Math.abs(1 - ratio) <= noise ? 'within noise' : ratio > 1 ? 'faster than noise allows (noise)' : 'SLOWER than the noise';
    const commit = (() => {
      try {
        return require('node:child_process').execSync('git rev-parse --short HEAD', { cwd: REPO, encoding: 'utf8' }).trim();
      } catch {
        return 'unknown';
      }
    })();
    const lines = [
      '',
      `## Dashboard: RPC throughput with ${tabCount} tabs open (code at ${commit}, ${new Date().toISOString().slice(0, 16)}Z)`,
      '',
      `\`npx ts-node --transpile-only scripts/bench-dashboard.ts --creates ${creates} --rounds ${rounds} --tabs ${tabCount}\`: one RPC connection, 32 creates in flight, debounce 500 ms; ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)} at the end.`,
      '',
      `| round | no tab (floor), creates/s | ${tabCount} tabs, creates/s | tabs got every event |`,
      '|---|---|---|---|',
      ...rows.map((r) => `| ${r.round} | ${Math.round(r.none)} | ${Math.round(r.tabs)} | ${r.cutOff ? 'no' : 'yes'} |`),
      `| **median** | **${Math.round(noneMed)}** | **${Math.round(tabsMed)}** | |`,
      '',
      `Ratio ${tabCount} tabs / no tab: **${ratio.toFixed(3)}**; noise of the no-tab rounds ((max − min) / median): ${(noise * 100).toFixed(1)} % → ${verdict}.`,
      '',
    ];
    const md = lines.join('\n');
    console.log(md);
    if (append) fs.appendFileSync(path.join(REPO, 'BENCHMARKS.md'), md);
  } finally {
    await browser.close();
    await d.stop().catch(() => d.kill());
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
