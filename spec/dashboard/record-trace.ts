import type { Page } from 'playwright-core';

/** One trace event, as much of it as the specs read. */
export interface TraceEvent {
  name: string;
  cat: string;
  /** 'X' complete, 'M' metadata (process and thread names), … */
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  /** Thread (CPU) time: what the work cost, without the time the thread waited for a core. */
  tdur?: number;
  args?: { name?: string; data?: { type?: string }; beginData?: { dirtyObjects?: number; totalObjects?: number } };
}

/**
 * The events of a Chromium performance trace (through the page's DevTools session) of the
 * trace `categories` while `during` runs; the trace ends, and its session detaches, whatever
 * `during` does. `frame-trace.ts` and `trace-split.ts` read it in their own ways.
 */
export async function recordTrace(page: Page, categories: string[], during: () => Promise<void>): Promise<TraceEvent[]> {
  const cdp = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (d) => {
    for (const e of d.value) events.push(e as unknown as TraceEvent);
  });
  const complete = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
  await cdp.send('Tracing.start', { categories: categories.join(','), transferMode: 'ReportEvents' });
  try {
    await during();
  } finally {
    await cdp.send('Tracing.end');
    await complete;
    await cdp.detach();
  }
  return events;
}
