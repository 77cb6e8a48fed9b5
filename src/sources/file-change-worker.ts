import { parentPort, workerData } from 'node:worker_threads';
import { serveWatcher } from './watcher-role';

/**
 * Entry point of a watcher thread of its own (see `watcherThread$`; the daemon runs the watcher
 * on its shared helper thread instead, src/os/helper-worker.ts).
 */
if (parentPort) serveWatcher(parentPort, workerData as Parameters<typeof serveWatcher>[1]);
