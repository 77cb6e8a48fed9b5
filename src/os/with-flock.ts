import { spawn } from 'node:child_process';
import * as fs from 'node:fs';

/** The lock could not be taken in time (another process holds it). */
export class FlockTimeoutError extends Error {
  constructor(readonly lockPath: string, readonly timeoutS: number) {
    super(
      `${lockPath} stayed locked for ${timeoutS} s: another process holds it; ` +
        'if none should, check `fuser` on the file and try again',
    );
    this.name = 'FlockTimeoutError';
  }
}

/**
 * Runs `fn` while holding an exclusive flock(2) on `lockPath`: the lock bd's Go code takes
 * (`unix.Flock(LOCK_EX)`), so a bd process and a bd-rx process serialise on the same file.
 * Node has no flock, so util-linux's `flock(1)` takes it on our behalf and holds it for as long
 * as its child `cat` runs: the line we send comes back only once the lock is held, and closing
 * cat's stdin ends both and releases it. Where `flock(1)` is not installed (macOS), `fn` runs
 * unlocked and `locked` is false: writes are still atomic renames, only a simultaneous bd
 * register could drop one entry.
 */
export function withFlock<T>(lockPath: string, fn: () => T, opts: { timeoutS?: number } = {}): Promise<{ value: T; locked: boolean }> {
  const timeoutS = opts.timeoutS ?? 10;
  fs.closeSync(fs.openSync(lockPath, 'a', 0o644));
  return new Promise((resolve, reject) => {
    const child = spawn('flock', ['--exclusive', '--timeout', String(timeoutS), lockPath, 'cat'], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    let held = false;
    let settled = false;
    let result: { value: T; locked: boolean } | undefined;
    let failure: unknown;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      if (failure !== undefined) reject(failure);
      else resolve(result as { value: T; locked: boolean });
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' && !held) {
        try {
          result = { value: fn(), locked: false };
        } catch (e) {
          failure = e;
        }
      } else failure = err;
      settle();
    });
    child.stdout.once('data', () => {
      held = true;
      try {
        result = { value: fn(), locked: true };
      } catch (e) {
        failure = e;
      }
      child.stdin.end();
    });
    child.on('close', (code) => {
      if (!held && failure === undefined && result === undefined) {
        failure = code === 1 ? new FlockTimeoutError(lockPath, timeoutS) : new Error(`flock(1) exited ${code} on ${lockPath}`);
      }
      settle();
    });
    child.stdin.on('error', () => undefined);
    child.stdin.write('locked\n');
  });
}
