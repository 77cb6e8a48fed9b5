import type * as fsModule from 'node:fs';
import * as path from 'node:path';

/**
 * Makes `fs.watch` on `dir` report only changes to the names in `keep` (and to `dir` itself),
 * by wrapping `fs.watch` of the given module object. For the watcher thread only, which owns
 * its module instances: nothing else there watches files.
 *
 * Why: chokidar re-lists a watched directory (readdir, then an lstat per entry) on every raw
 * event in it, and ignores the file name the event carries. `.beads/` also holds SQLite's WAL,
 * written on every commit, so a stream of writes kept chokidar listing the directory back to
 * back (~650 µs of CPU per RPC create). Events for names we ignore anyway now stop here;
 * everything chokidar needs to see the JSONL added, changed, replaced by a rename, removed or
 * re-created still passes, and so do events without a name (the kernel's queue overflowed) and
 * events on `dir` itself (it was removed or moved).
 *
 *     raw:     --wal--wal--jsonl--shm--tmp→jsonl--
 *     passed:  ----------jsonl--------jsonl------
 */
export function quietDirWatch(fs: typeof fsModule, dir: string, keep: readonly string[]): void {
  const watched = path.resolve(dir);
  const names = new Set([...keep, path.basename(watched)]);
  const watch = fs.watch;
  const quiet = ((target: fsModule.PathLike, ...rest: unknown[]) => {
    if (typeof target !== 'string' || path.resolve(target) !== watched) {
      return (watch as (...a: unknown[]) => fsModule.FSWatcher)(target, ...rest);
    }
    const i = rest.findIndex((a) => typeof a === 'function');
    if (i < 0) return (watch as (...a: unknown[]) => fsModule.FSWatcher)(target, ...rest);
    const listener = rest[i] as (event: string, filename: string | Buffer | null) => void;
    const args = [...rest];
    args[i] = (event: string, filename: string | Buffer | null) => {
      if (filename === null || names.has(filename.toString())) listener(event, filename);
    };
    return (watch as (...a: unknown[]) => fsModule.FSWatcher)(target, ...args);
  }) as typeof fs.watch;
  fs.watch = quiet;
}
