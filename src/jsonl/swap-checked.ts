import * as fs from 'node:fs';
import * as path from 'node:path';
import { errnoCode } from '../os/errno-code';
import { tempName } from './temp-name';

/**
 * The file at the target is not the one the caller expected to replace (an outside rename or
 * write landed after the caller read it): nothing was replaced. Merge the file now there, then
 * write again.
 */
export class TargetChangedError extends Error {
  readonly code = 'ETARGETCHANGED';

  constructor(target: string) {
    super(`${target} was replaced by another process while an export was being written: merge it and export again`);
    this.name = 'TargetChangedError';
  }
}

/**
 * A file appeared at the target while the swap had it empty (after the file replaced was
 * approved and taken off the path): nothing was replaced. Whoever wrote it may have written a
 * whole file, or created one holding only their own line because they found none (`>>`, a tool
 * that reads a missing file as empty): merge it without deletions, then replace it.
 */
export class TargetLandedError extends TargetChangedError {
  constructor(target: string) {
    super(target);
    this.name = 'TargetLandedError';
  }
}

/** Codes of link(2) on a file system without hard links (FAT, some FUSE and network mounts). */
const NO_LINKS: ReadonlySet<string> = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/**
 * Puts the synced temp `tmp` at `target`, but only over the file `expected` approves (called
 * with the file that was at `target`, under a private name, or null when there was none). When
 * it does not approve, or another file lands at `target` meanwhile, nothing is overwritten:
 * `TargetChangedError`, `tmp` removed, the file found left (or put back) at `target`.
 *
 *     path:  [A]--rename A→held--(absent)--link tmp→path--[ours]   held checked in between
 *
 * Why this shape (it closed the soak's last lost outside edit): the export used to hold the
 * file by a hard link, check it, then rename its temp over the path. A teammate's rename (git,
 * an editor) landing between that link and the rename was silently overwritten: rename(2)
 * replaces whatever is at the path by then, and no check can look at a file after it has been
 * replaced. renameat2(RENAME_EXCHANGE) would hand back exactly the file replaced, but Node has
 * no binding for it (nor does macOS have it). So the two halves of a replace are done with
 * calls that cannot overwrite unseen work:
 * - rename(path → held) takes exactly what is at the path at that instant: the file checked is
 *   the file removed from the path, by construction (no window between looking and taking);
 * - link(tmp → path) fails with EEXIST instead of replacing: a file put there by anyone while
 *   the path was empty is kept (`TargetLandedError`); the caller merges it without deletions
 *   (its writer may have found the path empty and written only its own line) and replaces it;
 * - a file that fails the check goes back by link(held → path), which fails too if a newer one
 *   landed meanwhile; that newer file then stands, as its own rename would have made it.
 * The price: the path is absent between the two calls (two syscalls, or a crash there). Who can
 * see that: no bd-rx reader (every import and export of the workspace JSONL holds the SQLite
 * write lock the exporter holds, and a missing JSONL is `import/skipped: jsonl missing`, which
 * deletes nothing); the daemon's own watcher reports a change, and the import after it finds
 * its own write by stat; a crash leaves the file at the held name, which the next daemon
 * start puts back (`sweepStaleTemps`); a writer that creates the file because it finds none
 * (`>>`) lands a one-line file, merged without deletions; an outside `git add` there would stage
 * a deletion, which the next export and commit undo. A transient absence is visible and
 * repaired; an overwrite was silent and lost a teammate's work.
 *
 * On a file system without hard links the last call falls back to rename after checking the
 * path is still empty, which leaves that one microsecond window open there.
 */
export function swapChecked(
  tmp: string,
  target: string,
  expected: (held: string | null) => boolean,
  opts: { releaseInBackground?: boolean } = {},
): void {
  const held = tempName(target, 'held-');
  let holding: boolean;
  try {
    fs.renameSync(target, held);
    holding = true;
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
    holding = false;
  }
  let approved: boolean;
  try {
    approved = expected(holding ? held : null);
  } catch (err) {
    giveUp(tmp, holding ? held : null, target, false);
    throw err;
  }
  if (!approved) {
    giveUp(tmp, holding ? held : null, target, false);
    throw new TargetChangedError(target);
  }
  try {
    putWithoutReplacing(tmp, target);
  } catch (err) {
    const landed = errnoCode(err) === 'EEXIST';
    giveUp(tmp, holding ? held : null, target, landed);
    if (landed) throw new TargetLandedError(target);
    throw err;
  }
  // `tmp` and `target` name one inode now; dropping the temp name leaves its stat as it was.
  fs.rmSync(tmp, { force: true });
  if (holding) {
    // Freeing a large file's blocks costs milliseconds (~8 ms for 8.5 MB on ext4): in the
    // daemon that is done on libuv's thread pool, off the RPC thread.
    if (opts.releaseInBackground) fs.unlink(held, () => undefined);
    else fs.rmSync(held, { force: true });
  }
  fsyncDir(target);
}

/**
 * After a refused swap: drops `tmp` and puts the held file back at `target`, unless another file
 * landed there (`landed`, or found so by link) — that newer file stays, and the held one goes,
 * as the newer file's own rename would have replaced it.
 */
function giveUp(tmp: string, held: string | null, target: string, landed: boolean): void {
  fs.rmSync(tmp, { force: true });
  if (held === null) return;
  if (!landed) {
    try {
      putWithoutReplacing(held, target);
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
    }
  }
  fs.rmSync(held, { force: true });
  fsyncDir(target);
}

/** `file` at `target` (a second name), failing with EEXIST rather than replacing anything there. */
function putWithoutReplacing(file: string, target: string): void {
  try {
    fs.linkSync(file, target);
  } catch (err) {
    if (!NO_LINKS.has(errnoCode(err) ?? '')) throw err;
    if (fs.existsSync(target)) throw Object.assign(new Error(`${target} exists`), { code: 'EEXIST' });
    fs.renameSync(file, target);
  }
}

/** Makes the directory entries of `target` durable (where the file system supports it). */
export function fsyncDir(target: string): void {
  try {
    const dfd = fs.openSync(path.dirname(target), 'r');
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  } catch {
    // Directory fsync is not supported everywhere; the rename itself is already atomic.
  }
}
