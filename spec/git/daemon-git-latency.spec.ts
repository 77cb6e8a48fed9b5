import type { DaemonEvent, LoggedEvent } from '../../src/events/daemon-event';
import { fetchPeriodFor, gitCostOf, type GitCosts, NO_GIT_COSTS, pushLeadFor, withCost } from '../../src/pipeline/git-leads';
import type { RpcClient } from '../../src/rpc/rpc-client';
import { type DaemonProcess, useDaemons } from '../helpers/daemon-process';
import { waitFor } from '../helpers/wait-for';
import { connect, jsonlIds, jsonlOf, workspaceClones as clones } from './git-clones';
import { gitFloors } from './git-floors';
import { GIT_TEST_ENV, useGitSandboxes } from './git-repos';

const INTERVAL_MS = 1000;
/** The daemon's default debounce (`--debounce-ms`, 500): what a user gets without setting one. */
const DEBOUNCE_MS = 500;
const SAMPLES = 20;

/** A git run as a daemon logged it, with what its leads expected it to cost when it started. */
interface Run {
  /** Its index in the daemon's log (what `mark()` counts). */
  index: number;
  event: LoggedEvent;
  endAt: number;
  ms: number;
  /**
   * What the daemon's schedule covered of it, from what it had learnt (see git-leads.ts): of a
   * push, the push lead (the export and push started that much before the deadline); of a pull,
   * the pull lead (the tick came that much before the interval); of an idle run, the slowest
   * idle fetch.
   */
  expectedMs: number;
}

/**
 * A daemon's git runs from its log, each with the expectation its leads held before it (the
 * same fold the pipeline makes: `gitCostOf`, `withCost`, `expectedCostMs`): a push against the
 * expected push, a pull against the expected pull, an idle run against the slowest idle fetch.
 */
function runsOf(d: DaemonProcess): Run[] {
  let costs: GitCosts = NO_GIT_COSTS;
  const out: Run[] = [];
  d.all(() => true).forEach((event, index) => {
    if (!event.type.startsWith('git/')) return;
    const e = event as DaemonEvent & { run_ms?: number; pulled?: { ms?: number } | null };
    const pulling = e.type === 'git/pulled' || (e.type === 'git/pushed' && e.pulled != null);
    const kind = pulling ? 'pull' : e.type === 'git/pushed' ? 'push' : null;
    const expectedMs = kind === 'push' ? pushLeadFor(costs, DEBOUNCE_MS) : kind === 'pull' ? INTERVAL_MS - fetchPeriodFor(costs, INTERVAL_MS) : Math.max(0, ...costs.fetch);
    // A run that pulled and then pushed made the create visible at its import: fetch to import.
    const ms = e.type === 'git/pushed' && e.pulled ? (e.pulled.ms ?? e.run_ms ?? 0) : (e.run_ms ?? 0);
    out.push({ index, event, endAt: Date.parse(event.ts), ms, expectedMs });
    const cost = gitCostOf(event);
    if (cost) costs = withCost(costs, cost);
  });
  return out;
}

const excess = (r: Run | undefined) => (r ? Math.max(0, r.ms - r.expectedMs) : 0);
const isPull = (r: Run) => r.event.type === 'git/pulled' || (r.event.type === 'git/pushed' && (r.event as { pulled?: unknown }).pulled != null);

/**
 * Issue 11's promise: a create on A is in B's and C's DB and JSONL within the remote-sync
 * interval + 2 × debounce. The daemons' schedule makes it so (A's export and push start early by
 * the push they expect, B's and C's ticks come the interval less the pull they expect:
 * src/pipeline/git-leads.ts, proved at every phase in marbles/sync-latency.marble.ts); what it
 * cannot cover is a git run slower than it had learnt, or slower than its leads may take (half
 * the debounce, half the interval). So each of 20 creates, made just after one of B's ticks
 * (B's worst phase), is judged against the bound plus only that sample's own git runs beyond
 * what the schedule covered of them: A's push run beyond its push lead; on B and C, the pull
 * that brought it in beyond the pull lead, and the run still going when A's push landed beyond
 * the slowest idle fetch (it holds the lane). The bound's second debounce stays as the slack for
 * everything else. Every sample is judged, and the
 * allowance must be 0 for at least half of them, so the check is not vacuous: the schedule
 * never adds beyond the bound, only slower-than-expected git does. Every sample's latency and
 * allowance is printed.
 */
describe('create on A → B and C (a daemon per clone, --auto-sync, 1 s interval, default 500 ms debounce)', () => {
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

  it('should have every one of 20 creates in B and C (show answers, JSONL holds it) within interval + 2 × debounce + only what git ran slower than expected', async () => {
    const { roundTripMs } = gitFloors(5);
    const boundMs = INTERVAL_MS + 2 * DEBOUNCE_MS;
    const args = ['--auto-sync', '--remote-sync-interval', `${INTERVAL_MS}ms`, '--debounce-ms', String(DEBOUNCE_MS), '--log-format', 'json'];
    const dirs = clones(sandbox('latency'), ['b', 'c']);
    const ds = dirs.map((cwd) => start({ cwd, args, env: GIT_TEST_ENV }));
    await Promise.all(ds.map((d) => d.waitUntilWatching(60_000)));
    const [a, b, c] = await Promise.all(dirs.map((d, i) => connect(d, `latency-${i}`)));
    const others: Array<[RpcClient, string]> = [
      [b, dirs[1]],
      [c, dirs[2]],
    ];
    const samples: Array<{ id: string; t0: number; ms: number; marks: number[] }> = [];
    try {
      for (let i = 0; i < SAMPLES; i++) {
        // Right after one of B's ticks has fetched: A's push lands after B looked, the worst
        // phase for B (a whole period to its next tick); C's ticks run at another phase.
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
        samples.push({ id, t0, ms: Date.now() - t0, marks });
      }
    } finally {
      for (const client of [a, b, c]) client.close();
    }
    // Let the last runs be logged, then read every daemon's runs once.
    await waitFor(() => ds.every((d, k) => k === 0 || d.all(isPullEvent, samples[SAMPLES - 1].marks[k]).length > 0), 5_000, 'the last pulls logged').catch(() => undefined);
    const runs = ds.map(runsOf);
    const judged = samples.map((s) => {
      const after = (k: number) => runs[k].filter((r) => r.index >= s.marks[k]);
      const push = after(0).find((r) => r.event.type === 'git/pushed');
      const landedAt = push?.endAt ?? s.t0;
      const side = (k: number) => {
        const pull = after(k).find(isPull);
        const busy = runs[k].find((r) => r !== pull && r.endAt > landedAt && r.endAt - r.ms < landedAt);
        return { ms: excess(pull) + excess(busy), trace: `pull ${pull?.ms} ms (expected ${pull?.expectedMs})${busy ? `, busy run ${busy.ms} ms (expected ${busy.expectedMs})` : ''}` };
      };
      const [sb, sc] = [side(1), side(2)];
      const allowance = excess(push) + Math.max(sb.ms, sc.ms);
      const line = `${s.id}: ${s.ms} ms, allowance ${allowance} ms (A push ${push?.ms} ms, expected ${push?.expectedMs}; B ${sb.trace}; C ${sc.trace})`;
      return { ...s, allowance, line };
    });
    process.stdout.write(`latency (bound ${boundMs} ms, git round trip by hand ${Math.round(roundTripMs)} ms):\n${judged.map((j) => `  ${j.line}`).join('\n')}\n`);
    const over = judged.filter((j) => j.ms > boundMs + j.allowance).map((j) => j.line);
    expect({ boundMs, over }).toEqual({ boundMs, over: [] });
    // Not vacuous: for most creates git ran as the daemon expected, and the plain bound held.
    expect(judged.filter((j) => j.allowance === 0).length).toBeGreaterThanOrEqual(SAMPLES / 2);
    expect(samples).toHaveLength(SAMPLES);
    for (const dir of dirs.slice(1)) expect(jsonlIds(jsonlOf(dir))).toEqual(expect.arrayContaining(samples.map((s) => s.id)));
  });
});

function isPullEvent(e: LoggedEvent): boolean {
  return e.type === 'git/pulled' || (e.type === 'git/pushed' && (e as { pulled?: unknown }).pulled != null);
}
