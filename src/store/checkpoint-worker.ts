import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckpointerMessage, CheckpointResult } from './wal-checkpointer';

/**
 * Entry point of the checkpoint thread (see `WalCheckpointer`): a connection of its own to the
 * daemon's database, which copies the WAL back into it (PASSIVE: never waits on the daemon's
 * connection) each time it is asked, and reports what it did.
 */
const port = parentPort;
if (port) {
  const db = new Database(workerData as string, { timeout: 10_000 });
  port.on('message', (message: CheckpointerMessage) => {
    if (message === 'close') {
      db.close();
      port.close();
      return;
    }
    const started = performance.now();
    try {
      const [row] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number; checkpointed: number }>;
      const result: CheckpointResult = {
        walPages: row?.log ?? 0,
        copied: row?.checkpointed ?? 0,
        ms: Math.round((performance.now() - started) * 10) / 10,
      };
      port.postMessage(result);
    } catch (err) {
      port.postMessage({ error: err instanceof Error ? err.message : String(err) });
    }
  });
}
