import { distinctUntilChanged, map, type OperatorFunction, scan, startWith } from 'rxjs';

/** How many of the latest prepares the lead looks back on: a few, so one slow GC is forgotten. */
export const LEAD_WINDOW = 5;
/** Slack for what follows the prepare at the deadline (the rename, the bookkeeping, the event). */
const MARGIN_MS = 20;
/**
 * How far past the slowest recent prepare the lead reaches. A prepare is mostly an fsync, and
 * an fsync's time has a long tail: at 100k issues one prepare in 40 took 1.8× the median on a
 * quiet machine, and a lead of 1.25× let that export land 130 ms late. Starting earlier costs
 * little: the fsync runs off the main thread, and a write that comes after the prepare only
 * makes it start over.
 */
const LEAD_FACTOR = 2;
/** Quiet the work must show before a prepare, so a burst does not start one per write. */
const MIN_QUIET_MS = 20;

/**
 * The write-ahead lead for the next export: how long before its deadline the prepare starts,
 * so that it is done by then. Follows the measured cost of the latest prepares (`costs`, ms,
 * newest last): the slowest of the last {@link LEAD_WINDOW}, doubled, plus a margin. Never
 * below `fixedLead` (the lead used before anything is measured), never so long that the
 * prepare would start before a tenth of the debounce (at least 20 ms) has been quiet.
 *
 * At 10k issues a prepare costs ~20 ms and the lead stays at the fixed 100 ms; at 100k it costs
 * ~260-480 ms, and a fixed 100 ms made every export wait ~300 ms past its deadline; there the
 * lead reaches its cap (a 500 ms debounce: the prepare starts after 50 ms of quiet).
 */
export function leadFor(costs: readonly number[], debounceMs: number, fixedLead: number): number {
  const cap = debounceMs - Math.max(MIN_QUIET_MS, Math.ceil(debounceMs / 10));
  const recent = costs.slice(-LEAD_WINDOW);
  const wanted = recent.length === 0 ? fixedLead : Math.ceil(Math.max(...recent) * LEAD_FACTOR) + MARGIN_MS;
  return Math.max(0, Math.min(cap, Math.max(fixedLead, wanted)));
}

/**
 * Prepare costs → the lead to use from now on: the fixed lead at once, then a new value each
 * time the costs move it (feedback from the prepares' own reports, through the pipeline).
 *
 * ```
 * cost:   ----a--------b-----c-----|     a = 100, b = 150, c = 40   (debounceMs 500, fixed 100)
 * lead:   L---M--------N-----------|     L = 100, M = 220, N = 320; c leaves the max at 150
 * ```
 */
export function adaptiveLead(debounceMs: number, fixedLead: number): OperatorFunction<number, number> {
  return (cost$) =>
    cost$.pipe(
      scan((recent: number[], ms: number) => [...recent, ms].slice(-LEAD_WINDOW), []),
      map((recent) => leadFor(recent, debounceMs, fixedLead)),
      startWith(leadFor([], debounceMs, fixedLead)),
      distinctUntilChanged(),
    );
}
