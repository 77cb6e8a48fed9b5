import * as fs from 'node:fs';
import * as path from 'node:path';
import { CODE_DIR } from '../os/code-dir';

/**
 * The page ships as plain files in `web/dashboard/` at the package root, beside `src/` and
 * `dist/`: one level above the code directory (`src/` under ts-node and jest, `dist/` built;
 * see code-dir.ts), so one path serves both and the build needs no copy step.
 */
export const ASSETS_DIR = path.resolve(CODE_DIR, '..', 'web', 'dashboard');

export interface Asset {
  body: Buffer;
  contentType: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export class DashboardAssetsMissingError extends Error {
  constructor(dir: string, cause: unknown) {
    super(
      `the dashboard page's files are missing from ${dir} (${(cause as Error).message}): ` +
        'reinstall bd-rx, or run it from a checkout that has web/dashboard/',
    );
    this.name = 'DashboardAssetsMissingError';
  }
}

/**
 * Reads the page's files once, at start: a missing file fails the daemon's start with a clear
 * message instead of a 404 in a browser later. `index.html` gets the token in place of
 * `__TOKEN__`, so its links to the other files pass the token check too.
 */
export function loadAssets(token: string, dir = ASSETS_DIR): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  try {
    for (const name of fs.readdirSync(dir)) {
      const type = TYPES[path.extname(name)];
      if (!type) continue;
      let body = fs.readFileSync(path.join(dir, name));
      if (name === 'index.html') body = Buffer.from(body.toString('utf8').replaceAll('__TOKEN__', token));
      assets.set(name === 'index.html' ? '/' : `/${name}`, { body, contentType: type });
    }
    if (!assets.has('/')) throw new Error('no index.html');
  } catch (err) {
    throw new DashboardAssetsMissingError(dir, err);
  }
  return assets;
}
