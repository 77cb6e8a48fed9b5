#!/usr/bin/env node
/**
 * The `bd-rx` bin. Each command is a fresh process, so start-up is most of a quick command's
 * time, and most of start-up is V8 compiling JavaScript and Node resolving ~110 files. So
 * `npm run build` also writes the CLI as one file (`cli-bundle.js`, by esbuild, see
 * scripts/build-cli-bundle.js) and V8's code cache of it (`cli-bundle.cache`, taken after a
 * `list` ran), and this file compiles the bundle with that cache: V8 then skips compiling every
 * function the cached run used. A cache V8 does not accept (another Node version) is ignored;
 * with no bundle, or one older than main.js (a plain `tsc` after an edit), the modules load one
 * by one as before, so a stale bundle never runs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { createRequire } from 'node:module';
import { holdYoungGeneration } from '../daemon/young-generation';

type Main = typeof import('./main');

function loadBundle(): Main | null {
  const bundle = path.join(__dirname, 'cli-bundle.js');
  let source: string;
  try {
    if (fs.statSync(bundle).mtimeMs < fs.statSync(path.join(__dirname, 'main.js')).mtimeMs) return null;
    source = fs.readFileSync(bundle, 'utf8');
  } catch {
    return null;
  }
  const cacheFile = path.join(__dirname, 'cli-bundle.cache');
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  // The same wrapper Node puts around a CommonJS file, so the bundle sees exports, require,
  // module, __filename and __dirname as if it had been required.
  const wrapped = `(function (exports, require, module, __filename, __dirname) { ${source}\n});`;
  const script = new vm.Script(wrapped, { filename: bundle, cachedData });
  if (process.env.BD_RX_WRITE_CODE_CACHE === '1') {
    process.once('exit', () => fs.writeFileSync(cacheFile, script.createCachedData()));
  }
  const mod = { exports: {} as Main };
  (script.runInThisContext() as (...args: unknown[]) => void)(mod.exports, createRequire(bundle), mod, bundle, __dirname);
  return mod.exports;
}

// Before the CLI is loaded: loading it is what grows the young generation (see young-generation.ts).
// `bd-rx daemon …` only as the first argument (how `daemon start` and supervisors run it).
if (process.argv[2] === 'daemon') holdYoungGeneration();

// eslint-disable-next-line @typescript-eslint/no-require-imports
const cli: Main = loadBundle() ?? (require('./main') as Main);
void cli.main();
