/**
 * The daemon's retry backoff: 1 s, 2 s, 4 s … at most 60 s. `attempt` counts from 1. Rejected
 * pushes and failed exports both wait this long before they are asked for again.
 */
export function backoffDelayMs(attempt: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.max(0, Math.min(attempt - 1, 16)));
}
