import * as fs from 'node:fs';
import * as path from 'node:path';
import { isProcessAlive } from '../os/is-process-alive';
import { fsyncDir, swapChecked } from './swap-checked';
import { tempName } from './temp-name';

export { TargetChangedError } from './swap-checked';
export { tempName } from './temp-name';

export interface AtomicWriteOptions {
  /**
   * Free the replaced file's blocks in the background. Renaming over an 8.5 MB file makes
   * rename() itself free them (~8 ms on ext4, on the caller's thread); with this, the old file
   * keeps a second name until rename() is done, and that name is unlinked on libuv's thread
   * pool. The daemon, and direct-mode commands (their event loop waits for the unlink before
   * the process exits); a process killed before it leaves the second name behind
   * (`sweepStaleTemps` removes it at a daemon's start).
   */
  releaseOldInBackground?: boolean;
  /**
   * Whether the file about to be replaced is still the one the caller decided on (its merge
   * and its copy were made from it). Called with the file that was at `target`, taken off the
   * path under a private name (so what it names is exactly the file that would be replaced),
   * or null when there was none. When it says no, or another file lands at `target` before
   * ours is put there, nothing is replaced and {@link TargetChangedError} is thrown: another
   * process changed the file since the caller looked (see `swapChecked` for how).
   */
  expectReplaced?: (held: string | null) => boolean;
}

/** Names taken (by a crashed writer, or planted) that one write skips before giving up. */
const MAX_TEMP_ATTEMPTS = 100;

/**
 * A new temp file beside `target`, opened with O_EXCL (`'wx'`): a file or symlink already at
 * that name is never opened, written or followed (a planted symlink would otherwise make the
 * export write through it, and then rename the symlink itself over the JSONL); the next name
 * is tried instead. 0644 like the JSONL it becomes (bd's mode; the JSONL is shared through git).
 */
export function createTemp(target: string): { tmp: string; fd: number } {
  for (let attempt = 1; ; attempt++) {
    const tmp = tempName(target, '');
    try {
      return { tmp, fd: fs.openSync(tmp, 'wx', 0o644) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= MAX_TEMP_ATTEMPTS) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
          throw new TempFileTakenError(path.dirname(target), path.basename(tmp).replace(/\d+-\d+$/, '*'));
        }
        throw err;
      }
    }
  }
}

/** Every temp name tried was taken: something keeps filling `.beads/` with them. */
export class TempFileTakenError extends Error {
  readonly code = 'EEXIST';

  constructor(dir: string, pattern: string) {
    super(
      `could not create a temp file in ${dir}: ${MAX_TEMP_ATTEMPTS} names (${pattern}) already exist; ` +
        'remove those files (no bd-rx process writes them while none is running) and retry',
    );
    this.name = 'TempFileTakenError';
  }
}

/**
 * Replaces `target` with `data` without a moment where it is truncated or half-written: a temp
 * file beside it (a dotfile the watcher ignores), fsync, rename, fsync of the directory.
 */
export function atomicWriteFile(target: string, data: Buffer, opts: AtomicWriteOptions = {}): void {
  replaceWithTemp(writeSyncedTemp(target, data), target, opts);
}

/**
 * The first half of {@link atomicWriteFile}: `data` in a new temp file beside `target`, on disk
 * (fsynced). Returns its path; on failure nothing is left behind. The name is the one
 * `sweepStaleTemps` knows, so a temp whose process died before the rename is removed later.
 */
export function writeSyncedTemp(target: string, data: Buffer): string {
  const { tmp, fd } = createTemp(target);
  try {
    let off = 0;
    while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  return tmp;
}

/**
 * The second half of {@link atomicWriteFile}: renames the synced temp `tmp` over `target`, then
 * fsyncs the directory. On failure `tmp` is removed and `target` is left as it was.
 *
 * With `expectReplaced`, the replace never overwrites a file the caller has not checked: see
 * `swapChecked` (the path is absent for the two syscalls of the swap).
 */
export function replaceWithTemp(tmp: string, target: string, opts: AtomicWriteOptions = {}): void {
  if (opts.expectReplaced) {
    swapChecked(tmp, target, opts.expectReplaced, { releaseInBackground: opts.releaseOldInBackground });
    return;
  }
  const old = opts.releaseOldInBackground ? keepOldName(target) : null;
  try {
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    if (old) fs.rmSync(old, { force: true });
    throw err;
  }
  if (old) fs.unlink(old, () => undefined);
  fsyncDir(target);
}

/** A second name for the file about to be replaced, or null when there is none. */
function keepOldName(target: string): string | null {
  const old = tempName(target, 'old-');
  try {
    fs.linkSync(target, old);
    return old;
  } catch {
    return null; // no old file, or links unsupported: rename frees it inline
  }
}

/**
 * Removes temp files of `target` (`.NAME.tmp-[old-|held-]PID-N`, `.NAME.tmp-base-PID`) left by
 * processes that are gone: a write interrupted by a crash, an old name whose background unlink
 * never ran, a base link not yet renamed into place. When `target` itself is missing and a
 * dead process holds a file taken off it (killed inside `swapChecked`), that file is put back
 * first: it is the one the DB was last in step with (the export that took it never committed).
 */
export function sweepStaleTemps(target: string): string[] {
  const dir = path.dirname(target);
  const prefix = `.${path.basename(target)}.tmp-`;
  const removed: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return removed;
  }
  const stale: Array<{ name: string; held: boolean }> = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    // `PID-N` (a temp), `old-PID-N` (a replaced file's second name), `held-PID-N` (a file
    // taken off the path by a swap), `base-PID` (the synced base being linked, see
    // synced-base.ts); the base itself (`base`) carries no pid.
    const m = /^(?:(old-|held-)?(\d+)-\d+|base-(\d+))$/.exec(name.slice(prefix.length));
    if (!m || isProcessAlive(Number(m[2] ?? m[3]))) continue;
    stale.push({ name, held: m[1] === 'held-' });
  }
  if (!fs.existsSync(target)) restoreHeld(target, stale.filter((s) => s.held).map((s) => path.join(dir, s.name)));
  for (const { name } of stale) {
    try {
      fs.rmSync(path.join(dir, name), { force: true });
      removed.push(name);
    } catch {
      // Someone else's file we cannot remove: leave it.
    }
  }
  return removed;
}

/**
 * The most recently taken of `held` back at `target`, never over a file there: the latest
 * ctime (rename sets it), then the higher counter (one process's names count up; the clock
 * behind ctime is coarse).
 */
function restoreHeld(target: string, held: string[]): void {
  let latest: { file: string; ctimeMs: number; n: number } | undefined;
  for (const file of held) {
    try {
      const { ctimeMs } = fs.statSync(file);
      const n = Number(/-(\d+)$/.exec(file)?.[1] ?? 0);
      if (!latest || ctimeMs > latest.ctimeMs || (ctimeMs === latest.ctimeMs && n > latest.n)) latest = { file, ctimeMs, n };
    } catch {
      // gone meanwhile
    }
  }
  if (!latest) return;
  try {
    fs.linkSync(latest.file, target);
    fsyncDir(target);
  } catch {
    // A file appeared at the target meanwhile (it stands), or links are unsupported: the next
    // export writes the JSONL from the DB, which holds everything the held file did.
  }
}
