import { useDaemons } from '../helpers/daemon-process';
import { WAIT, withClient } from '../helpers/real-daemon';
import { type PageGlobals, useBrowser, waitInPage } from './browser';

/**
 * A visible tab costs next to nothing while nothing happens: the compositor scrolls the
 * diagram (a strip wider than the view, slid by a transform), so the page runs an animation
 * frame only when something changed: the status numbers (once a second) or the strip's spare
 * width used up (every few seconds at the default zoom), not one per display refresh. What that
 * costs in CPU is scripts/bench-dashboard.ts's idle line (BENCHMARKS.md); this pins the
 * behaviour: frames counted on the real page of a real daemon, in a real browser.
 */

jest.setTimeout(120_000);

const STATUSES = 4; // the daemon sends one a second: the span watched

describe('the dashboard page in a visible idle tab (a real daemon, a real browser)', () => {
  const { workspace, start } = useDaemons();
  const browser = useBrowser();

  it('should run an animation frame only for a status update or a new strip while idle, the diagram still scrolling', async () => {
    const ws = workspace();
    const d = start({ cwd: ws.root, args: ['--dashboard', '--debounce-ms', '100', '--max-wait-ms', '1000'] });
    const started = (await d.waitForEvent('daemon/started', WAIT)) as { dashboard_url?: string };
    await d.waitUntilWatching();
    const mark = d.mark();
    await withClient(ws, (c) => Promise.all(Array.from({ length: 5 }, (_, i) => c.request('create', { title: `Idle ${i}` }))));
    await d.waitForEvent('export/done', WAIT, mark);
    const page = await browser().open(started.dashboard_url!);
    await waitInPage(page, () => (globalThis as PageGlobals).bdDashboard.connection() === 'live', WAIT, 'the stream to be live');
    await waitInPage(page, () => (globalThis as PageGlobals).bdDashboard.waiting() === 0 && (globalThis as PageGlobals).document.querySelectorAll('[data-event-type="export/done"]').length >= 1, WAIT, 'the replay drawn');

    const seq = Number(await page.locator('[data-lane="mutation"] [data-event-type="store/mutated"]').first().getAttribute('data-seq'));
    const read = () =>
      page.evaluate((s) => {
        const b = (globalThis as PageGlobals).bdDashboard;
        return { frames: b.frames(), strips: b.strips(), statuses: b.statuses(), received: b.received(), x: b.where(s).x as number };
      }, seq);
    // The replay's last rows and counters may still be waiting for their redraw: the span starts after.
    await waitInPage(page, () => (globalThis as PageGlobals).bdDashboard.settled(), WAIT, 'the replay settled');
    const before = await read();
    await waitInPage(page, (n: number) => (globalThis as PageGlobals).bdDashboard.statuses() >= n, WAIT, `${STATUSES} status updates`, before.statuses + STATUSES);
    const after = await read();
    const statuses = after.statuses - before.statuses;
    const strips = after.strips - before.strips;
    const events = after.received - before.received; // the daemon's own, if any came (none is usual)
    console.log(`idle tab over ${statuses} status updates: ${after.frames - before.frames} frames, ${strips} new strips, ${events} events; the marble moved ${(before.x - after.x).toFixed(0)} px`);
    // A frame per status, one per strip, two per event that came (drawn, then its row), and one of
    // slack (a status and a strip in separate frames at the edges of the span): some tens of times
    // fewer than a frame per display refresh.
    expect(after.frames - before.frames).toBeLessThanOrEqual(statuses + strips + 2 * events + 1);
    expect(strips).toBeLessThanOrEqual(2); // ~5 s of scroll per strip at the default 100 px/s
    // Without frames, the diagram still moved left: the compositor slides it (100 px/s).
    expect(before.x - after.x).toBeGreaterThan(100);
    expect(browser().pageErrors).toEqual([]);
  });
});
