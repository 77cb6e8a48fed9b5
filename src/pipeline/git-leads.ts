import { distinctUntilChanged, map, type Observable, type OperatorFunction, scan, startWith } from 'rxjs';
import type { DaemonEvent } from '../events/daemon-event';

/**
 * What one git run cost (its `run_ms`), by what it did:
 * - `push`: a clean push (commit, fetch, push; nothing came in): the part of "create on A →
 *   on B" that follows A's export;
 * - `pull`: a run that brought a remote commit in (fetch, count, fast-forward or merge,
 *   import): the part that follows B's fetch;
 * - `fetch`: an idle run (a fetch that found nothing new): cheap, but frequent, so it follows
 *   the load of the machine from one tick to the next.
 */
export interface GitCost {
  kind: 'push' | 'pull' | 'fetch';
  ms: number;
}

/**
 * A git run that failed or was rejected: the leads forget what they knew and go back to the
 * plain interval and debounce until a run succeeds again. Fetching more often than the
 * interval buys nothing while the remote is away, and would cost a failure each time (a fault
 * costs one failure per interval: `holdWhileGitFails`).
 */
export interface GitFailing {
  kind: 'failing';
}

/** How many of the latest costs of each kind the leads look back on: a few, so one slow GC is forgotten. */
export const GIT_COST_WINDOW = 5;
/** Slack for what follows the git run before the result counts (the event, the lane's next step). */
const MARGIN_MS = 20;
/**
 * A pull against an idle fetch of the same machine: the fetch, plus `rev-list`, the
 * fast-forward and the import. Used for the first pulls, before one is measured, and as a floor
 * that follows the load when the measured pulls are old.
 */
export const FETCH_TO_PULL = 2;
/** A clean push against an idle fetch: `commit`, the fetch itself, `push`. */
export const FETCH_TO_PUSH = 3;

/** The latest costs, newest last, per kind. */
export type GitCosts = Readonly<Record<GitCost['kind'], readonly number[]>>;

const FAILING: GitFailing = { kind: 'failing' };

export const NO_GIT_COSTS: GitCosts = { push: [], pull: [], fetch: [] };

/**
 * The cost a git outcome reports, classified (see {@link GitCost}), or {@link GitFailing} for a
 * failure or a rejected push; undefined for outcomes that say nothing about the latency path:
 * a commit alone, a push that had to merge first (contention, not the latency path), waits.
 */
export function gitCostOf(event: DaemonEvent): GitCost | GitFailing | undefined {
  if (event.type === 'git/failed' || event.type === 'git/rejected') return FAILING;
  if (!event.type.startsWith('git/') || !('run_ms' in event) || typeof event.run_ms !== 'number') return undefined;
  const ms = event.run_ms;
  switch (event.type) {
    case 'git/pushed':
      return event.pulled === null ? { kind: 'push', ms } : undefined;
    case 'git/pulled':
      return { kind: 'pull', ms };
    case 'git/skipped':
      return event.reason === 'up to date' || event.reason === 'nothing to push' ? { kind: 'fetch', ms } : undefined;
    default:
      return undefined;
  }
}

export function withCost(costs: GitCosts, cost: GitCost | GitFailing): GitCosts {
  if (cost.kind === 'failing') return NO_GIT_COSTS;
  return { ...costs, [cost.kind]: [...costs[cost.kind], cost.ms].slice(-GIT_COST_WINDOW) };
}

/**
 * What the next run of `kind` is expected to cost: the slowest of its latest measured runs, or
 * of the latest idle fetches times their ratio to it (whichever is more), so a machine that got
 * slower since the last pull is seen at the next idle tick. Undefined before anything is measured.
 */
export function expectedCostMs(costs: GitCosts, kind: 'push' | 'pull'): number | undefined {
  const ratio = kind === 'push' ? FETCH_TO_PUSH : FETCH_TO_PULL;
  const all = [...costs[kind], ...costs.fetch.map((ms) => ms * ratio)];
  return all.length === 0 ? undefined : Math.max(...all);
}

/** The lead that covers an expected cost: a quarter more and a margin (as the export's write-ahead lead). */
function leadFor(expected: number | undefined): number {
  return expected === undefined ? 0 : Math.ceil(expected * 1.25) + MARGIN_MS;
}

/**
 * With auto-push, how long before the export deadline the export (and the git run that follows
 * it in the lane) starts, so that the push has landed by the deadline: the expected clean push.
 * At most half the debounce, so a burst of writes still gets half of it quiet to batch in.
 */
export function pushLeadFor(costs: GitCosts, debounceMs: number): number {
  return Math.min(Math.floor(debounceMs / 2), leadFor(expectedCostMs(costs, 'push')));
}

/**
 * The remote-sync interval is a staleness bound, not a period: a push that lands at any moment
 * must be in the DB within `intervalMs`. It lands, at worst, just after a fetch looked; the next
 * fetch then has to start early enough to be imported by one interval after that one started:
 * the period is the interval less the expected pull. Never under half the interval (at most
 * twice the fetches), the interval itself before anything is measured.
 */
export function fetchPeriodFor(costs: GitCosts, intervalMs: number): number {
  return intervalMs - Math.min(Math.floor(intervalMs / 2), leadFor(expectedCostMs(costs, 'pull')));
}

/**
 * The git runs' costs → what the leads make of them, from now on: `of(costs)` at once (no
 * cost yet), then a new value each time a cost moves it (feedback from the git row's own
 * outcomes, through the pipeline).
 *
 * ```
 * cost:   ----f-------p------f---x---|  f = fetch 20 ms, p = pull 60 ms, x = failing
 * period: I---a-------b----------I---|  intervalMs 1000: I = 1000, a = 930 (2 × 20 × 1.25 + 20),
 *                                      b = 905 (60 × 1.25 + 20); the second f moves nothing
 * ```
 */
export function gitLead(of: (costs: GitCosts) => number): OperatorFunction<GitCost | GitFailing, number> {
  return (cost$: Observable<GitCost | GitFailing>) =>
    cost$.pipe(scan(withCost, NO_GIT_COSTS), map(of), startWith(of(NO_GIT_COSTS)), distinctUntilChanged());
}
