import * as path from 'node:path';
import type { SingleBar } from 'cli-progress';
import { setProgressSink, type ProgressSink, type SyncProgress } from '../sync/sync-progress';

/** Work shorter than this shows nothing: a bar that flashes for 200 ms is noise. */
const DEFAULT_SHOW_AFTER_MS = 1000;

export interface ProgressDisplayOptions {
  stream?: NodeJS.WriteStream;
  /** `--json`: the output is for a program; stderr stays free of drawing too. */
  json?: boolean;
  /** Default 1000, or $BD_RX_PROGRESS_AFTER_MS (tests set 0). */
  showAfterMs?: number;
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);

/**
 * A progress bar on stderr for imports and exports that run longer than about a second:
 * lines and bytes done, the bar, the rate; redrawn in place (cli-progress, at most 10 times a
 * second, synchronously, since the work blocks the event loop) and cleared when the work ends.
 * Nothing at all when the stream is not a terminal or with `--json`. Returns the sink, or
 * undefined when nothing is to be drawn.
 */
export function progressDisplay(opts: ProgressDisplayOptions = {}): ProgressSink | undefined {
  const stream = opts.stream ?? process.stderr;
  if (opts.json || !stream.isTTY) return undefined;
  const envAfter = Number(process.env.BD_RX_PROGRESS_AFTER_MS);
  const showAfterMs = opts.showAfterMs ?? (Number.isFinite(envAfter) && process.env.BD_RX_PROGRESS_AFTER_MS !== '' ? envAfter : DEFAULT_SHOW_AFTER_MS);
  let bar: SingleBar | undefined;
  const payload = (p: SyncProgress) => ({
    what: `${p.phase} ${path.basename(p.file)}`,
    lines: p.lines.toLocaleString('en-US'),
    done: mb(p.bytes),
    size: mb(p.totalBytes),
    rate: p.ms > 0 ? Math.round((p.lines * 1000) / p.ms).toLocaleString('en-US') : '…',
  });
  return (p) => {
    if (p.done) {
      if (bar) {
        bar.update(p.bytes, payload(p));
        bar.stop();
      }
      bar = undefined;
      return;
    }
    if (!bar) {
      if (p.ms < showAfterMs) return;
      // Loaded only when a bar is drawn: every other command start stays as light as before.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { SingleBar: Bar } = require('cli-progress') as typeof import('cli-progress');
      bar = new Bar({
        stream,
        format: '{what} [{bar}] {percentage}% | {lines} lines | {done}/{size} MB | {rate} lines/s',
        barsize: 24,
        clearOnComplete: true,
        hideCursor: true,
        fps: 10,
      });
      bar.start(Math.max(1, p.totalBytes), p.bytes, payload(p));
      return;
    }
    bar.update(p.bytes, payload(p));
  };
}

/** Installs the display as the process's progress sink (see `setProgressSink`); returns the undo. */
export function installProgressDisplay(opts: ProgressDisplayOptions = {}): () => void {
  const sink = progressDisplay(opts);
  return sink ? setProgressSink(sink) : () => undefined;
}
