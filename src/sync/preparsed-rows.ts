import * as fs from 'node:fs';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { contentHash } from '../jsonl/content-hash';
import { codePath } from '../os/code-dir';
import { BYTES, openArriving } from './arriving-file';
import { preparse, type PreparsedBatch } from './preparse';

/** The bulk load's parsed batches, in file order, from a thread or made on the spot. */
export interface PreparsedRows {
  /** The next batch; undefined once the file is done. */
  next(): PreparsedBatch | undefined;
  /** The file's SHA-256 (the thread's, once every batch was taken; else computed here). */
  hash(): string;
  /**
   * Asks the thread to write the file to `tmp` (an empty temp file) and sync it, after its parse;
   * false when there is no thread to ask (the caller writes it). See {@link staged}.
   */
  stage(tmp: string): boolean;
  /** Waits until the file asked for by `stage` is written and synced; false if the thread failed (the caller writes it). */
  staged(): boolean;
  /** Ends the thread, if any (idempotent); what it did not post is dropped. */
  close(): void;
  /** Whether the batches come from a thread (for tests and benchmarks). */
  readonly threaded: boolean;
}

/** What the parse thread is started with (preparse-worker.ts). */
export interface PreparseStart {
  /** The file's bytes: the thread reads them where they are, no copy. */
  shared: SharedArrayBuffer;
  length: number;
  file: string;
  horizon: number;
  /** Int32 counters: [POSTED] messages the thread posted, [TAKEN] batches taken, [STAGE] 1 once a `stage` was posted to it. */
  counters: SharedArrayBuffer;
  port: MessagePort;
  /** While the file is still being read into `shared`: its progress (arriving-file.ts). */
  progress?: SharedArrayBuffer;
}

/** What the thread posts, in this order: batches, `end`, `hash`, `staged` (if asked); `failed` at any point. */
export type ThreadMessage = { batch: PreparsedBatch } | { end: true } | { hash: string } | { staged: true } | { failed: string };

export const POSTED = 0;
export const TAKEN = 1;
export const STAGE = 2;
/**
 * Batches the thread may be ahead (1,000 lines each): it parses faster than SQLite inserts, and
 * unbounded its posted values would pile up (~50 MB at 100k issues) on top of the file.
 */
export const AHEAD = 8;
/** No message for this long: the thread is taken for gone and the rest is done here. */
const STALL_MS = 15_000;

/** The compiled thread script; absent under ts-node/jest (src/), where the parse runs inline. */
export const PREPARSE_SCRIPT = codePath('sync', 'preparse-worker.js');

/** Reads `file` whole into memory a parse thread can share (see {@link preparsedRows}); a pipe or a device (`/dev/stdin`), unshared. */
export function readShared(file: string): Buffer {
  return openArriving(file)?.finish() ?? fs.readFileSync(file);
}

/**
 * The batches of `preparse(data, …)`, parsed on a thread of their own when `data` is shared
 * memory (`readShared`) and `script` exists, else inline as they are asked for. The importing
 * thread takes them synchronously (`receiveMessageOnPort`, waiting on a shared counter): the
 * import is one synchronous transaction, with no event loop turning meanwhile. A thread that
 * fails or stalls hands over: the rest of the file is parsed inline from the last batch taken,
 * and the hash and the staged copy are made here.
 */
export function preparsedRows(
  data: Buffer,
  file: string,
  horizon: number,
  script: string | false = PREPARSE_SCRIPT,
  /** `data` is still arriving (arriving-file.ts): the thread parses what has. */
  progress?: Int32Array,
): PreparsedRows {
  const shared = data.buffer instanceof SharedArrayBuffer && data.byteOffset === 0 ? data.buffer : undefined;
  if (!script || !shared || !fs.existsSync(script)) return inline(data, file, horizon, 0, 0, progress);
  const counters = new Int32Array(new SharedArrayBuffer(12));
  const { port1, port2 } = new MessageChannel();
  let worker: Worker | undefined;
  try {
    worker = new Worker(script, {
      workerData: {
        shared,
        length: data.length,
        file,
        horizon,
        counters: counters.buffer,
        port: port2,
        ...(progress ? { progress: progress.buffer as SharedArrayBuffer } : {}),
      } satisfies PreparseStart,
      transferList: [port2],
      // Its garbage is short-lived (each line's record, once its values are out). 16 MB: the
      // 100k `import -i` took 2.93 s (median of 3) against 3.24 s at 8 MB, the scavenges ~18 %
      // of the thread's time at 8 MB; 32 MB was no faster and ~15 MB more peak RSS (270 MB).
      resourceLimits: { maxYoungGenerationSizeMb: 16 },
    });
  } catch {
    port1.close();
    return inline(data, file, horizon, 0, 0, progress);
  }
  // Never what keeps the process alive: a CLI that is done exits with the thread still ending.
  worker.unref();
  let fallback: PreparsedRows | undefined;
  let resume = { next: 0, linesBefore: 0 };
  let ended = false;
  let hash: string | undefined;
  const close = (): void => {
    if (!worker) return;
    void worker.terminate();
    worker = undefined;
    port1.close();
  };
  /** The thread's next message, or undefined when it failed, stalled or was closed (it is then closed). */
  const receive = (): ThreadMessage | undefined => {
    let waited = 0;
    while (worker) {
      // Read before looking at the port: the thread counts a message after posting it, so a
      // count that moves after this read always ends the wait below.
      const seen = Atomics.load(counters, POSTED);
      const m = receiveMessageOnPort(port1);
      if (m) {
        const msg = m.message as ThreadMessage;
        if (!('failed' in msg)) return msg;
        break;
      }
      if (waited >= STALL_MS) break;
      const t = performance.now();
      Atomics.wait(counters, POSTED, seen, 1000);
      waited += performance.now() - t;
    }
    close();
    return undefined;
  };
  return {
    threaded: true,
    next() {
      if (fallback) return fallback.next();
      if (ended) return undefined;
      const msg = receive();
      if (msg && 'batch' in msg) {
        Atomics.add(counters, TAKEN, 1);
        Atomics.notify(counters, TAKEN);
        resume = { next: msg.batch.next, linesBefore: msg.batch.linesBefore };
        return msg.batch;
      }
      if (msg && 'end' in msg) {
        ended = true;
        return undefined;
      }
      fallback = inline(data, file, horizon, resume.next, resume.linesBefore, progress);
      return fallback.next();
    },
    hash() {
      if (hash === undefined && ended && !fallback) {
        const msg = receive();
        if (msg && 'hash' in msg) hash = msg.hash;
      }
      if (hash === undefined) {
        // The batches were not all taken (the import went record by record) or the thread failed.
        close();
        hash = contentHash(arrivedPart(data, progress));
      }
      return hash;
    },
    stage(tmp) {
      if (!worker) return false;
      port1.postMessage({ stage: tmp });
      Atomics.store(counters, STAGE, 1);
      Atomics.notify(counters, STAGE);
      return true;
    },
    staged() {
      const msg = receive();
      return msg !== undefined && 'staged' in msg;
    },
    close() {
      fallback?.close();
      close();
    },
  };
}

/** What was read of an arriving file (all of `data` when it is not one), once its read is done. */
export function arrivedPart(data: Buffer, progress: Int32Array | undefined): Buffer {
  return progress ? data.subarray(0, Atomics.load(progress, BYTES)) : data;
}

function inline(data: Buffer, file: string, horizon: number, from: number, linesBefore: number, progress?: Int32Array): PreparsedRows {
  const batches = preparse(data, file, horizon, from, linesBefore, progress);
  let hash: string | undefined;
  return {
    threaded: false,
    next: () => {
      const r = batches.next();
      return r.done ? undefined : r.value;
    },
    hash: () => (hash ??= contentHash(arrivedPart(data, progress))),
    stage: () => false,
    staged: () => false,
    close: () => void batches.return(undefined),
  };
}
