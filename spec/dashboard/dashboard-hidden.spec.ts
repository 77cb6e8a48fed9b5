import type { Page } from 'playwright-core';
import { useDaemons } from '../helpers/daemon-process';
import { WAIT, withClient } from '../helpers/real-daemon';
import { marbles, type PageGlobals, setHidden, useBrowser, waitInPage } from './browser';

/**
 * A hidden tab costs next to nothing: it draws no frames and parses no events, only keeps the
 * messages' text (bounded), and draws them all once shown. Headless Chromium reports every tab
 * as visible, so the test hides it as a browser would (setHidden), on the real page with its
 * real stream from a real daemon.
 */

jest.setTimeout(120_000);

describe('the dashboard page in a hidden tab (a real daemon, a real browser)', () => {
  const { workspace, start } = useDaemons();
  const browser = useBrowser();

  it('should draw no frame and no marble while hidden, holding the events, and draw them all once shown', async () => {
    const ws = workspace();
    const d = start({ cwd: ws.root, args: ['--dashboard', '--debounce-ms', '200', '--max-wait-ms', '1000'] });
    const started = (await d.waitForEvent('daemon/started', WAIT)) as { dashboard_url?: string };
    await d.waitUntilWatching();
    const page = await browser().open(started.dashboard_url!);
    const dash = (p: Page) => p.evaluate(() => {
      const b = (globalThis as PageGlobals).bdDashboard;
      return { frames: b.frames(), drawn: b.drawn(), received: b.received(), waiting: b.waiting(), drawing: b.drawing() };
    });
    await waitInPage(page, () => (globalThis as PageGlobals).bdDashboard.connection() === 'live', WAIT, 'the stream to be live');
    await waitInPage(page, () => (globalThis as PageGlobals).bdDashboard.waiting() === 0, WAIT, 'the replay drawn');

    await setHidden(page, true);
    await waitInPage(page, () => !(globalThis as PageGlobals).bdDashboard.drawing(), WAIT, 'the frame loop to stop');
    const before = await dash(page);
    const mark = d.mark();
    await withClient(ws, (c) => Promise.all(Array.from({ length: 20 }, (_, i) => c.request('create', { title: `Hidden ${i}` }))));
    await d.waitForEvent('export/done', WAIT, mark);
    await waitInPage(page, () => (globalThis as PageGlobals).bdDashboard.waiting() >= 21, WAIT, 'the 20 creates and the export to reach the hidden tab');
    const hidden = await dash(page);
    expect(hidden).toEqual({ ...before, waiting: hidden.waiting });
    expect(hidden.waiting).toBeGreaterThanOrEqual(21);
    expect(await marbles(page, 'mutation', 'store/mutated')).toBe(0);

    await setHidden(page, false);
    await waitInPage(page, () => (globalThis as PageGlobals).bdDashboard.waiting() === 0, WAIT, 'the held events drawn');
    const shown = await dash(page);
    expect(shown.drawing).toBe(true);
    expect(shown.frames).toBeGreaterThan(before.frames);
    expect(shown.received - before.received).toBeGreaterThanOrEqual(hidden.waiting); // and any logged since
    expect(await marbles(page, 'mutation', 'store/mutated')).toBe(20);
    expect(await page.locator('[data-lane="export"] [data-event-type="export/done"][data-batched="20"]').count()).toBe(1);
    expect(browser().pageErrors).toEqual([]);
  });
});
