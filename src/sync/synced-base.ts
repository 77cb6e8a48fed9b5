import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempName } from '../jsonl/atomic-write';
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
 *
 * The base replaced is the previous file, and often its last name: renaming over it frees all
 * its blocks, on the caller's thread (~75 ms for 85 MB on ext4 under load, inside the daemon's
 * export). With `releaseOldInBackground` (see `AtomicWriteOptions`), it gets a temp's name
 * first and is unlinked on libuv's thread pool instead.
 */
export function keepBase(jsonlPath: string, key: string, opts: { releaseOldInBackground?: boolean } = {}): void {
  const base = basePathFor(jsonlPath);
  const tmp = `${base}-${process.pid}`;
  try {
    fs.rmSync(tmp, { force: true });
    fs.linkSync(jsonlPath, tmp);
    if (statKey(tmp) !== key) throw new Error('the file moved on');
    if (opts.releaseOldInBackground) moveAsideAndUnlink(base, jsonlPath);
    fs.renameSync(tmp, base);
  } catch {
    fs.rmSync(tmp, { force: true });
  }
}

/** Renames `file` to an old-file temp name of `target` (swept after a crash) and unlinks it in the background. */
function moveAsideAndUnlink(file: string, target: string): void {
  const aside = tempName(target, 'old-');
  try {
    fs.renameSync(file, aside);
  } catch {
    return; // no base yet: nothing to free
  }
  fs.unlink(aside, () => undefined);
}
