#!/usr/bin/env node
/**
 * Part of `npm run build`, after tsc: writes dist/cli/cli-bundle.js (the CLI as one file, by
 * esbuild, from dist/cli/main.js) and dist/cli/cli-bundle.cache (V8's code cache of it, taken
 * after one `list --json` ran in a throwaway workspace). src/cli/bin.ts loads them; why is said
 * there. better-sqlite3 stays outside (a native addon, found in node_modules as before); the
 * worker threads and the daemon's own start (`daemon start` spawns the bin) are separate files
 * that the bundle reaches by path (src/os/code-dir.ts).
 */
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const esbuild = require('esbuild');

const dist = path.resolve(__dirname, '..', 'dist', 'cli');
const bundle = path.join(dist, 'cli-bundle.js');
const cache = path.join(dist, 'cli-bundle.cache');
fs.rmSync(cache, { force: true });
esbuild.buildSync({
  entryPoints: [path.join(dist, 'main.js')],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['better-sqlite3'],
  legalComments: 'none',
  logLevel: 'warning',
});

const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'bd-rx-code-cache-'));
try {
  const env = { ...process.env, HOME: ws, BD_RX_WRITE_CODE_CACHE: '0' };
  for (const k of Object.keys(env)) if (k.startsWith('BEADS_') || k === 'BD_SOCKET') delete env[k];
  const bin = path.join(dist, 'bin.js');
  const run = (args, extra = {}) => execFileSync(process.execPath, [bin, ...args], { cwd: ws, env: { ...env, ...extra }, stdio: 'pipe' });
  run(['init', '--prefix', 'cache']);
  run(['create', 'Warm the code cache', '--no-daemon']);
  run(['list', '--json', '--no-daemon'], { BD_RX_WRITE_CODE_CACHE: '1' });
} finally {
  fs.rmSync(ws, { recursive: true, force: true });
}
if (!fs.existsSync(cache)) throw new Error(`the code cache was not written to ${cache}`);
