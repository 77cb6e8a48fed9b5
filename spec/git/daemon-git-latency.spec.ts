import type { RpcClient } from '../../src/rpc/rpc-client';
import { useDaemons } from '../helpers/daemon-process';
import { waitFor } from '../helpers/wait-for';
import { connect, jsonlIds, jsonlOf, workspaceClones as clones } from './git-clones';
import { gitFloors } from './git-floors';
import { GIT_TEST_ENV, useGitSandboxes } from './git-repos';

const INTERVAL_MS = 1000;
const SAMPLES = 20;

/**
 * Issue 11's promise: a create on A is in B's and C's DB and JSONL within the remote-sync
 * interval + 2 × debounce. The worst case is a create whose push lands just after B's tick
 * fetched: debounce + A's export, commit and push + a whole interval + B's fetch, merge and
 * import. So the bound holds when the git part costs less than one debounce, and that part is
 * this machine's, not the daemon's: it is measured here by hand first (A commit + push, B
 * fetch + merge), and the daemons get a debounce of at least four times it (100 ms on a quiet
 * machine with a git round trip under 25 ms; ~450 ms at the 113 ms measured quiet here). With that, every sample must be within the
 * bound, each create made just after B's tick (B's worst phase), unless that sample's own work
 * (A's export, commit and push; B's and C's fetch, merge and import, from the daemons' logs)
 * took more than the debounce, as it can on a loaded machine: a wait the daemon adds of its
 * own (a debounce after a pull, a tick skipped, an import left to the watcher) breaks it.
 */
describe('create on A → B and C (a daemon per clone, --auto-sync, 1 s interval)', () => {
  const sandbox = useGitSandboxes();
  const { start } = useDaemons();
  jest.setTimeout(240_000);

  async function shown(client: RpcClient, id: string): Promise<boolean> {
    try {
      await client.request('show', { id });
      return true;
    } catch {
      return false;
    }
  }

  it('should have every one of 20 creates in B and C (show answers, JSONL holds it) within interval + 2 × debounce', async () => {
    const { roundTripMs } = gitFloors(5);
    const debounceMs = Math.max(100, Math.ceil((4 * roundTripMs) / 10) * 10);
    const boundMs = INTERVAL_MS + 2 * debounceMs;
    const args = ['--auto-sync', '--remote-sync-interval', `${INTERVAL_MS}ms`, '--debounce-ms', String(debounceMs), '--max-wait-ms', String(4 * debounceMs), '--log-format', 'json'];
    const dirs = clones(sandbox('latency'), ['b', 'c']);
    const ds = dirs.map((cwd) => start({ cwd, args, env: GIT_TEST_ENV }));
    await Promise.all(ds.map((d) => d.waitUntilWatching(60_000)));
    const [a, b, c] = await Promise.all(dirs.map((d, i) => connect(d, `latency-${i}`)));
    const others: Array<[RpcClient, string]> = [
      [b, dirs[1]],
      [c, dirs[2]],
    ];
    const samples: Array<{ id: string; ms: number; work: number; trace: string }> = [];
    try {
      for (let i = 0; i < SAMPLES; i++) {
        // Right after one of B's ticks has fetched: A's push lands after B looked, the worst
        // phase for B (a whole interval to its next tick); C's ticks run at another phase.
        await ds[1].waitForEvent((e) => e.type.startsWith('git/'), 10_000, ds[1].mark());
        const marks = ds.map((d) => d.mark());
        const t0 = Date.now();
        const { id } = (await a.request('create', { title: `latency ${i}` })) as { id: string };
        await waitFor(
          async () => {
            for (const [client, dir] of others) if (!jsonlIds(jsonlOf(dir)).includes(id) || !(await shown(client, id))) return false;
            return true;
          },
          boundMs + 30_000,
          `${id} in B and C`,
          5,
        );
        const ms = Date.now() - t0;
        // The work on the path, from the daemons' logs: A's part past its debounce (the create,
        // the export, the commit and push: git/pushed after the create, less the debounce)
        // and the slower of B's and C's pulls (their git/pulled `ms`: fetch to import).
        const pushedAt = Date.parse(ds[0].all((e) => e.type === 'git/pushed', marks[0])[0]?.ts ?? '') - t0;
        const pullMs = (k: number) => {
          const e = ds[k].all((x) => x.type === 'git/pulled' || (x.type === 'git/pushed' && x.pulled !== null), marks[k])[0] as { ms?: number; pulled?: { ms?: number } } | undefined;
          return e?.ms ?? e?.pulled?.ms ?? NaN;
        };
        const work = pushedAt - debounceMs + Math.max(pullMs(1), pullMs(2));
        samples.push({ id, ms, work, trace: `A pushed +${pushedAt} ms, B pulled in ${pullMs(1)} ms, C in ${pullMs(2)} ms` });
      }
    } finally {
      for (const client of [a, b, c]) client.close();
    }
    // Every sample is within the bound, or over it only because this machine's work on the path
    // (measured, not assumed) took more than the debounce the bound allows for it; a sample
    // over the bound with its work within the debounce is a wait the daemon added.
    const unexplained = samples.filter((s) => s.ms > boundMs && !(s.work > debounceMs)).map((s) => `${s.id}: ${s.ms} ms (${s.trace})`);
    const over = samples.filter((s) => s.ms > boundMs);
    console.log(
      `create on A → B and C, bound ${boundMs} ms (debounce ${debounceMs}): slowest ${Math.max(...samples.map((s) => s.ms))} ms; ` +
        `${over.length} of ${samples.length} over, each with its git work over the debounce: ${over.map((s) => `${s.ms} ms (${s.trace})`).join('; ') || 'none'}`,
    );
    expect({ git_round_trip_by_hand_ms: Math.round(roundTripMs), debounceMs, boundMs, unexplained }).toEqual({ git_round_trip_by_hand_ms: Math.round(roundTripMs), debounceMs, boundMs, unexplained: [] });
    // Most within the bound outright: the debounce is 4 × the git part measured by hand.
    expect(samples.filter((s) => s.ms <= boundMs).length).toBeGreaterThanOrEqual(SAMPLES / 2);
    expect(samples).toHaveLength(SAMPLES);
    for (const dir of dirs.slice(1)) expect(jsonlIds(jsonlOf(dir))).toEqual(expect.arrayContaining(samples.map((s) => s.id)));
  });
});
