#!/usr/bin/env bash
# Cold start of the CLI: `bd-rx list --json` on a 1,000-issue workspace, beside `node -e 0`.
#
#   scripts/bench-cli-cold-start.sh [--build] [--runs N]
#
# Builds the workspace in a temp dir (scripts/gen-issues.ts, `bd-rx init`, `bd-rx import`), then
# runs hyperfine (-N, 3 warm-ups), `node -e 0` beside the command, both in one run:
#   cmd        the `bd-rx` bin as npm installs it (package.json bin: dist/cli/bin.js, a node
#              shebang script), run by path as a user's shell runs it, environment as it is
#   env        `node dist/cli/bin.js`, environment as it is (this machine sets
#              NODE_EXTRA_CA_CERTS, which every node process pays for, `node -e 0` included)
#   no-ca      the same with NODE_EXTRA_CA_CERTS unset (for reference only)
# and prints the medians, the ratio to `node -e 0`, PASS/FAIL against the 150 ms target, where
# the time goes (self time of each module's require, measured with a Module._load hook), and
# a timeline of one run by phase.
# A report, not a test: exits 0 whatever the numbers (non-zero only if it cannot run).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/dist/cli/bin.js"
RUNS=30
BUILD=0
TARGET_MS=150
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=1 ;;
    --runs) RUNS="$2"; shift ;;
    *) echo "usage: $0 [--build] [--runs N]" >&2; exit 2 ;;
  esac
  shift
done

command -v hyperfine >/dev/null || { echo "hyperfine is not installed" >&2; exit 1; }
if [ "$BUILD" = 1 ] || [ ! -f "$BIN" ]; then (cd "$ROOT" && npm run -s build); fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/bd-rx-bench-cli-XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
WS="$TMP/ws"
mkdir -p "$WS"

echo "bench-cli-cold-start — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine: $(nproc) CPU ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB RAM, node $(node -v), hyperfine $(hyperfine --version | cut -d' ' -f2)"
echo "dist/cli/bin.js built $(date -u -r "$BIN" +%Y-%m-%dT%H:%M:%SZ); workspace $WS"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- workspace: 1,000 synthetic issues --------------------------------------------------------
(cd "$ROOT" && npx ts-node --transpile-only scripts/gen-issues.ts 1000 1) > "$TMP/issues.jsonl"
(cd "$WS" && node "$BIN" init --prefix bench >/dev/null)
cp "$TMP/issues.jsonl" "$WS/.beads/issues.jsonl"
(cd "$WS" && node "$BIN" import)
COUNT="$(cd "$WS" && node "$BIN" list --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).length))')"
echo "list --json prints $COUNT issues (tombstones are not listed)"

# ---- hyperfine --------------------------------------------------------------------------------
run_hf() { # name, command, then env args
  local name="$1" cmd="$2"; shift 2
  (cd "$WS" && env "$@" hyperfine -N --warmup 3 --runs "$RUNS" --style none \
    --export-json "$TMP/hf-$name.json" 'node -e 0' "$cmd" >/dev/null 2>"$TMP/hf-$name.err") \
    || { cat "$TMP/hf-$name.err" >&2; exit 1; }
}
# The `bd-rx` command as installed (package.json bin: dist/cli/bin.js, executable, `#!/usr/bin/env
# node`), then node on the compiled CLI directly.
[ -x "$BIN" ] || { echo "$BIN is not executable: run npm run build" >&2; exit 1; }
run_hf cmd "$BIN list --json"
run_hf env "node $BIN list --json"
run_hf no-ca "node $BIN list --json" -u NODE_EXTRA_CA_CERTS

echo
echo "load average after hyperfine: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
node - "$TMP" "$TARGET_MS" "$RUNS" <<'EOF'
const fs = require('fs');
const [dir, target, runs] = process.argv.slice(2);
const label = {
  cmd: '`bd-rx list --json` (the bin: dist/cli/bin.js via its shebang), environment as is',
  env: '`node dist/cli/bin.js list --json`, environment as is',
  'no-ca': '`node dist/cli/bin.js list --json`, NODE_EXTRA_CA_CERTS unset',
};
console.log(`| command, environment | node -e 0 median ms | list --json median ms | mean ± σ ms | min ms | ratio (target ≤ 2×) | ≤ ${target} ms |`);
console.log('|---|---:|---:|---:|---:|---:|---|');
for (const name of ['cmd', 'env', 'no-ca']) {
  const [floor, list] = JSON.parse(fs.readFileSync(`${dir}/hf-${name}.json`, 'utf8')).results;
  const ms = (s) => (s * 1000).toFixed(1);
  console.log(`| ${label[name]} | ${ms(floor.median)} | ${ms(list.median)} | ${ms(list.mean)} ± ${ms(list.stddev)} | ${ms(list.min)} | ${(list.median / floor.median).toFixed(2)}× ${list.median / floor.median <= 2 ? 'PASS' : 'FAIL'} | ${list.median * 1000 <= +target ? 'PASS' : 'FAIL'} |`);
}
console.log(`(${runs} runs each after 3 warm-ups; hyperfine -N, no shell)`);
EOF

# ---- where the time goes: self time of each require, and the rest -----------------------------
# Shared by the two profiles below: 12 runs of `list --json` with a preloaded hook (NODE_EXTRA_CA_CERTS
# unset), the first discarded; from each, the hook's `MARKER {json}` line on stderr, parsed.
cat > "$TMP/profile-runs.js" <<'EOF'
const { spawnSync } = require('child_process');
exports.med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
exports.profileRuns = (ws, bin, hook, marker) => {
  const env = { ...process.env }; delete env.NODE_EXTRA_CA_CERTS;
  const runs = [];
  for (let i = 0; i < 12; i++) {
    const r = spawnSync(process.execPath, ['-r', hook, bin, 'list', '--json'], { cwd: ws, env, encoding: 'utf8' });
    const m = new RegExp(`${marker} (.*)`).exec(r.stderr);
    if (m && i > 0) runs.push(JSON.parse(m[1]));
  }
  return runs;
};
EOF

cat > "$TMP/require-timer.js" <<'EOF'
// Preloaded with -r: wraps Module._load to time every require (inclusive), then charges each
// module its self time (inclusive minus the requires it made), grouped by package or dist file.
const Module = require('module');
const path = require('path');
const t0 = performance.now();
const load = Module._load;
const self = new Map();
const stack = [];
function group(request, parent) {
  let f;
  try { f = Module._resolveFilename(request, parent); } catch { return request; }
  if (!path.isAbsolute(f)) return `node:${f.replace(/^node:/, '')}`;
  const nm = f.lastIndexOf('node_modules/');
  if (nm >= 0) { const rest = f.slice(nm + 13).split('/'); return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]; }
  const d = f.indexOf('/dist/');
  return d >= 0 ? f.slice(d + 1) : f;
}
Module._load = function (request, parent, isMain) {
  const key = group(request, parent);
  const frame = { child: 0 };
  stack.push(frame);
  const s = performance.now();
  try { return load.apply(this, arguments); } finally {
    const incl = performance.now() - s;
    stack.pop();
    if (stack.length) stack[stack.length - 1].child += incl;
    self.set(key, (self.get(key) || 0) + incl - frame.child);
  }
};
process.on('exit', () => {
  const total = performance.now() - t0;
  const req = [...self.values()].reduce((a, b) => a + b, 0);
  process.stderr.write(`PROFILE ${JSON.stringify({ total, req, boot: t0, self: Object.fromEntries(self) })}\n`);
});
EOF
echo
echo "Where the time goes (NODE_EXTRA_CA_CERTS unset; medians of 11 runs after one warm-up):"
node - "$WS" "$BIN" "$TMP/require-timer.js" "$TMP/profile-runs.js" <<'EOF'
const [ws, bin, hook, lib] = process.argv.slice(2);
const { med, profileRuns } = require(lib);
const runs = profileRuns(ws, bin, hook, 'PROFILE');
console.log(`  node's own boot, until a preloaded script runs (performance.now() there): ${med(runs.map((r) => r.boot)).toFixed(1)} ms`);
console.log(`  from there to exit: ${med(runs.map((r) => r.total)).toFixed(1)} ms, of which inside require() (self times summed): ${med(runs.map((r) => r.req)).toFixed(1)} ms`);
console.log('  require self time per package / dist file (median over runs, ≥ 0.5 ms; "dist/cli/bin.js" includes');
console.log('  everything main() does synchronously: yargs setup and parsing, the command up to its first await):');
const keys = new Set(runs.flatMap((r) => Object.keys(r.self)));
const rows = [...keys].map((k) => [k, med(runs.map((r) => r.self[k] || 0))]).filter(([, v]) => v >= 0.5).sort((a, b) => b[1] - a[1]);
for (const [k, v] of rows) console.log(`  ${v.toFixed(1).padStart(7)} ms  ${k}`);
EOF
# ---- timeline of one run: which phase takes how long -------------------------------------------
cat > "$TMP/timeline.js" <<'EOF'
// Preloaded with -r: a timeline of one CLI run, in ms since the process started.
const Module = require('module');
const marks = [['preload (node boot done)', performance.now()]];
const mark = (name) => marks.push([name, performance.now()]);
const wrap = (obj, key, name) => {
  const f = obj[key];
  if (typeof f !== 'function' || f.__wrapped) return;
  const w = function (...a) {
    mark(`${name} start`);
    const r = f.apply(this, a);
    if (r && typeof r.then === 'function') r.then(() => mark(`${name} end (async)`), () => {});
    else mark(`${name} end`);
    return r;
  };
  w.__wrapped = true;
  obj[key] = w;
};
const load = Module._load;
Module._load = function (request, parent, isMain) {
  const exp = load.apply(this, arguments);
  let f = '';
  try { f = Module._resolveFilename(request, parent); } catch {}
  if (f.endsWith('/dist/cli/main.js')) { mark('dist/cli/main.js loaded (yargs + all command modules)'); wrap(exp, 'main', 'main()'); }
  else if (f.endsWith('/dist/cli/backend.js')) wrap(exp, 'openDirectBackend', 'openDirectBackend (requires store/sync/ops, opens DB)');
  else if (f.endsWith('/dist/sync/import-jsonl.js')) wrap(exp, 'importJsonl', 'importJsonl (stat check)');
  else if (f.endsWith('/dist/ops/execute-operation.js')) wrap(exp, 'executeOperation', 'executeOperation list');
  else if (f.endsWith('/dist/cli/render.js')) wrap(exp, 'printJson', 'printJson');
  return exp;
};
process.on('exit', () => { mark('exit event'); process.stderr.write('TIMELINE ' + JSON.stringify(marks) + '\n'); });
EOF
echo
echo "Timeline of one run (NODE_EXTRA_CA_CERTS unset; ms since process start, median of 11 runs; each"
echo "phase is the time since the previous mark):"
node - "$WS" "$BIN" "$TMP/timeline.js" "$TMP/profile-runs.js" <<'EOF'
const [ws, bin, hook, lib] = process.argv.slice(2);
const { med, profileRuns } = require(lib);
const runs = profileRuns(ws, bin, hook, 'TIMELINE');
const names = runs[0].map(([n]) => n);
let prev = 0;
for (const name of names) {
  const at = med(runs.map((r) => (r.find(([n]) => n === name) || [name, NaN])[1]));
  console.log(`  ${at.toFixed(1).padStart(7)} ms  (+${(at - prev).toFixed(1).padStart(5)})  ${name}`);
  prev = at;
}
EOF

echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
