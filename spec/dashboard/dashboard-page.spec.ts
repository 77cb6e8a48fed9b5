import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { readDaemonLock } from '../../src/daemon/daemon-lock';
import { type DaemonProcess, issueLine, useDaemons, type Workspace } from '../helpers/daemon-process';
import { cliOk, WAIT, withClient } from '../helpers/real-daemon';
import { ARTIFACTS_DIR, marbles, type PageGlobals, useBrowser, waitInPage } from './browser';

/**
 * The dashboard end to end: a real daemon with `--dashboard`, its page in a real headless
 * Chromium, issues created over the daemon's real socket, a real outside write to the JSONL.
 */

jest.setTimeout(120_000);

// Long enough that a burst of RPC creates lands in one debounce window, even on a loaded machine.
const DEBOUNCE_MS = 1500;

/** GET (or another method) without a browser: status and body. */
function request(url: string, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (s: string) => (body += s));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

describe('bd-rx daemon --dashboard (a real daemon, a real browser)', () => {
  const { workspace, start } = useDaemons();
  const browser = useBrowser();

  async function daemonWithDashboard(
    ws: Workspace,
    opts: { debounceMs?: number; maxWaitMs?: number; port?: number } = {},
  ): Promise<{ d: DaemonProcess; url: string }> {
    const d = start({
      cwd: ws.root,
      args: [
        '--dashboard',
        ...(opts.port !== undefined ? ['--dashboard-port', String(opts.port)] : []),
        '--debounce-ms',
        String(opts.debounceMs ?? DEBOUNCE_MS),
        '--max-wait-ms',
        String(opts.maxWaitMs ?? 20_000),
      ],
    });
    const started = await d.waitForEvent('daemon/started', WAIT);
    await d.waitUntilWatching();
    const url = (started as { dashboard_url?: string }).dashboard_url;
    if (!url) throw new Error(`daemon/started carries no dashboard_url:\n${d.transcript()}`);
    return { d, url };
  }

  async function live(page: import('playwright-core').Page): Promise<void> {
    await waitInPage(page, () => (globalThis as PageGlobals).bdDashboard.connection() === 'live', WAIT, 'the stream to be live');
  }

  it('should draw 20 creates in one burst as 20 mutation marbles and one export with data-batched="20", then an outside append as an fs and an import marble', async () => {
    const ws = workspace();
    const { d, url } = await daemonWithDashboard(ws);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32}$/);
    const page = await browser().open(url);
    await live(page);

    const mark = d.mark();
    await withClient(ws, (c) => Promise.all(Array.from({ length: 20 }, (_, i) => c.request('create', { title: `Burst ${i}` }))));
    const exported = await d.waitForEvent('export/done', WAIT, mark);
    expect(exported).toMatchObject({ batched: 20 });

    const doneSel = '[data-lane="export"] [data-event-type="export/done"]';
    await page.locator(doneSel).first().waitFor({ state: 'attached', timeout: WAIT });
    expect(await marbles(page, 'mutation', 'store/mutated')).toBe(20);
    expect(await page.locator(doneSel).count()).toBe(1);
    expect(await page.locator(doneSel).getAttribute('data-batched')).toBe('20');

    // Paused, the diagram holds still; clicking the export's bar shows its JSON, and so does its row.
    await page.click('#pause');
    const seq = Number(await page.locator(doneSel).getAttribute('data-seq'));
    const at = await page.evaluate((s) => (globalThis as PageGlobals).bdDashboard.where(s), seq);
    // The contract's element is what the canvas draws: the bar is there, in the export lane's green.
    const pixel = await page.evaluate(({ cx, cy }) => {
      const c = (globalThis as PageGlobals).document.getElementById('scene');
      const dpr = (globalThis as PageGlobals).devicePixelRatio || 1;
      return Array.from(c.getContext('2d').getImageData(Math.round(cx * dpr), Math.round(cy * dpr), 1, 1).data);
    }, at);
    expect(pixel).toEqual([0x66, 0xbb, 0x6a, 255]);
    await page.mouse.click(at.x, at.y);
    const detail = async () => JSON.parse((await page.locator('#detail').textContent())!.split('\n\n//')[0]);
    expect(await detail()).toMatchObject({ type: 'export/done', batched: 20 });
    await page.locator('#rows tr[data-event-type="store/mutated"]').first().click();
    expect(await detail()).toMatchObject({ type: 'store/mutated', op: 'create' });

    await page.click('#pause'); // resume
    const fsBefore = await marbles(page, 'fs', 'fs/changed');
    const importMark = d.mark();
    fs.appendFileSync(ws.jsonlPath, issueLine('t-outside') + '\n');
    await d.waitForEvent((e) => e.type === 'import/done' && e.created === 1, WAIT, importMark, 'the import of the outside line');
    const importSel = '[data-lane="import"] [data-event-type="import/done"]';
    await page.locator(importSel).first().waitFor({ state: 'attached', timeout: WAIT });
    expect(await marbles(page, 'fs', 'fs/changed')).toBeGreaterThan(fsBefore);
    expect(await page.locator(importSel).count()).toBe(1);
    expect(Number(await page.locator(importSel).getAttribute('data-batched'))).toBeGreaterThanOrEqual(1);

    // The rows filter by type.
    await page.selectOption('#type-filter', 'store/mutated');
    await waitInPage(page, () => (globalThis as PageGlobals).document.querySelectorAll('#rows tr').length === 20, WAIT, '20 rows of store/mutated');
    const types = await page.locator('#rows tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-event-type')));
    expect(new Set(types)).toEqual(new Set(['store/mutated']));
    await page.selectOption('#type-filter', '');

    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const shot = path.join(ARTIFACTS_DIR, 'dashboard.png');
    await page.screenshot({ path: shot });
    expect(fs.statSync(shot).size).toBeGreaterThan(10_000);
    expect(browser().pageErrors).toEqual([]);
  });

  it('should show a tab opened late the recent events first (the replay)', async () => {
    const ws = workspace();
    const { d, url } = await daemonWithDashboard(ws, { debounceMs: 100, maxWaitMs: 1000 });
    const mark = d.mark();
    await withClient(ws, (c) => Promise.all(Array.from({ length: 5 }, (_, i) => c.request('create', { title: `Early ${i}` }))));
    await d.waitForEvent('export/done', WAIT, mark);
    const page = await browser().open(url);
    await live(page);
    await page.locator('[data-lane="export"] [data-event-type="export/done"]').first().waitFor({ state: 'attached', timeout: WAIT });
    expect(await marbles(page, 'mutation', 'store/mutated')).toBe(5);
    expect(await marbles(page, 'daemon', 'daemon/started')).toBe(1);
  });

  it('should refuse every request without the token with 403, and any method but GET with 405', async () => {
    const ws = workspace();
    const { url } = await daemonWithDashboard(ws);
    const u = new URL(url);
    const base = `${u.origin}`;
    for (const p of ['/', '/events', '/dashboard.js', '/nope']) {
      const r = await request(`${base}${p}`);
      expect({ path: p, status: r.status }).toEqual({ path: p, status: 403 });
      expect(r.body).toMatch(/bd-rx dashboard/);
    }
    expect((await request(`${base}/?token=${'0'.repeat(32)}`)).status).toBe(403);
    expect((await request(url, 'POST')).status).toBe(405);
    expect((await request(url, 'DELETE')).status).toBe(405);
    const ok = await request(url);
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('<title>bd-rx · live</title>');
    // In a browser too: the page without its token is the 403 text, not the dashboard.
    const page = await browser().open(base + '/');
    expect(await page.textContent('body')).toMatch(/forbidden/);
  });

  it('should carry dashboard_url in `daemon status --json`, the lock file, and `bd-rx dashboard`', async () => {
    const ws = workspace();
    const { url } = await daemonWithDashboard(ws);
    const status = await cliOk(['daemon', 'status', '--json'], { cwd: ws.root });
    expect(status.json.dashboard_url).toBe(url);
    const lock = readDaemonLock(ws.beadsDir);
    expect(lock?.dashboard_url).toBe(url);
    // The lock now holds a secret: readable by its owner only.
    expect(fs.statSync(path.join(ws.beadsDir, 'daemon.lock')).mode & 0o077).toBe(0);
    const printed = await cliOk(['dashboard'], { cwd: ws.root });
    expect(printed.stdout.trim()).toBe(url);
    expect((await cliOk(['dashboard', '--json'], { cwd: ws.root })).json).toEqual({ dashboard_url: url });
  });

  it('should tell `bd-rx dashboard` users how to get one when the daemon runs without it', async () => {
    const ws = workspace();
    const d = start({ cwd: ws.root, args: ['--debounce-ms', '100'] });
    await d.waitForEvent('daemon/started', WAIT);
    await d.waitUntilWatching();
    const { runCliAsync } = await import('../helpers/real-daemon');
    const r = await runCliAsync(['dashboard'], { cwd: ws.root });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/without a dashboard: restart it with `bd-rx daemon restart --dashboard`/);
    expect((d.events[0] as { dashboard_url?: string }).dashboard_url).toBeUndefined();
  });

  it('should reconnect after the daemon restarts, keeping what it had drawn', async () => {
    const ws = workspace();
    const port = await freePort();
    const first = await daemonWithDashboard(ws, { port, debounceMs: 100, maxWaitMs: 1000 });
    const page = await browser().open(first.url);
    await live(page);
    await first.d.stop();
    await waitInPage(page, () => (globalThis as PageGlobals).bdDashboard.connection() !== 'live', WAIT, 'the page to notice the daemon left');

    const second = await daemonWithDashboard(ws, { port, debounceMs: 100, maxWaitMs: 1000 });
    expect(new URL(second.url).port).toBe(String(port));
    expect(second.url).not.toBe(first.url); // a new token per start
    // The old token is refused: the page asks for the new URL, as `bd-rx dashboard` prints it.
    await page.locator('#new-url-input').waitFor({ state: 'visible', timeout: WAIT });
    expect(await page.textContent('#banner-text')).toMatch(/new token/);
    const printed = (await cliOk(['dashboard'], { cwd: ws.root })).stdout.trim();
    await page.fill('#new-url-input', printed);
    await page.click('#new-url button');
    await live(page);
    await waitInPage(page, () => (globalThis as PageGlobals).document.querySelectorAll('[data-lane="daemon"] [data-event-type="daemon/started"]').length === 2, WAIT, 'both runs drawn');
    expect(await marbles(page, 'daemon', 'daemon/stopped')).toBe(1);
    expect(page.url()).toBe(printed);
  });
});
