import type { DaemonEvent } from '../src/events/daemon-event';
import { expectedCostMs, fetchPeriodFor, type GitCost, gitCostOf, gitLead, NO_GIT_COSTS, pushLeadFor, withCost } from '../src/pipeline/git-leads';
import { exportRequests } from '../src/pipeline/export-requests';
import type { LaneRequest } from '../src/pipeline/effect-kinds';
import { testScheduler } from './support/fake-daemon';

const costs = (...cs: GitCost[]) => cs.reduce(withCost, NO_GIT_COSTS);
const fetch = (ms: number): GitCost => ({ kind: 'fetch', ms });
const pull = (ms: number): GitCost => ({ kind: 'pull', ms });
const push = (ms: number): GitCost => ({ kind: 'push', ms });

describe('gitCostOf', () => {
  const pulled = { type: 'git/pulled', ahead: 0, behind: 1, fastForwarded: true, merged: null, batched: 1 };
  it('should classify a clean push, a pull, and an idle fetch by their run_ms', () => {
    expect(gitCostOf({ type: 'git/pushed', sha: 'a', pulled: null, run_ms: 80, batched: 1 } as DaemonEvent)).toEqual(push(80));
    expect(gitCostOf({ ...pulled, run_ms: 60 } as DaemonEvent)).toEqual(pull(60));
    expect(gitCostOf({ type: 'git/skipped', step: 'push', reason: 'nothing to push', run_ms: 15, batched: 1 } as DaemonEvent)).toEqual(fetch(15));
    expect(gitCostOf({ type: 'git/skipped', step: 'fetch', reason: 'up to date', run_ms: 12, batched: 1 } as DaemonEvent)).toEqual(fetch(12));
  });

  it('should say failing for a failed run and a rejected push', () => {
    expect(gitCostOf({ type: 'git/failed', step: 'fetch', code: '128', error: 'x', batched: 1 } as DaemonEvent)).toEqual({ kind: 'failing' });
    expect(gitCostOf({ type: 'git/rejected', step: 'push', reason: 'fetch first', batched: 1 } as DaemonEvent)).toEqual({ kind: 'failing' });
  });

  it('should take nothing from a push that merged first, a commit alone, a skipped commit, other events, or an outcome without run_ms', () => {
    expect(gitCostOf({ type: 'git/pushed', sha: 'a', pulled: { kind: 'pulled', ...pulled }, run_ms: 300, batched: 1 } as unknown as DaemonEvent)).toBeUndefined();
    expect(gitCostOf({ type: 'git/committed', sha: 'a', issues: 1, run_ms: 20, batched: 1 } as DaemonEvent)).toBeUndefined();
    expect(gitCostOf({ type: 'git/skipped', step: 'commit', reason: 'no change', run_ms: 2, batched: 1 } as DaemonEvent)).toBeUndefined();
    expect(gitCostOf({ type: 'export/done', issues: 1, bytes: 1, ms: 4, batched: 1 } as DaemonEvent)).toBeUndefined();
    expect(gitCostOf(pulled as DaemonEvent)).toBeUndefined();
  });
});

describe('expectedCostMs', () => {
  it('should be unknown before anything is measured', () => {
    expect(expectedCostMs(NO_GIT_COSTS, 'pull')).toBeUndefined();
    expect(expectedCostMs(NO_GIT_COSTS, 'push')).toBeUndefined();
  });

  it('should take the slowest of the latest runs of the kind, or of the idle fetches times their ratio, whichever is more', () => {
    expect(expectedCostMs(costs(fetch(20)), 'pull')).toBe(40);
    expect(expectedCostMs(costs(fetch(20)), 'push')).toBe(60);
    expect(expectedCostMs(costs(fetch(20), pull(70), push(90)), 'pull')).toBe(70);
    expect(expectedCostMs(costs(fetch(20), pull(70), push(90)), 'push')).toBe(90);
    // The machine got slower since the last pull: the idle fetches say so first.
    expect(expectedCostMs(costs(pull(70), fetch(50)), 'pull')).toBe(100);
  });

  it('should forget a run once five newer ones of its kind came', () => {
    expect(expectedCostMs(costs(pull(500), pull(60), pull(60), pull(60), pull(60)), 'pull')).toBe(500);
    expect(expectedCostMs(costs(pull(500), pull(60), pull(60), pull(60), pull(60), pull(60)), 'pull')).toBe(60);
  });
});

describe('pushLeadFor', () => {
  it('should be 0 before anything is measured, the expected push plus a quarter and 20 ms after', () => {
    expect(pushLeadFor(NO_GIT_COSTS, 500)).toBe(0);
    expect(pushLeadFor(costs(push(80)), 500)).toBe(120);
    expect(pushLeadFor(costs(fetch(20)), 500)).toBe(95);
  });

  it('should never take more than half the debounce', () => {
    expect(pushLeadFor(costs(push(900)), 500)).toBe(250);
    expect(pushLeadFor(costs(push(90)), 100)).toBe(50);
  });
});

describe('fetchPeriodFor', () => {
  it('should be the interval before anything is measured, the interval less the expected pull (plus a quarter and 20 ms) after', () => {
    expect(fetchPeriodFor(NO_GIT_COSTS, 1000)).toBe(1000);
    expect(fetchPeriodFor(costs(pull(60)), 1000)).toBe(905);
    expect(fetchPeriodFor(costs(fetch(20)), 30_000)).toBe(29_930);
  });

  it('should never go under half the interval (at most twice the fetches)', () => {
    expect(fetchPeriodFor(costs(pull(2000)), 1000)).toBe(500);
  });
});

describe('gitLead', () => {
  it('should start from no cost at once, move only when a cost moves it, and forget every cost when git fails', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const cost$ = cold('----f-------p------f---x---f-|', { f: fetch(20), p: pull(60), x: { kind: 'failing' as const } });
      expectObservable(cost$.pipe(gitLead((c) => fetchPeriodFor(c, 1000)))).toBe('I---a-------b----------I---a-|', { I: 1000, a: 930, b: 905 });
    });
  });
});

describe('exportRequests with a push lead', () => {
  const timing = { debounceMs: 10, maxWaitMs: 30, prepareLeadMs: 2 };
  const requests: Record<string, LaneRequest> = { p: { kind: 'prepare', batched: 1 }, x: { kind: 'export', batched: 1 } };

  it('should move the export, and the prepare with it, ahead of the deadline by the push lead in force when the work came', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, hot, expectObservable }) => {
      // Lead 4: the work at 1 is exported at 1 + 10 - 4 = 7, prepared 2 before; lead 0 from 12:
      // the work at 15 at the full debounce, 25.
      const pushLead = hot('a-----------b-----------------', { a: 4, b: 0 });
      const work = cold('   -w-------------w--------------|');
      const expected = '    -----p-x---------------p-x----|';
      expectObservable(work.pipe(exportRequests(timing, scheduler, () => undefined, undefined, pushLead))).toBe(expected, requests);
    });
  });

  it('should still prepare, halfway, when the push lead leaves less quiet than the prepare lead', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, hot, expectObservable }) => {
      // Lead 8: due 2 after the work, not more than the prepare lead 2: prepare at 1 + 1.
      const pushLead = hot('a-------', { a: 8 });
      const work = cold('   -w-----|');
      const expected = '    --px---|';
      expectObservable(work.pipe(exportRequests(timing, scheduler, () => undefined, undefined, pushLead))).toBe(expected, requests);
    });
  });
});
