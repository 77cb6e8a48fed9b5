import * as path from 'node:path';
import type { MessagePort } from 'node:worker_threads';
import { ROLE_STOP } from '../os/helper-thread';
import { fileChange$, type FileChangeOptions } from './file-change';
import { quietDirWatch } from './quiet-dir-watch';
import type { WatcherMessage } from './watcher-thread';
// The module object itself (not an import-star copy of it), so quietDirWatch can wrap `watch`.
import fs = require('node:fs');

/**
 * The watcher's side of `watcherThread$`, on a thread of its own or on the daemon's shared
 * helper thread: runs `fileChange$` with `opts` and posts what it reports over `port`. Only the
 * few events worth a look cross over. Raw events for the other files in `.beads/` (SQLite's WAL
 * above all) are dropped before chokidar sees them (`quietDirWatch`); the thread's `fs` is its
 * own, and nothing else there watches files. Asked to stop (or its port closed), it closes its
 * watches.
 */
export function serveWatcher(port: MessagePort, opts: Omit<FileChangeOptions, 'onReady' | 'createWatcher'>): void {
  const post = (message: WatcherMessage): void => port.postMessage(message);
  quietDirWatch(fs, opts.beadsDir, [path.basename(opts.jsonlPath)]);
  const sub = fileChange$({ ...opts, onReady: () => post({ ready: true }) }).subscribe((event) => post({ event }));
  const stop = (): void => {
    sub.unsubscribe();
    port.close();
  };
  port.on('message', (m: unknown) => {
    if (m === ROLE_STOP) stop();
  });
  port.on('close', () => sub.unsubscribe());
}
