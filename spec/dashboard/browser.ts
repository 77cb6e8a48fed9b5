import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from '../helpers/daemon-process';

/**
 * A real headless Chromium for the dashboard's tests: Debian's `chromium` package (or
 * `$CHROME_PATH`), driven by playwright-core, in a new empty profile each time. The browser is a
 * test prerequisite like git: without it the test fails with how to install it.
 */

export const CHROME_PATH = process.env.CHROME_PATH || '/usr/bin/chromium';

export const CHROME_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export class BrowserMissingError extends Error {
  constructor(where: string) {
    super(
      `no Chromium at ${where}: the dashboard tests need a real browser. Install it with ` +
        '`sudo apt-get update && sudo apt-get install -y chromium` (Debian/Ubuntu), or point ' +
        'CHROME_PATH at a Chromium or Chrome binary',
    );
    this.name = 'BrowserMissingError';
  }
}

/** Where screenshots and traces of the dashboard tests go (gitignored). */
export const ARTIFACTS_DIR = path.join(REPO_ROOT, 'test-artifacts');

export interface TestBrowser {
  context: BrowserContext;
  /** A new tab; console errors and page errors on it fail `assertNoPageErrors`. */
  open(url: string): Promise<Page>;
  /** Errors the page reported (uncaught exceptions, console.error), so a test can assert none. */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function launchBrowser(executablePath = CHROME_PATH): Promise<TestBrowser> {
  try {
    fs.accessSync(executablePath, fs.constants.X_OK);
  } catch {
    throw new BrowserMissingError(executablePath);
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'bd-rx-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROME_ARGS,
    viewport: { width: 1440, height: 1000 },
  });
  const pageErrors: string[] = [];
  return {
    context,
    pageErrors,
    open: async (url) => {
      const page = await context.newPage();
      page.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`));
      page.on('console', (msg) => {
        if (msg.type() === 'error') pageErrors.push(`console.error: ${msg.text()}`);
      });
      await page.goto(url);
      return page;
    },
    close: async () => {
      await context.close().catch(() => undefined);
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Starts a browser before each test and closes it after. */
export function useBrowser(): () => TestBrowser {
  let current: TestBrowser | undefined;
  beforeEach(async () => {
    current = await launchBrowser();
  }, 60_000);
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('useBrowser(): no browser (call inside a test)');
    return current;
  };
}

/** How many marbles of `type` the lane `lane` shows (the README's DOM contract). */
export function marbles(page: Page, lane: string, type?: string): Promise<number> {
  const sel = `[data-lane="${lane}"] [data-event-type${type ? `="${type}"` : ''}]`;
  return page.locator(sel).count();
}

/**
 * The page's globals, untyped: the specs compile without the DOM's types. `page.bdDashboard` is
 * the page's read-only hook (drawn, waiting, received, frames, connection).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type PageGlobals = any;

/**
 * Resolves once `probe`, run in the page with `arg`, is truthy. A function, not a string: the
 * page's Content-Security-Policy forbids eval, which a string probe would need.
 */
export async function waitInPage<T>(
  page: Page,
  probe: (arg: PageGlobals) => T,
  timeoutMs: number,
  what: string,
  arg?: unknown,
): Promise<T> {
  try {
    const handle = await page.waitForFunction(probe, arg, { timeout: timeoutMs, polling: 50 });
    return (await handle.jsonValue()) as T;
  } catch (err) {
    throw new Error(`timed out after ${timeoutMs} ms waiting in the page for ${what}: ${(err as Error).message.split('\n')[0]}`);
  }
}

/**
 * Hides (or shows) a tab as a browser does for a background tab: `document.hidden`,
 * `visibilityState` and a `visibilitychange` event. Headless Chromium reports every tab as
 * visible (minimised windows and background targets included), so this is how a test gets a
 * hidden tab; the page is the real one, on its real stream.
 */
export function setHidden(page: Page, hidden: boolean): Promise<void> {
  return page.evaluate((h) => {
    const g = globalThis as PageGlobals;
    Object.defineProperty(g.document, 'hidden', { configurable: true, get: () => h });
    Object.defineProperty(g.document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
    g.document.dispatchEvent(new g.Event('visibilitychange'));
  }, hidden);
}
