/**
 * Polls `probe` every `everyMs` until it returns something truthy, and resolves with that.
 * Integration tests wait on a condition like this, never on a fixed sleep.
 */
export async function waitFor<T>(
  probe: () => T | undefined | null | false,
  timeoutMs: number,
  what = 'condition',
  everyMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

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
