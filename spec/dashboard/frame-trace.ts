import type { Page } from 'playwright-core';
import { recordTrace, type TraceEvent } from './record-trace';

export interface FrameReport {
  /** Frames the page drew (animation-frame callbacks) during the trace. */
  frames: number;
  /**
   * Main-thread CPU time (ms) of each frame's task: rAF callback, style, layout, paint, commit.
   * CPU time, not wall time: on a machine shared with other jobs the wall time also counts
   * the waits for a core, which say nothing about the page.
   */
  frameMs: number[];
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** The slowest frames, with where their time went (ms by trace event name), for a failure message. */
  slowest: Array<{ ms: number; parts: Record<string, number>; laidOut?: string }>;
}

const CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'toplevel'];

/**
 * Records a Chrome performance trace of `page` while `during` runs, and measures each frame's
 * cost on the renderer's main thread: the top-level task that ran the page's
 * requestAnimationFrame callback (and, in the same task, the style, layout and paint it caused).
 */
export async function traceFrames(page: Page, during: () => Promise<void>): Promise<FrameReport> {
  return frameReport(await recordTrace(page, CATEGORIES, during));
}

export function frameReport(events: TraceEvent[]): FrameReport {
  // Every tab has a renderer; the page's is the one drawing frames.
  const mains = events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (mains.length === 0) throw new Error('the trace has no renderer main thread (CrRendererMain)');
  const rafCount = (m: TraceEvent) => events.filter((e) => e.pid === m.pid && e.tid === m.tid && e.name === 'FireAnimationFrame').length;
  const main = mains.reduce((a, b) => (rafCount(b) > rafCount(a) ? b : a));
  const onMain = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X');
  const tasks = onMain.filter((e) => e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask').sort((a, b) => a.ts - b.ts);
  const rafs = onMain.filter((e) => e.name === 'FireAnimationFrame');
  const frameMs: number[] = [];
  const frames: Array<{ ms: number; from: number; to: number }> = [];
  let t = 0;
  for (const raf of rafs.sort((a, b) => a.ts - b.ts)) {
    while (t < tasks.length && tasks[t].ts + (tasks[t].dur ?? 0) < raf.ts) t++;
    const task = tasks[t];
    const span = task && task.ts <= raf.ts ? task : raf;
    const ms = (span.tdur ?? span.dur ?? 0) / 1000;
    frameMs.push(ms);
    frames.push({ ms, from: span.ts, to: span.ts + (span.dur ?? 0) });
  }
  const slowest = frames
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 3)
    .map((f) => {
      const parts: Record<string, number> = {};
      for (const e of onMain) {
        if (e.ts < f.from || e.ts > f.to || e.name.includes('RunTask')) continue;
        parts[e.name] = Math.round(((parts[e.name] ?? 0) + (e.tdur ?? e.dur ?? 0) / 1000) * 100) / 100;
      }
      // What the layouts in it laid out (dirty of total layout objects): which part of the page changed.
      const laidOut = onMain
        .filter((e) => e.name === 'Layout' && e.ts >= f.from && e.ts <= f.to)
        .map((e) => `${e.args?.beginData?.dirtyObjects}/${e.args?.beginData?.totalObjects}`)
        .join(' ');
      return { ms: f.ms, parts, laidOut };
    });
  if (frameMs.length === 0) throw new Error('the trace has no animation frames (FireAnimationFrame)');
  const sorted = [...frameMs].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
  return { frames: frameMs.length, frameMs, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: sorted[sorted.length - 1], slowest };
}
