import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { Observable } from 'rxjs';
import type { WatchEvent } from '../pipeline/daemon-sources';
import type { FileChangeOptions } from './file-change';
import { errnoCode } from '../os/errno-code';
import type { HelperThread, RoleThread } from '../os/helper-thread';
import { HELPER_THREAD_LIMITS } from '../os/thread-limits';
import { codePath } from '../os/code-dir';

/** What the watcher thread posts: an event of `fileChange$`, or that every watch is in place. */
export type WatcherMessage = { event: WatchEvent } | { ready: true };

export interface WatcherThreadOptions extends Omit<FileChangeOptions, 'createWatcher' | 'onReady'> {
  /** The compiled worker entry; `file-change-worker.js` beside this module by default. */
  workerFile?: string;
  /** Run as a role of this shared thread (the daemon's) instead of on a thread of its own. */
  thread?: HelperThread;
}

/**
 * `fileChange$` run on a worker thread, so the daemon's event loop stays free for RPC.
 *
 * chokidar re-lists a watched directory (readdir plus an lstat per entry) whenever anything in
 * it changes, ignored files included, and SQLite's WAL sits in `.beads/` next to the JSONL:
 * every commit the daemon makes sets off a listing. Under a stream of writes that was a
 * back-to-back loop costing the main thread ~270 µs per create. On the thread it still runs,
 * but beside the requests instead of between them.
 *
 *     thread:  --c---r---e--      c = change, r = ready, e = error (EMFILE, …)
 *     output:  --c---r---e--      r = {kind: 'ready'}: every watch is in place
 *
 * `ready` comes once per subscription; the pipeline answers it with an import (changes made
 * before the watches were in place would otherwise go unseen).
 *
 * The contract is `fileChange$`'s: failures arrive as `{kind: 'error'}` values, never as an
 * Observable error. A thread that cannot start or dies is such a failure too (code `EWORKER`,
 * or the error's own code), so the pipeline's fallback to polling covers it. Unsubscribing
 * terminates the thread, which closes its watches.
 */
export function watcherThread$(opts: WatcherThreadOptions): Observable<WatchEvent> {
  return new Observable<WatchEvent>((subscriber) => {
    const { workerFile = codePath('sources', 'file-change-worker.js'), thread, ...data } = opts;
    if (thread ? !thread.available : !fs.existsSync(workerFile)) {
      subscriber.next({
        kind: 'error',
        code: 'EWORKER',
        message: `the watcher thread's script ${thread ? 'dist/os/helper-worker.js' : workerFile} is missing: run \`npm run build\``,
      });
      return undefined;
    }
    let stopping = false;
    let failed = false;
    const worker: RoleThread = thread
      ? thread.start('watcher', data)
      : new Worker(workerFile, { workerData: data, resourceLimits: HELPER_THREAD_LIMITS });
    worker.on('message', (message: WatcherMessage) => {
      subscriber.next('ready' in message ? { kind: 'ready' } : message.event);
    });
    worker.on('error', (err: Error & { code?: unknown }) => {
      failed = true;
      const code = errnoCode(err) ?? 'EWORKER';
      subscriber.next({ kind: 'error', code, message: `the watcher thread failed: ${err.message}` });
    });
    worker.on('exit', (exitCode) => {
      if (stopping || failed) return; // an error already said so
      subscriber.next({ kind: 'error', code: 'EWORKER', message: `the watcher thread exited (code ${exitCode})` });
    });
    return () => {
      stopping = true;
      void worker.terminate();
    };
  });
}
