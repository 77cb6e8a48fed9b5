import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Resolves with the performance.now() at which `file` was first seen (by its stat changing)
 * holding `token`. The file is read only when its stat changes, and searched as bytes: at 1M
 * issues it is ~0.9 GB, too long to decode as one string.
 */
export function whenFileHolds(file: string, token: string, timeoutMs: number): Promise<number> {
  const needle = Buffer.from(token);
  return new Promise((resolve, reject) => {
    const keyOf = (): string => {
      try {
        const st = fs.statSync(file);
        return `${st.ino}:${st.mtimeMs}:${st.size}`;
      } catch {
        return 'missing';
      }
    };
    let lastKey = keyOf();
    const check = (): void => {
      const key = keyOf();
      if (key === lastKey) return;
      const seenAt = performance.now();
      lastKey = key;
      try {
        if (fs.readFileSync(file).includes(needle)) done(seenAt);
      } catch {
        // replaced between the stat and the read: the next change is looked at
      }
    };
    const watcher = fs.watch(path.dirname(file), () => check());
    const poll = setInterval(check, 5);
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`the JSONL did not hold ${token} within ${timeoutMs} ms`));
    }, timeoutMs);
    const cleanup = (): void => {
      watcher.close();
      clearInterval(poll);
      clearTimeout(timer);
    };
    const done = (t: number): void => {
      cleanup();
      resolve(t);
    };
  });
}
