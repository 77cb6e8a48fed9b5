import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { codePath } from './code-dir';
import { HELPER_THREAD_LIMITS } from './thread-limits';

/** The jobs the daemon's helper thread can do (src/os/helper-worker.ts maps each to its code). */
export type HelperRole = 'watcher' | 'checkpoint';

/** What the main thread sends the helper thread to start a role: it then talks over `port`. */
export interface RoleStart {
  role: HelperRole;
  data: unknown;
  port: MessagePort;
}

/**
 * The part of a `Worker` the daemon's adapters use (`watcherThread$`, `WalCheckpointer`): each
 * works with a thread of its own, or with one role of a shared {@link HelperThread}, the same way.
 */
export interface RoleThread {
  postMessage(message: unknown): void;
  terminate(): Promise<number>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  on(event: 'message' | 'error' | 'exit', listener: (...args: any[]) => void): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  once(event: 'exit', listener: (...args: any[]) => void): unknown;
}

/**
 * One worker thread for the daemon's helpers (the watcher and the WAL checkpointer), each role
 * on a port of its own. A thread is a V8 isolate with its own heap and a copy of Node's
 * bootstrap: ~8 MB of RSS each (an idle daemon at 100k issues: 98.6 MB with a thread for each
 * role, 90.5 MB with one for both).
 * What the roles do is light and never urgent at once, so they share one.
 *
 * The thread starts with the first role and is ended when it serves none. If it fails or
 * exits, every role open on it gets the `error`/`exit` a thread of its own would have given.
 * A role ends from either side: `terminate()` here (the role is asked to stop, then its port
 * closes), or the role closing its port (then `exit` with code 0).
 */
export class HelperThread {
  private worker: Worker | undefined;
  private readonly open = new Set<SharedRole>();

  constructor(private readonly file = codePath('os', 'helper-worker.js')) {}

  /** False when the thread's script is missing (run from the TypeScript sources): use no thread. */
  get available(): boolean {
    return fs.existsSync(this.file);
  }

  /** Roles open on the thread now (0: no thread is running). */
  get roles(): number {
    return this.open.size;
  }

  /** Starts `role` on the thread (starting the thread if it is not running). */
  start(role: HelperRole, data: unknown): RoleThread {
    const worker = (this.worker ??= this.spawn());
    const { port1, port2 } = new MessageChannel();
    const shared = new SharedRole(port1, () => this.ended(shared));
    this.open.add(shared);
    worker.postMessage({ role, data, port: port2 } satisfies RoleStart, [port2]);
    return shared;
  }

  private spawn(): Worker {
    const worker = new Worker(this.file, { resourceLimits: HELPER_THREAD_LIMITS });
    worker.on('error', (err) => {
      for (const r of [...this.open]) r.emit('error', err);
    });
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      for (const r of [...this.open]) r.gone(code);
    });
    return worker;
  }

  private ended(role: SharedRole): void {
    this.open.delete(role);
    if (this.open.size > 0 || !this.worker) return;
    const worker = this.worker;
    this.worker = undefined;
    void worker.terminate();
  }
}

/** A role on the shared thread, seen as a thread of its own (see {@link RoleThread}). */
class SharedRole extends EventEmitter implements RoleThread {
  private closed = false;

  constructor(
    private readonly port: MessagePort,
    private readonly onEnd: () => void,
  ) {
    super();
    port.on('message', (m) => this.emit('message', m));
    port.on('close', () => this.gone(0));
  }

  postMessage(message: unknown): void {
    if (!this.closed) this.port.postMessage(message);
  }

  terminate(): Promise<number> {
    if (!this.closed) {
      this.port.postMessage(ROLE_STOP);
      this.gone(0);
    }
    return Promise.resolve(0);
  }

  /** The role's port closed, or the whole thread went: `exit`, once. */
  gone(code: number): void {
    if (this.closed) return;
    this.closed = true;
    this.port.close();
    this.onEnd();
    this.emit('exit', code);
  }
}

/** Asks a role on the shared thread to let go of what it holds (its port then closes). */
export const ROLE_STOP = 'role/stop';
