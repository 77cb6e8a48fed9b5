import * as fs from 'node:fs';
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { contentHash } from '../jsonl/content-hash';
import { flushInBackground } from '../os/flush-in-background';
import { preparse } from './preparse';
import { AHEAD, arrivedPart, POSTED, STAGE, TAKEN, type PreparseStart, type ThreadMessage } from './preparsed-rows';

/**
 * Entry point of the bulk load's parse thread (see preparsed-rows.ts): posts the batches of
 * `preparse` on the port, at most AHEAD batches ahead of the importing thread, then `end`,
 * then the file's SHA-256. Once the import asks (`stage`), it also writes the file to the temp
 * that names, each batch's bytes after the batch, and at the end syncs it (`staged`). The
 * importing thread is the slower one, so this work comes off its path.
 * On any failure `failed`: the importing thread does the rest itself.
 */
const start = workerData as PreparseStart;
const counters = new Int32Array(start.counters);
const data = Buffer.from(start.shared, 0, start.length);
const progress = start.progress ? new Int32Array(start.progress) : undefined;
const post = (message: ThreadMessage): void => {
  // A batch's numbers are moved, not copied.
  start.port.postMessage(message, 'batch' in message ? [message.batch.nums.buffer as ArrayBuffer] : []);
  Atomics.add(counters, POSTED, 1);
  Atomics.notify(counters, POSTED);
};

/** Writes are started for the disk every this many bytes, so the sync at the end finds little left. */
const FLUSH_EVERY = 16 << 20;

/** The temp the import asked for (`stage`), written as the parse goes: a range at a time. */
let staged: { file: string; fd: number; written: number; flushed: number } | undefined;

function openStaged(): void {
  if (staged || Atomics.load(counters, STAGE) === 0) return;
  const ask = receiveMessageOnPort(start.port)?.message as { stage: string } | undefined;
  if (ask) staged = { file: ask.stage, fd: fs.openSync(ask.stage, 'r+'), written: 0, flushed: 0 };
}

/** Writes the file to the temp up to byte `to`. */
function writeStaged(to: number): void {
  if (!staged) return;
  while (staged.written < to) staged.written += fs.writeSync(staged.fd, data, staged.written, to - staged.written, staged.written);
  if (staged.written - staged.flushed >= FLUSH_EVERY) {
    staged.flushed = staged.written;
    // A head start; the sync at the end is what makes it durable.
    flushInBackground(staged.file);
  }
}

try {
  for (const batch of preparse(data, start.file, start.horizon, 0, 0, progress)) {
    for (;;) {
      const taken = Atomics.load(counters, TAKEN);
      if (Atomics.load(counters, POSTED) - taken < AHEAD) break;
      Atomics.wait(counters, TAKEN, taken, 1000);
    }
    post({ batch });
    openStaged();
    writeStaged(batch.next);
  }
  post({ end: true });
  // The read is done once the parse is (a file cut short while read: what was read).
  const whole = arrivedPart(data, progress);
  post({ hash: contentHash(whole) });
  // Until the import asks for its temp (or ends this thread: it may never ask).
  while (Atomics.load(counters, STAGE) === 0) Atomics.wait(counters, STAGE, 0, 1000);
  openStaged();
  if (staged) {
    writeStaged(whole.length);
    fs.fdatasyncSync(staged.fd);
    fs.closeSync(staged.fd);
    post({ staged: true });
  }
} catch (err) {
  post({ failed: err instanceof Error ? err.message : String(err) });
}
