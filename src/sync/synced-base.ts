import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The file last synced, kept as a second name of the same inode (a hard link made at each
 * sync, see `keepBase`): when git replaces the JSONL (a new inode), the base still holds the
 * bytes the DB is in step with, at no cost in memory or disk until the two differ. The name
 * is a temp's (`.issues.jsonl.tmp-base`), which .beads/.gitignore and the watcher already skip.
 */
export function basePathFor(jsonlPath: string): string {
  return path.join(path.dirname(jsonlPath), `.${path.basename(jsonlPath)}.tmp-base`);
}

/** Makes the base the file now at `jsonlPath` (best effort: without it imports read in full). */
export function keepBase(jsonlPath: string): void {
  const base = basePathFor(jsonlPath);
  const tmp = `${base}-${process.pid}`;
  try {
    fs.rmSync(tmp, { force: true });
    fs.linkSync(jsonlPath, tmp);
    fs.renameSync(tmp, base);
  } catch {
    fs.rmSync(tmp, { force: true });
  }
}
