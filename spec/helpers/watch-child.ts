/**
 * A process of its own that watches a workspace, for tests that change the limits it runs
 * under (e.g. inside `unshare -Ur` with inotify limits lowered). Prints one JSON line per
 * WatchEvent, and `{"ready":true}` when every watch is in place; unsubscribes and exits when
 * stdin closes, so a clean exit code 0 shows nothing crashed it.
 *
 * Usage: node -r ts-node/register/transpile-only watch-child.ts BEADS_DIR JSONL [--poll]
 */
import { fileChange$ } from '../../src/sources/file-change';

const [beadsDir, jsonlPath, mode] = process.argv.slice(2);
if (!beadsDir || !jsonlPath) {
  process.stderr.write('usage: watch-child.ts BEADS_DIR JSONL [--poll]\n');
  process.exit(2);
}

const sub = fileChange$({
  beadsDir,
  jsonlPath,
  git: null,
  usePolling: mode === '--poll',
  onReady: () => console.log(JSON.stringify({ ready: true })),
}).subscribe((e) => console.log(JSON.stringify(e)));

process.stdin.on('end', () => sub.unsubscribe());
process.stdin.resume();
