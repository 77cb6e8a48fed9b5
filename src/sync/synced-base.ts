import * as fs from 'node:fs';
import * as path from 'node:path';
import { statKey } from './stat-key';

/**
 * The file last synced, kept as a second name of the same inode (a hard link made at each
 * sync, see `keepBase`): when git replaces the JSONL (a new inode), the base still holds the
 * bytes the DB is in step with, at no cost in memory or disk until the two differ. The name
 * is a temp's (`.issues.jsonl.tmp-base`), which .beads/.gitignore and the watcher already skip.
 */
export function basePathFor(jsonlPath: string): string {
  return path.join(path.dirname(jsonlPath), `.${path.basename(jsonlPath)}.tmp-base`);
}

/**
 * Makes the base the file now at `jsonlPath`, if that is still the file synced (stat `key`):
 * another file renamed there since is not a base (best effort: without one, imports read in full).
 */
export function keepBase(jsonlPath: string, key: string): void {
  const base = basePathFor(jsonlPath);
  const tmp = `${base}-${process.pid}`;
  try {
    fs.rmSync(tmp, { force: true });
    fs.linkSync(jsonlPath, tmp);
    if (statKey(tmp) !== key) throw new Error('the file moved on');
    fs.renameSync(tmp, base);
  } catch {
    fs.rmSync(tmp, { force: true });
  }
}
