import * as os from 'node:os';

/**
 * Whether this machine has about a core to spare now: the 1-minute load average below the
 * number of cores. Work split over a second thread pays only then: with every core busy the
 * two threads share them, and the split's own cost (a 100k `import -i`: ~0.8 s more CPU in
 * all) makes the whole slower than one thread (BENCHMARKS.md, issue 13, session 8: 10.3 vs
 * 7.9 s at load 8–10 on 2 cores, 2.2 vs 3.3 s of the command's thread's CPU at load 4–5).
 */
export function spareCore(): boolean {
  return os.loadavg()[0] < os.availableParallelism();
}
