import Database from 'better-sqlite3';
import type { MessagePort } from 'node:worker_threads';
import { ROLE_STOP } from '../os/helper-thread';
import type { CheckpointerMessage, CheckpointResult } from './wal-checkpointer';

/**
 * The checkpointer's side of `WalCheckpointer`, on a thread of its own or on the daemon's shared
 * helper thread: a connection of its own to the daemon's database, which copies the WAL back
 * into it (PASSIVE: never waits on the daemon's connection) each time it is asked, and reports
 * what it did. `close` closes the connection, then the port.
 */
export function serveCheckpoints(port: MessagePort, dbPath: string): void {
  const db = new Database(dbPath, { timeout: 10_000 });
  const close = (): void => {
    if (db.open) db.close();
    port.close();
  };
  port.on('close', () => {
    if (db.open) db.close();
  });
  port.on('message', (message: CheckpointerMessage | typeof ROLE_STOP) => {
    if (message === 'close' || message === ROLE_STOP) {
      close();
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
