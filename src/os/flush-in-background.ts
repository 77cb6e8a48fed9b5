import * as fs from 'node:fs';

/**
 * Starts writing `file`'s dirty pages to disk on libuv's thread pool, through a descriptor of
 * its own that is closed there, and returns at once: a head start only, never a promise of
 * durability (whoever needs that fsyncs). Two uses: a file this process is about to fsync after
 * other work (the source `import -i` writes as the JSONL), and a file someone else has just
 * written (a `git pull`'s JSONL) when this process will fsync anything soon: on ext4
 * (data=ordered) the first fsync after an 85 MB file was written waits for those 85 MB to reach
 * the disk, whichever file it is for (SQLite's first commit after its WAL was reset syncs the
 * WAL's header). Started early, that write runs beside the import's read and compare instead.
 */
export function flushInBackground(file: string): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return;
  }
  fs.fdatasync(fd, () => fs.close(fd, () => undefined));
}
