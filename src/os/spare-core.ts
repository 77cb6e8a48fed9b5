import * as fs from 'node:fs';
import * as os from 'node:os';

/**
 * Whether this machine has about a core to spare now. Work split over a second thread pays
 * only then: with every core busy the two threads share them, and the split's own cost (a 100k
 * `import -i`: ~0.8 s more CPU in all) makes the whole slower than one thread (BENCHMARKS.md,
 * issue 13, session 8: 10.3 vs 7.9 s at load 8–10 on 2 cores, 2.2 vs 3.3 s of the command's
 * thread's CPU at load 4–5).
 *
 * Spare when the 1-minute load average is below the number of cores, or when nothing but this
 * process is runnable at this instant (Linux: /proc/loadavg's running count). The average
 * trails by a minute: a command run right after another busy one (an import after an import)
 * found "no core spare" on an idle machine, and its import went single-threaded for nothing.
 */
export function spareCore(): boolean {
  return os.loadavg()[0] < os.availableParallelism() || runnableNow() <= 1;
}

/** Tasks running or ready to run now, this one included; Infinity where the system does not say. */
export function runnableNow(): number {
  try {
    // "0.52 0.58 0.59 1/467 12345": the fourth field is runnable/total.
    const m = /^\S+ \S+ \S+ (\d+)\//.exec(fs.readFileSync('/proc/loadavg', 'latin1'));
    return m ? Number(m[1]) : Infinity;
  } catch {
    return Infinity;
  }
}
