import type { Page } from 'playwright-core';
import type { DaemonProcess, StartDaemonOptions } from '../helpers/daemon-process';
import { WAIT } from '../helpers/real-daemon';
import { type PageGlobals, type TestBrowser, waitInPage } from './browser';

/** The daemon settings the dashboard specs drive: several debounce windows and exports a second. */
export const DASHBOARD_ARGS = ['--dashboard', '--debounce-ms', '200', '--max-wait-ms', '1000'];

/**
 * A daemon with its dashboard on workspace `root`, and a tab of `browser` on the page once its
 * stream is live (the replay may still be drawing: see `bdDashboard.settled()`).
 */
export async function openLiveDashboard(
  start: (opts: StartDaemonOptions) => DaemonProcess,
  root: string,
  browser: TestBrowser,
): Promise<{ d: DaemonProcess; page: Page }> {
  const d = start({ cwd: root, args: DASHBOARD_ARGS });
  const started = (await d.waitForEvent('daemon/started', WAIT)) as { dashboard_url?: string };
  await d.waitUntilWatching();
  const page = await browser.open(started.dashboard_url!);
  await waitInPage(page, () => (globalThis as PageGlobals).bdDashboard.connection() === 'live', WAIT, 'the stream to be live');
  return { d, page };
}
