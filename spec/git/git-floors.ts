import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { gitOk, makeGitSandbox } from './git-repos';

/** Median time of `fn` over `runs` runs. */
function medianOf(runs: number, fn: (i: number) => void): number {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    fn(i);
    t.push(performance.now() - s);
  }
  return t.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

export interface GitFloors {
  /** A's commit + push, then B's fetch + fast-forward: the git part of create-on-A → on-B. */
  roundTripMs: number;
  /** One clone's commit + fetch + push: what the remote serialises, once per clone. */
  pushCycleMs: number;
}

/**
 * The git work the daemons do, done by hand with no daemon, on this machine now: the floor
 * the git benchmark and the latency spec measure against (the same run, the same load).
 */
export function gitFloors(runs = 7): GitFloors {
  const s = makeGitSandbox('git-floor');
  try {
    const a = s.clone('a');
    const b = s.clone('b');
    const file = path.join(a, 'f.jsonl');
    const roundTripMs = medianOf(runs, (i) => {
      fs.writeFileSync(file, `{"id":"x-${i}"}\n`);
      gitOk(a, ['add', '--', 'f.jsonl']);
      gitOk(a, ['commit', '--quiet', '--no-verify', '-m', `r${i}`, '--', 'f.jsonl']);
      gitOk(a, ['push', '--quiet', 'origin', 'HEAD:main']);
      gitOk(b, ['fetch', '--quiet', 'origin']);
      gitOk(b, ['merge', '--ff-only', '--quiet', 'origin/main']);
    });
    const pushCycleMs = medianOf(runs, (i) => {
      fs.writeFileSync(file, `{"id":"y-${i}"}\n`);
      gitOk(a, ['add', '--', 'f.jsonl']);
      gitOk(a, ['commit', '--quiet', '--no-verify', '-m', `p${i}`, '--', 'f.jsonl']);
      gitOk(a, ['fetch', '--quiet', 'origin']);
      gitOk(a, ['push', '--quiet', 'origin', 'HEAD:main']);
    });
    return { roundTripMs, pushCycleMs };
  } finally {
    s.dispose();
  }
}
