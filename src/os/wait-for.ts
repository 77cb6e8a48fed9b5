/**
 * Polls `probe` every `everyMs` until it returns something truthy, and resolves with that;
 * rejects once `timeoutMs` have passed, naming `what` it waited for. For conditions no event
 * announces (a process gone, files removed); the one polling loop of bd-rx and its tests.
 */
export async function waitFor<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs: number,
  what = 'condition',
  everyMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
