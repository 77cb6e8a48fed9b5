import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface WatchedDir {
  root: string;
  beadsDir: string;
  jsonlPath: string;
}

/**
 * A temp workspace for the watcher tests: `.beads/` holding a one-issue JSONL. The root is a
 * physical path (git reports physical paths; os.tmpdir() may be a symlink), and is pushed onto
 * `cleanup` for the caller's afterEach to remove.
 */
export function watchedDir(prefix: string, cleanup: string[]): WatchedDir {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  cleanup.push(root);
  const beadsDir = path.join(root, '.beads');
  fs.mkdirSync(beadsDir);
  const jsonlPath = path.join(beadsDir, 'issues.jsonl');
  fs.writeFileSync(jsonlPath, '{"id":"bd-1"}\n');
  return { root, beadsDir, jsonlPath };
}
