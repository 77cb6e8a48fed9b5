import { waitFor } from '../../src/os/wait-for';

/**
 * Integration tests wait on a condition with `waitFor` (src/os/wait-for.ts: polls until the
 * probe is truthy, with a timeout), never on a fixed sleep, and end with an assertion.
 */
export { waitFor };

/**
 * Resolves once `count()` has not changed for `quietMs`: "the burst is over". Fails if it keeps
 * changing for `timeoutMs`.
 */
export async function waitForQuiet(
  count: () => number,
  quietMs: number,
  timeoutMs: number,
  what = 'quiet',
): Promise<void> {
  let last = count();
  let since = Date.now();
  await waitFor(
    () => {
      const now = count();
      if (now !== last) {
        last = now;
        since = Date.now();
        return false;
      }
      return Date.now() - since >= quietMs;
    },
    timeoutMs,
    what,
  );
}
