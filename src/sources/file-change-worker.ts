import * as path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { fileChange$, type FileChangeOptions } from './file-change';
import { quietDirWatch } from './quiet-dir-watch';
import type { WatcherMessage } from './watcher-thread';
// The module object itself (not an import-star copy of it), so quietDirWatch can wrap `watch`.
import fs = require('node:fs');

/**
 * Entry point of the watcher thread (see `watcherThread$`): runs `fileChange$` with the options
 * it was started with and posts what it reports. Only the few events worth a look cross over.
 * Raw events for the other files in `.beads/` (SQLite's WAL above all) are dropped before
 * chokidar sees them (`quietDirWatch`); this thread's `fs` is its own, so that touches nothing
 * else.
 */
const port = parentPort;
if (port) {
  const post = (message: WatcherMessage): void => port.postMessage(message);
  const opts = workerData as Omit<FileChangeOptions, 'onReady' | 'createWatcher'>;
  quietDirWatch(fs, opts.beadsDir, [path.basename(opts.jsonlPath)]);
  fileChange$({ ...opts, onReady: () => post({ ready: true }) }).subscribe((event) => post({ event }));
}
