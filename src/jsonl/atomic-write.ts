import * as fs from 'node:fs';
import * as path from 'node:path';

let counter = 0;

/**
 * Replaces `target` with `data` without a moment where it is truncated or half-written: a temp
 * file beside it (a dotfile the watcher ignores), fsync, rename, fsync of the directory.
 */
export function atomicWriteFile(target: string, data: Buffer): void {
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.tmp-${process.pid}-${++counter}`);
  const fd = fs.openSync(tmp, 'w', 0o644);
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
  try {
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  try {
    const dfd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  } catch {
    // Directory fsync is not supported everywhere; the rename itself is already atomic.
  }
}
