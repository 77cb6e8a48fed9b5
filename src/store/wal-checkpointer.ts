import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { HelperThread, RoleThread } from '../os/helper-thread';
import { HELPER_THREAD_LIMITS } from '../os/thread-limits';
import { codePath } from '../os/code-dir';

/** What the main thread asks of the checkpoint thread. */
export type CheckpointerMessage = 'checkpoint' | 'close';

export interface CheckpointResult {
  /** WAL frames when the checkpoint ran, and how many of them it copied into the database. */
  walPages: number;
  copied: number;
  ms: number;
}

export interface WalCheckpointerOptions {
  /** Where the work is done when the thread cannot be used: the daemon's own connection. */
  inline: () => void;
  /** The compiled worker entry; `checkpoint-worker.js` beside this module by default. */
  workerFile?: string;
  /** Run as a role of this shared thread (the daemon's) instead of on a thread of its own. */
  thread?: HelperThread;
}

/**
 * Checkpoints the daemon's WAL on a thread of its own, so the daemon's event loop never waits
 * for it. The daemon defers checkpoints (`deferCheckpoints`) and asks for one after each export
 * and import; under a stream of writes the WAL then holds thousands of pages, and copying them
 * back (with an fsync) took 150–200 ms, during which no RPC request was served.
 *
 * Requests coalesce: while one runs, any number of further requests make one more run after it.
 * Where the thread is not available (its script is missing, e.g. when run from the TypeScript
 * sources) or has died, `inline` does the work instead, so the WAL stays bounded either way.
 */
export class WalCheckpointer {
  private readonly worker: RoleThread | undefined;
  private running = false;
  private again = false;
  private broken = false;
  private closing: Promise<void> | undefined;
  private idleWaiters: Array<() => void> = [];
  /** The last run's result (or error), and how many runs the thread has done. */
  last: CheckpointResult | { error: string } | undefined;
  runs = 0;

  constructor(
    dbPath: string,
    private readonly opts: WalCheckpointerOptions,
  ) {
    const file = opts.workerFile ?? codePath('store', 'checkpoint-worker.js');
    if (opts.thread ? !opts.thread.available : !fs.existsSync(file)) {
      this.broken = true;
      return;
    }
    const worker = opts.thread
      ? opts.thread.start('checkpoint', dbPath)
      : new Worker(file, { workerData: dbPath, resourceLimits: HELPER_THREAD_LIMITS });
    this.worker = worker;
    worker.on('message', (result: CheckpointResult | { error: string }) => {
      this.last = result;
      this.runs++;
      this.finished();
    });
    worker.on('error', () => this.fail());
    worker.on('exit', () => {
      if (!this.closing) this.fail();
    });
  }

  /** True when checkpoints run on the thread (false: inline). */
  get threaded(): boolean {
    return !this.broken;
  }

  /** Asks for a checkpoint; returns at once. */
  request(): void {
    if (this.closing) return;
    if (this.broken) {
      this.opts.inline();
      return;
    }
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.worker?.postMessage('checkpoint' satisfies CheckpointerMessage);
  }

  /** Resolves once no checkpoint is running or waiting. */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Lets a running checkpoint finish, closes the thread's connection and ends the thread. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.again = false;
      await this.idle();
      const worker = this.worker;
      if (!worker || this.broken) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage('close' satisfies CheckpointerMessage);
      await exited;
    })();
    return this.closing;
  }

  private finished(): void {
    if (this.again && !this.closing) {
      this.again = false;
      this.worker?.postMessage('checkpoint' satisfies CheckpointerMessage);
      return;
    }
    this.running = false;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** The thread is gone: from now on, and for a request it left unanswered, work inline. */
  private fail(): void {
    if (this.broken) return;
    this.broken = true;
    const owed = this.running || this.again;
    this.running = this.again = false;
    if (owed && !this.closing) this.opts.inline();
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
