import type * as fs from 'node:fs';

// The module object itself (not an import's read-only view of it), so a spy is seen by src/.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fsModule = require('node:fs') as typeof fs;

/**
 * Runs `fn` once, the moment this process has read `file` to its end: a read through a
 * descriptor opened on it that reaches the end (how the import reads the workspace JSONL, in
 * chunks), or a `readFileSync` of it (a whole-file read) returning. For tests that force
 * another writer into that exact window. Undo with `jest.restoreAllMocks()`.
 */
export function afterFileRead(file: string, fn: () => void): { fired: boolean } {
  const state = { fired: false };
  const fds = new Set<number>();
  const fire = (): void => {
    if (state.fired) return;
    state.fired = true;
    fn();
  };
  const openSync = fsModule.openSync.bind(fsModule);
  const readSync = fsModule.readSync.bind(fsModule) as (...a: unknown[]) => number;
  const readFileSync = fsModule.readFileSync.bind(fsModule) as (...a: unknown[]) => unknown;
  jest.spyOn(fsModule, 'openSync').mockImplementation(((...args: Parameters<typeof fs.openSync>) => {
    const fd = openSync(...args);
    if (args[0] === file) fds.add(fd);
    return fd;
  }) as typeof fs.openSync);
  jest.spyOn(fsModule, 'readSync').mockImplementation(((...args: unknown[]) => {
    const n = readSync(...args);
    if (n === 0 && fds.has(args[0] as number)) fire();
    return n;
  }) as never);
  jest.spyOn(fsModule, 'readFileSync').mockImplementation(((...args: unknown[]) => {
    const bytes = readFileSync(...args);
    if (args[0] === file) fire();
    return bytes;
  }) as never);
  return state;
}
