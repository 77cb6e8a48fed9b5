import type { Page } from 'playwright-core';
import { recordTrace, type TraceEvent } from './record-trace';

/**
 * Where a browser's CPU went during a stretch of time, from a Chromium performance trace: per
 * process and thread (the renderer's main thread apart from its compositor, the GPU process, the
 * browser process and its network service), and on each renderer's main thread the time by
 * trace event (an SSE message's dispatch, which is mostly its JSON.parse; animation frames;
 * timers; style, layout, paint; garbage collection), each counted without what it contains.
 * Thread (CPU) time, not wall time, so a wait for a core is not counted.
 */

export interface TraceSplit {
  /** CPU ms by `process type/thread name` (top-level tasks only, so nothing counts twice). */
  threads: Record<string, number>;
  /** CPU ms by event name on the renderers' main threads, exclusive of nested events. */
  rendererMain: Record<string, number>;
}

const CATEGORIES = ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'blink.user_timing'];

/** Records a trace of the whole browser (every tab and process) while `during` runs. */
export async function traceBrowser(page: Page, during: () => Promise<void>): Promise<TraceSplit> {
  return splitTrace(await recordTrace(page, CATEGORIES, during));
}

const TOP = new Set(['RunTask', 'ThreadControllerImpl::RunTask', 'ThreadPool_RunTask']);
const cpu = (e: TraceEvent) => (e.tdur ?? e.dur ?? 0) / 1000;

export function splitTrace(events: TraceEvent[]): TraceSplit {
  const processName = new Map<number, string>();
  const threadName = new Map<string, string>();
  for (const e of events) {
    if (e.ph !== 'M') continue;
    if (e.name === 'process_name') processName.set(e.pid, e.args?.name ?? '?');
    if (e.name === 'thread_name') threadName.set(`${e.pid}:${e.tid}`, e.args?.name ?? '?');
  }
  const byThread = new Map<string, TraceEvent[]>();
  for (const e of events) {
    if (e.ph !== 'X') continue;
    const k = `${e.pid}:${e.tid}`;
    (byThread.get(k) ?? byThread.set(k, []).get(k)!).push(e);
  }
  const threads: Record<string, number> = {};
  const rendererMain: Record<string, number> = {};
  for (const [k, list] of byThread) {
    const pid = Number(k.split(':')[0]);
    const label = `${processName.get(pid) ?? '?'}/${threadName.get(k) ?? '?'}`;
    list.sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
    // Top-level: not inside another event of the thread.
    let end = -Infinity;
    let total = 0;
    for (const e of list) {
      if (e.ts >= end) {
        if (TOP.has(e.name)) total += cpu(e);
        end = e.ts + (e.dur ?? 0);
      }
    }
    threads[label] = (threads[label] ?? 0) + total;
    if (threadName.get(k) === 'CrRendererMain') exclusive(list, rendererMain);
  }
  return { threads: round(threads), rendererMain: round(rendererMain) };
}

/** Each event's CPU minus its children's, added up by name (an SSE dispatch named by its type). */
function exclusive(sorted: TraceEvent[], into: Record<string, number>): void {
  const stack: Array<{ e: TraceEvent; end: number; self: number; name: string }> = [];
  const pop = () => {
    const f = stack.pop()!;
    into[f.name] = (into[f.name] ?? 0) + Math.max(0, f.self);
  };
  for (const e of sorted) {
    while (stack.length && e.ts >= stack[stack.length - 1].end) pop();
    const name = e.name === 'EventDispatch' && e.args?.data?.type ? `EventDispatch(${e.args.data.type})` : e.name;
    if (stack.length) stack[stack.length - 1].self -= cpu(e);
    stack.push({ e, end: e.ts + (e.dur ?? 0), self: cpu(e), name });
  }
  while (stack.length) pop();
}

function round(r: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(r)
      .filter(([, v]) => v >= 0.5)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => [k, Math.round(v)]),
  );
}
