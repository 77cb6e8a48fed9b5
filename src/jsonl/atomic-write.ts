import * as fs from 'node:fs';
import * as path from 'node:path';
import { isProcessAlive } from '../os/is-process-alive';

let counter = 0;

export interface AtomicWriteOptions {
  /**
   * Free the replaced file's blocks in the background. Renaming over an 8.5 MB file makes
   * rename() itself free them (~8 ms on ext4, on the caller's thread); with this, the old file
   * keeps a second name until rename() is done, and that name is unlinked on libuv's thread
   * pool. For a long-lived process (the daemon); a CLI that exits at once could leave the
   * second name behind (`sweepStaleTemps` removes it).
   */
  releaseOldInBackground?: boolean;
  /**
   * Whether the file about to be replaced is still the one the caller decided on (its merge
   * and its copy were made from it). Called with a second name of the file at `target` (a hard
   * link made just before the rename, so what it names cannot move), or null when there is no
   * file there. When it says no, nothing is renamed and {@link TargetChangedError} is thrown:
   * another process replaced the file since the caller looked, and renaming over it would
   * silently overwrite that change.
   */
  expectReplaced?: (held: string | null) => boolean;
}

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

export function tempName(target: string, kind: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.tmp-${kind}${process.pid}-${++counter}`);
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
 * With `expectReplaced`, the file at `target` is held by a second name first and checked: a
 * file replaced since the caller looked is never renamed over. Checked again after the rename:
 * a write into the held file in between (an in-place edit) is put back in place and reported
 * the same way. What no check can see is another rename landing in the microseconds between
 * the link and the rename; everything before is caught (the export's merge, copy and fsync).
 */
export function replaceWithTemp(tmp: string, target: string, opts: AtomicWriteOptions = {}): void {
  const check = opts.expectReplaced;
  const old = opts.releaseOldInBackground || check ? keepOldName(target) : null;
  const held = old ?? (check && fs.existsSync(target) ? target : null);
  if (check && !check(held)) {
    fs.rmSync(tmp, { force: true });
    if (old) fs.rmSync(old, { force: true });
    throw new TargetChangedError(target);
  }
  try {
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    if (old) fs.rmSync(old, { force: true });
    throw err;
  }
  if (check && old && !check(old)) {
    // Written in place while we renamed: that edit is only in the held file now. Put it back
    // (our file is dropped; the caller has recorded nothing yet) and let the caller merge it.
    fs.renameSync(old, target);
    fsyncDir(target);
    throw new TargetChangedError(target);
  }
  if (old) {
    if (opts.releaseOldInBackground) fs.unlink(old, () => undefined);
    else fs.rmSync(old, { force: true });
  }
  fsyncDir(target);
}

function fsyncDir(target: string): void {
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
 * Removes temp files of `target` (`.NAME.tmp-[old-]PID-N`, `.NAME.tmp-base-PID`) left by
 * processes that are gone: a write interrupted by a crash, an old name whose background unlink
 * never ran, a base link not yet renamed into place.
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
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    // `PID-N` (a temp), `old-PID-N` (a replaced file's second name), `base-PID` (the synced
    // base being linked, see synced-base.ts); the base itself (`base`) carries no pid.
    const m = /^(?:old-(\d+)-\d+|(\d+)-\d+|base-(\d+))$/.exec(name.slice(prefix.length));
    if (!m || isProcessAlive(Number(m[1] ?? m[2] ?? m[3]))) continue;
    try {
      fs.rmSync(path.join(dir, name), { force: true });
      removed.push(name);
    } catch {
      // Someone else's file we cannot remove: leave it.
    }
  }
  return removed;
}
