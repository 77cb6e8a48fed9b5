import { useDaemons } from '../helpers/daemon-process';
import { WAIT, withClient } from '../helpers/real-daemon';
import { createsPerSecond } from './rpc-load';
import { marbles, type PageGlobals, useBrowser, waitInPage } from './browser';
import { openLiveDashboard } from './live-dashboard';

/**
 * A visible tab under a stream of events runs about one frame a second, not one per message: it
 * keeps each message as it comes and takes them in, parsed and drawn together, one 1 s gap
 * after the last (the first after a pause at once), the side panels, the status numbers and the
 * strip's position with them (no slide steps between), the rows every 3 s while the stream
 * lasts, and a backlog the frame's budget left is taken in 100 ms apart. Counted on the real page of a real daemon
 * taking RPC creates as fast as it can, in a real browser; every create still becomes a marble
 * (each one counted in the DOM contract). The longest a message waited to be drawn is logged,
 * not judged (on a loaded machine timers fire late). What it costs in CPU is
 * scripts/bench-dashboard.ts's (BENCHMARKS.md).
 */

jest.setTimeout(180_000);

const CREATES = 3000;
const GAP_MS = 1000;

describe('the dashboard page in a visible tab under a stream of events (a real daemon, a real browser)', () => {
  const { workspace, start } = useDaemons();
  const browser = useBrowser();

  it('should take events in at most once per 1 s gap while creates stream in, and still draw every create as a marble', async () => {
    const ws = workspace();
    const { page } = await openLiveDashboard(start, ws.root, browser());
    await waitInPage(page, () => (globalThis as PageGlobals).bdDashboard.settled(), WAIT, 'the replay settled');
    const read = () =>
      page.evaluate(() => {
        const b = (globalThis as PageGlobals).bdDashboard;
        return {
          at: performance.now() as number,
          frames: b.frames() as number,
          strips: b.strips() as number,
          statuses: b.statuses() as number,
          backlog: b.backlogFrames() as number,
        };
      });

    const before = await read();
    const rate = await withClient(ws, (c) => createsPerSecond(c, CREATES, 32, 'busy'));
    const after = await read();
    const spanMs = after.at - before.at;
    const frames = after.frames - before.frames;
    const strips = after.strips - before.strips;
    const statuses = after.statuses - before.statuses;
    const backlog = after.backlog - before.backlog;
    // One events frame per gap (and one at either edge of the span), one per status update that
    // came between two, one per rows redraw (every 3 s) and per strip that slid out, plus the
    // backlog frames a slow machine needs. A frame per 50 ms message was 20 a second.
    const bound = Math.floor(spanMs / GAP_MS) + 2 + statuses + Math.floor(spanMs / 3000) + 1 + strips + backlog;
    console.log(
      `busy tab: ${CREATES} creates at ${Math.round(rate)}/s over ${Math.round(spanMs)} ms: ${frames} frames (bound ${bound}: ` +
        `${statuses} statuses, ${strips} strips, ${backlog} backlog frames)`,
    );
    expect(frames).toBeLessThanOrEqual(bound);

    await waitInPage(page, () => (globalThis as PageGlobals).bdDashboard.waiting() === 0, 60_000, 'every create taken in');
    await waitInPage(page, () => (globalThis as PageGlobals).bdDashboard.settled(), WAIT, 'the last frame drawn');
    const longest = await page.evaluate((t) => (globalThis as PageGlobals).bdDashboard.longestWait(t) as number, before.at);
    console.log(`busy tab: the longest a message waited to be drawn: ${Math.round(longest)} ms (the gap is ${GAP_MS} ms)`);
    expect(await marbles(page, 'mutation', 'store/mutated')).toBe(CREATES);
    expect(browser().pageErrors).toEqual([]);
  });
});
