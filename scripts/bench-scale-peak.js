// Preloaded (`node -r`) into a CLI run by scripts/bench-scale.ts: writes the process's own peak
// RSS (VmHWM, kB) to $BENCH_PEAK_FILE at exit. getrusage's maxRSS would report the bench
// process's peak instead, since it survives fork + exec on Linux.
'use strict';
const fs = require('fs');
process.on('exit', () => {
  const out = process.env.BENCH_PEAK_FILE;
  if (!out) return;
  const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  fs.writeFileSync(out, m ? m[1] : '');
});
