#!/usr/bin/env node
// `npm start`: build if dist/ is missing or older than src/, then run the daemon in the
// directory npm was started from (INIT_CWD), creating the workspace if there is none.
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const bin = path.join(root, 'dist', 'cli', 'bin.js');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

if (!fs.existsSync(bin) || newestMtime(path.join(root, 'src')) > fs.statSync(bin).mtimeMs) {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], {
    stdio: 'inherit',
  });
  // As `npm run build` does: the one-file CLI and its code cache (see src/cli/bin.ts).
  execFileSync(process.execPath, [path.join(__dirname, 'build-cli-bundle.js')], { stdio: 'inherit' });
}

const cwd = process.env.INIT_CWD || process.cwd();
const args = process.argv.slice(2);
const child = spawn(process.execPath, [bin, ...(args.length ? args : ['daemon', '--init'])], { cwd, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
