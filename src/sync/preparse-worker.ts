import { workerData } from 'node:worker_threads';
import { preparse } from './preparse';
import { AHEAD, POSTED, TAKEN, type PreparseStart } from './preparsed-rows';

/**
 * Entry point of the bulk load's parse thread (see preparsed-rows.ts): posts the batches of
 * `preparse` on the port, at most AHEAD batches ahead of the import's thread, then `done`
 * (or `failed`, and the importing thread parses the rest itself).
 */
const start = workerData as PreparseStart;
const counters = new Int32Array(start.counters);
const data = Buffer.from(start.shared, 0, start.length);
const post = (message: unknown): void => {
  start.port.postMessage(message);
  Atomics.add(counters, POSTED, 1);
  Atomics.notify(counters, POSTED);
};
try {
  for (const batch of preparse(data, start.file, start.horizon)) {
    for (;;) {
      const taken = Atomics.load(counters, TAKEN);
      if (Atomics.load(counters, POSTED) - taken < AHEAD) break;
      Atomics.wait(counters, TAKEN, taken, 1000);
    }
    post(batch);
  }
  post({ done: true });
} catch (err) {
  post({ failed: err instanceof Error ? err.message : String(err) });
}
