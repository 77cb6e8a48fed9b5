/**
 * How far a long import or export has got, for whoever shows it: the CLI draws a bar on a
 * terminal (src/cli/progress-display.ts). Progress is an observation, not a result, and the
 * work runs synchronously several layers below the command (CLI → backend → operation →
 * sync), so one sink per process is set by the process's entry point instead of an option
 * threaded through every layer. With no sink set, a meter costs one counter per line.
 */
export interface SyncProgress {
  phase: 'import' | 'export';
  file: string;
  lines: number;
  bytes: number;
  totalBytes: number;
  /** Milliseconds since the work started. */
  ms: number;
  /** The last report of this piece of work: the display clears itself. */
  done: boolean;
}

export type ProgressSink = (p: SyncProgress) => void;

let sink: ProgressSink | undefined;

/** Sets the process's sink; returns a function that puts the previous one back. */
export function setProgressSink(next: ProgressSink | undefined): () => void {
  const previous = sink;
  sink = next;
  return () => {
    sink = previous;
  };
}

/** Lines between reports: a sink call per line would cost more than a small line's import. */
const EVERY = 512;

export interface ProgressMeter {
  /** One more line of `bytes` bytes done. */
  tick(bytes: number): void;
  /** `lines` more lines of `bytes` bytes in all (the lean export copies runs of lines at once). */
  advance(lines: number, bytes: number): void;
  end(): void;
}

const SILENT: ProgressMeter = { tick: () => undefined, advance: () => undefined, end: () => undefined };

export function progressMeter(phase: SyncProgress['phase'], file: string, totalBytes: number): ProgressMeter {
  const to = sink;
  if (!to) return SILENT;
  const started = performance.now();
  let lines = 0;
  let bytes = 0;
  let ended = false;
  const report = (done: boolean): void => to({ phase, file, lines, bytes, totalBytes, ms: performance.now() - started, done });
  return {
    tick(n) {
      lines++;
      bytes += n;
      if (lines % EVERY === 0) report(false);
    },
    advance(n, b) {
      const before = Math.floor(lines / EVERY);
      lines += n;
      bytes += b;
      if (Math.floor(lines / EVERY) !== before) report(false);
    },
    end() {
      if (ended) return;
      ended = true;
      report(true);
    },
  };
}
