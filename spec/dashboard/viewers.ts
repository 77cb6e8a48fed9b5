import type { Page } from 'playwright-core';
import { type PageGlobals, type TestBrowser, launchBrowser, setHidden, waitInPage } from './browser';
import { waitForQuiet } from '../helpers/wait-for';
import { chromiumProcesses, cpuMs, cpuMsByType, descendants, parentOf, renice } from './process-cpu';
import { startSseReaders } from './sse-readers';

/**
 * Whoever watches the dashboard during a throughput round: `n` real Chromium tabs, or `n` plain
 * SSE readers. Both say how many live events each got, and how much CPU they took meanwhile.
 */
export interface Viewers {
  readonly kind: string;
  /** Live events each has received since it opened. */
  received(): Promise<number[]>;
  /** CPU (ms) the viewers' processes have used so far (read it before `close`). */
  cpuMs(): number;
  /** The same by kind of process (Chromium: renderer, gpu-process, browser, …). */
  cpuMsByType(): Record<string, number>;
  close(): Promise<void>;
}

export async function openSseReaders(url: string, n: number): Promise<Viewers> {
  const readers = await startSseReaders(url, n);
  const cpuAtOpen = cpuMs(readers.pid); // not its start-up (loading ts-node)
  return {
    kind: `${n} SSE readers`,
    received: () => readers.counts(),
    cpuMs: () => cpuMs(readers.pid) - cpuAtOpen,
    cpuMsByType: () => ({ node: cpuMs(readers.pid) - cpuAtOpen }),
    close: () => readers.close(),
  };
}

/** A Chromium of its own (so its CPU can be told from another's), at `niceness` when given. */
export interface ViewerBrowser {
  browser: TestBrowser;
  niceness: number | undefined;
  /** The browser's processes now (renderers come and go with tabs). */
  processes(): number[];
  close(): Promise<void>;
}

export async function launchViewerBrowser(niceness?: number): Promise<ViewerBrowser> {
  const before = new Set(chromiumProcesses());
  const browser = await launchBrowser();
  // Playwright spawns the browser process itself; everything else Chromium starts is below it.
  const roots = chromiumProcesses().filter((pid) => !before.has(pid) && parentOf(pid) === process.pid);
  const processes = () => roots.flatMap((r) => [r, ...descendants(r)]);
  if (niceness !== undefined) renice(processes(), niceness);
  return { browser, niceness, processes, close: () => browser.close() };
}

/**
 * `n` tabs of the dashboard in `vb`, each live and done drawing its replay. With `hidden`, that
 * many of them (the last ones) are then hidden (setHidden), as the background tabs of one
 * window are: a hidden tab holds what it gets without drawing it, so what it got counts both.
 */
export async function openTabs(vb: ViewerBrowser, url: string, n: number, waitMs: number, hidden = 0): Promise<Viewers> {
  const tabs: Page[] = [];
  for (let t = 0; t < n; t++) tabs.push(await vb.browser.open(url));
  // Live, and done drawing the replay: a round measures watching, not a page's start.
  for (const tab of tabs) {
    await waitInPage(tab, () => (globalThis as PageGlobals).bdDashboard.connection() === 'live', waitMs, 'the tab to be live');
    await waitInPage(tab, () => (globalThis as PageGlobals).bdDashboard.waiting() === 0, waitMs, 'the tab to draw its replay');
  }
  for (const tab of tabs.slice(n - hidden)) await setHidden(tab, true);
  // New renderers fork from the zygote and inherit its niceness; this catches any that did not.
  if (vb.niceness !== undefined) renice(vb.processes(), vb.niceness);
  const count = () =>
    Promise.all(
      tabs.map((t) =>
        t.evaluate(() => {
          const b = (globalThis as PageGlobals).bdDashboard;
          return (b.received() + (b.drawing() ? 0 : b.waiting())) as number;
        }),
      ),
    );
  const base = await count();
  const cpuAtOpen = sum(vb.processes().map(cpuMs));
  const byTypeAtOpen = cpuMsByType(vb.processes());
  return {
    kind: `${n} Chromium tabs${hidden ? ` (${n - hidden} visible, ${hidden} hidden)` : ''}${vb.niceness !== undefined ? ` (nice ${vb.niceness})` : ''}`,
    received: async () => (await count()).map((c, i) => c - base[i]),
    cpuMs: () => sum(vb.processes().map(cpuMs)) - cpuAtOpen,
    cpuMsByType: () => {
      const now = cpuMsByType(vb.processes());
      return Object.fromEntries(Object.entries(now).map(([k, v]) => [k, v - (byTypeAtOpen[k] ?? 0)]));
    },
    close: async () => {
      await Promise.all(tabs.map((t) => t.close()));
      // The browser has finished tearing the tabs down before the next round: not its cost. A
      // settling step, not a check: on a machine that never lets it be quiet, go on after a while.
      await waitForQuiet(() => sum(vb.processes().map(cpuMs)), 300, 3 * waitMs).catch((err: Error) => {
        console.warn(`the browser did not settle after closing the tabs: ${err.message}`);
      });
    },
  };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
