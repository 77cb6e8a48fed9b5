import { parentPort, workerData } from 'node:worker_threads';
import { serveCheckpoints } from './checkpoint-role';

/**
 * Entry point of a checkpoint thread of its own (see `WalCheckpointer`; the daemon runs it on
 * its shared helper thread instead, src/os/helper-worker.ts).
 */
if (parentPort) serveCheckpoints(parentPort, workerData as string);
