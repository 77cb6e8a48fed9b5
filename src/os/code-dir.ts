import * as path from 'node:path';

/**
 * The directory holding the compiled code's top-level folders (`dist/` when built, `src/` under
 * ts-node and jest): where the worker scripts, the bin and the package root are found.
 *
 * Derived from this file's own folder, one level down (`dist/os`), and not from each caller's
 * `__dirname`: the CLI also runs as one bundled file (`dist/cli/cli-bundle.js`, see
 * src/cli/bin.ts) in which every module's `__dirname` is `dist/cli`, also one level down, so
 * the same expression gives `dist/` in both.
 */
export const CODE_DIR = path.resolve(__dirname, '..');

/** A file of the compiled code, e.g. `codePath('sources', 'file-change-worker.js')`. */
export function codePath(...segments: string[]): string {
  return path.join(CODE_DIR, ...segments);
}
