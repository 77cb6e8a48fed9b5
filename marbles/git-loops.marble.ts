import { filter, map } from 'rxjs';
import type { GitOutcome } from '../src/git/effects/git-outcome';
import { daemonPipeline } from '../src/pipeline/daemon-pipeline';
import type { GitLoops } from '../src/pipeline/git-requests';
import { COMMITTED, EXPORTED, fakeEffects, type FakeEffectOptions, mutation, SETTINGS, sources, testScheduler } from './support/fake-daemon';

const COMMIT_ONLY: GitLoops = { autoCommit: true, autoPull: false, remoteSyncIntervalMs: 0 };
const REJECTED: GitOutcome = { kind: 'rejected', step: 'push', reason: 'fetch first' };
const PUSHED: GitOutcome = { kind: 'pushed', sha: 'c0ffee', pulled: null };
/** The start-up export finds nothing to write, so only the start-up request asks for git at 0. */
const QUIET_START: FakeEffectOptions = { exportOutcome: (n) => (n === 0 ? { kind: 'skipped', reason: 'no local changes' } : EXPORTED) };

/**
 * The git loops close inside the pipeline, on the injected scheduler (see git-requests.ts):
 * each case runs the daemon in virtual time with fake effects and a SIGTERM at `stopAt`, and
 * checks when each run started.
 */
function runDaemon(opts: { git?: GitLoops; effects?: FakeEffectOptions; mutations?: string; stopAt: number; busyRetryMs?: number }) {
  const scheduler = testScheduler();
  const effects = fakeEffects(scheduler, opts.effects);
  let gitEvents: string[] = [];
  scheduler.run(({ cold, flush }) => {
    const mutation$ = cold(opts.mutations ?? '', { m: mutation('bd-a1b2') });
    const signal$ = cold(`${opts.stopAt}ms T`, { T: 'SIGTERM' as const });
    const out$ = daemonPipeline(sources({ mutation$, signal$ }), {
      ...SETTINGS,
      ...effects,
      git: opts.git,
      busyRetryMs: opts.busyRetryMs ?? 1000,
      scheduler,
    });
    const seen: string[] = [];
    out$
      .pipe(
        filter((e) => e.type.startsWith('git/')),
        map((e) => `${e.type}@${scheduler.now()}`),
      )
      .subscribe((e) => seen.push(e));
    flush();
    gitEvents = seen;
  });
  return { runs: effects.runs.map((r) => `${r.kind}@${r.start}`), gitEvents };
}

describe('git loops (in the daemon pipeline)', () => {
  it('should follow the start-up and every export/done with one git run when auto-commit is on', () => {
    const { runs, gitEvents } = runDaemon({ git: COMMIT_ONLY, mutations: '1000ms m', stopAt: 5000, effects: QUIET_START });
    // 0: start-up export (nothing to write), import, the start-up git run; 1000: a write;
    // 1500: its export, and the git run it asks for right after it.
    expect(runs).toEqual(['export@0', 'import@0', 'git@0', 'export@1500', 'git@1500']);
    expect(gitEvents).toEqual(['git/committed@0', 'git/committed@1500']);
  });

  it('should ask for no git run at all when git sync is off', () => {
    const { runs } = runDaemon({ mutations: '1000ms m', stopAt: 5000 });
    expect(runs).toEqual(['export@0', 'import@0', 'export@1500']);
  });

  it('should fetch every remote-sync interval with auto-pull, and stop ticking at the stop', () => {
    const git: GitLoops = { autoCommit: false, autoPull: true, remoteSyncIntervalMs: 1000 };
    const { runs } = runDaemon({ git, stopAt: 3500, effects: { gitOutcome: () => ({ kind: 'skipped', step: 'fetch', reason: 'up to date' }) } });
    expect(runs.filter((r) => r.startsWith('git'))).toEqual(['git@0', 'git@1000', 'git@2000', 'git@3000']);
  });

  it('should retry a rejected push after 1 s, then 2 s, and stop retrying once a push goes through', () => {
    const outcomes = [REJECTED, REJECTED, PUSHED];
    const { runs, gitEvents } = runDaemon({ git: COMMIT_ONLY, stopAt: 20_000, effects: { ...QUIET_START, gitOutcome: (n) => outcomes[n] ?? PUSHED } });
    expect(runs.filter((r) => r.startsWith('git'))).toEqual(['git@0', 'git@1000', 'git@3000']);
    expect(gitEvents).toEqual(['git/rejected@0', 'git/rejected@1000', 'git/pushed@3000']);
  });

  it('should ask for git again busyRetryMs after a git/waiting, until git is no longer busy', () => {
    const waiting: GitOutcome = { kind: 'waiting', step: 'commit', reason: 'rebase' };
    const outcomes = [waiting, waiting, COMMITTED];
    const { runs } = runDaemon({ git: COMMIT_ONLY, stopAt: 10_000, effects: { ...QUIET_START, gitOutcome: (n) => outcomes[n] ?? COMMITTED } });
    expect(runs.filter((r) => r.startsWith('git'))).toEqual(['git@0', 'git@1000', 'git@2000']);
  });

  it('should export and import again after one skipped because git is busy (a debounce after the retry)', () => {
    const { runs } = runDaemon({
      stopAt: 10_000,
      effects: {
        exportOutcome: (n) => (n === 0 ? { kind: 'skipped', reason: 'git busy: rebase' } : EXPORTED),
        importOutcome: (n) => (n === 0 ? { kind: 'skipped', reason: 'git busy: rebase' } : { kind: 'skipped', reason: 'unchanged' }),
      },
    });
    expect(runs).toEqual(['export@0', 'import@0', 'export@1500', 'import@1500']);
  });

  it('should drop the git runs exports ask for while git fails, retrying at the remote-sync ticks only, until a run succeeds', () => {
    const git: GitLoops = { autoCommit: true, autoPull: true, remoteSyncIntervalMs: 1000 };
    const failed: GitOutcome = { kind: 'failed', step: 'fetch', code: '128', error: 'remote unreachable' };
    // Fails until the run at the 3 s tick; a write every 400 ms from 100 ms (an export each max wait).
    const { runs, gitEvents } = runDaemon({
      git,
      stopAt: 5000,
      mutations: '100ms m 399ms m 399ms m 399ms m 399ms m 399ms m 399ms m 399ms m 399ms m 399ms m',
      effects: { ...QUIET_START, gitOutcome: (n) => (n < 3 ? failed : PUSHED) },
    });
    const gitRuns = runs.filter((r) => r.startsWith('git'));
    // While failing: the start-up run and the ticks, none of the exports in between.
    expect(gitRuns.slice(0, 4)).toEqual(['git@0', 'git@1000', 'git@2000', 'git@3000']);
    expect(gitEvents.filter((e) => e.startsWith('git/failed'))).toEqual(['git/failed@0', 'git/failed@1000', 'git/failed@2000']);
    // Once it succeeded, exports ask for git again.
    expect(gitRuns.length).toBeGreaterThan(5);
  });

  it('should drop the git runs exports ask for while pushes are rejected, leaving the retries to the push backoff and the ticks', () => {
    const git: GitLoops = { autoCommit: true, autoPull: true, remoteSyncIntervalMs: 1000 };
    const rejected: GitOutcome = { kind: 'rejected', step: 'push', reason: 'pre-receive hook declined' };
    const { runs, gitEvents } = runDaemon({
      git,
      stopAt: 5000,
      mutations: '100ms m 399ms m 399ms m 399ms m 399ms m 399ms m 399ms m 399ms m 399ms m 399ms m',
      effects: { ...QUIET_START, gitOutcome: (n) => (n < 3 ? rejected : PUSHED) },
    });
    const gitRuns = runs.filter((r) => r.startsWith('git'));
    const at = (r: string): number => Number(r.split('@')[1]);
    // While rejected (until the run at 3 s): the start-up run and the ticks only; the export at 2.1 s asks for none.
    expect(runs.filter((r) => at(r) < 3000 && (r.startsWith('git') || r.startsWith('export')))).toEqual(['export@0', 'git@0', 'git@1000', 'git@2000', 'export@2100']);
    expect(gitEvents.filter((e) => e.startsWith('git/rejected'))).toEqual(['git/rejected@0', 'git/rejected@1000', 'git/rejected@2000']);
    // Once a push went through, an export asks for git again.
    expect(gitRuns.filter((r) => at(r) > 4000)).toEqual(['git@4200']);
  });
});
