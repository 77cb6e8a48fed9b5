import * as fs from 'node:fs';
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { contentHash } from '../jsonl/content-hash';
import { preparse } from './preparse';
import { AHEAD, POSTED, STAGE, TAKEN, type PreparseStart, type ThreadMessage } from './preparsed-rows';

/**
 * Entry point of the bulk load's parse thread (see preparsed-rows.ts): posts the batches of
 * `preparse` on the port, at most AHEAD batches ahead of the importing thread, then `end`;
 * then the file's SHA-256; then, when the import asks (`stage`), writes the file to the temp
 * it names and syncs it. The importing thread is the slower one, so these come off its path.
 * On any failure `failed`: the importing thread does the rest itself.
 */
const start = workerData as PreparseStart;
const counters = new Int32Array(start.counters);
const data = Buffer.from(start.shared, 0, start.length);
const post = (message: ThreadMessage): void => {
  start.port.postMessage(message);
  Atomics.add(counters, POSTED, 1);
  Atomics.notify(counters, POSTED);
};

function writeStaged(tmp: string): void {
  const fd = fs.openSync(tmp, 'r+');
  try {
    for (let off = 0; off < data.length; ) off += fs.writeSync(fd, data, off, data.length - off, off);
    fs.fdatasyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

try {
  for (const batch of preparse(data, start.file, start.horizon)) {
    for (;;) {
      const taken = Atomics.load(counters, TAKEN);
      if (Atomics.load(counters, POSTED) - taken < AHEAD) break;
      Atomics.wait(counters, TAKEN, taken, 1000);
    }
    post({ batch });
  }
  post({ end: true });
  post({ hash: contentHash(data) });
  // Until the import asks for its temp (or ends this thread: it may never ask).
  while (Atomics.load(counters, STAGE) === 0) Atomics.wait(counters, STAGE, 0, 1000);
  const ask = receiveMessageOnPort(start.port)?.message as { stage: string } | undefined;
  if (ask) {
    writeStaged(ask.stage);
    post({ staged: true });
  }
} catch (err) {
  post({ failed: err instanceof Error ? err.message : String(err) });
}
