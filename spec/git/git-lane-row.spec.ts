import * as fs from 'node:fs';
import { from, lastValueFrom, toArray } from 'rxjs';
import { GIT_EFFECT_KIND, gitEffect } from '../../src/git/effects/git-effect-kind';
import type { GitSyncDeps } from '../../src/git/effects/git-sync-deps';
import { resolveGitSyncSettings } from '../../src/git/git-sync-settings';
import type { LaneRequest } from '../../src/pipeline/effect-kinds';
import { serialLane } from '../../src/pipeline/serial-lane';
import { BeadsStore } from '../../src/store/beads-store';
import { storeClone } from './store-clone';
import { GIT_TEST_ENV, gitOk, useGitSandboxes, type GitSandbox } from './git-repos';

beforeAll(() => Object.assign(process.env, GIT_TEST_ENV));

const KINDS = { git: GIT_EFFECT_KIND };

describe('the git row of the serial lane', () => {
  const sandbox = useGitSandboxes();
  const stores: BeadsStore[] = [];
  afterEach(() => {
    for (const s of stores.splice(0)) s.dispose();
  });

  async function clone(s: GitSandbox, name: string): Promise<{ dir: string; store: BeadsStore; deps: GitSyncDeps }> {
    const { dir, store, deps } = await storeClone(s, name, stores);
    return { dir, store, deps };
  }

  /** Runs `n` coalescible git requests through a lane whose table has just the git row. */
  function lane(effect: () => ReturnType<ReturnType<typeof gitEffect>>, n = 1) {
    const requests: LaneRequest<'git'>[] = Array.from({ length: n }, () => ({ kind: 'git', batched: 1 }));
    return lastValueFrom(from(requests).pipe(serialLane({ effects: { git: effect }, kinds: KINDS }), toArray()));
  }

  it('should run auto-sync as one row: commit, pull, push, reported as git/pushed', async () => {
    const s = sandbox('row');
    const a = await clone(s, 'a');
    gitOk(a.dir, ['add', '.beads']);
    gitOk(a.dir, ['commit', '--quiet', '-m', 'workspace']);
    gitOk(a.dir, ['push', '--quiet', 'origin', 'main']);
    const b = await clone(s, 'b');
    a.store.create({ title: 'from A' }, 'tester');
    a.deps.exportNow();
    b.store.create({ title: 'from B' }, 'tester');
    b.deps.exportNow();
    const sync = resolveGitSyncSettings({ autoSync: true, remoteSyncInterval: '1s' }, {});
    const [ea] = await lane(gitEffect(sync, a.deps));
    // Every run says what it cost as a whole (the pipeline's git leads learn from it).
    expect(ea).toMatchObject({ type: 'git/pushed', batched: 1, pulled: null, run_ms: expect.any(Number) });
    expect((ea as { run_ms: number }).run_ms).toBeGreaterThan(0);
    const [eb] = await lane(gitEffect(sync, b.deps));
    expect(eb).toMatchObject({ type: 'git/pushed', pulled: { kind: 'pulled', ahead: 1, behind: 1, fastForwarded: false } });
    expect(gitOk(s.remote, ['show', 'main:.beads/issues.jsonl'])).toBe(fs.readFileSync(b.deps.jsonlPath, 'utf8'));
    expect(b.store.list({}).map((r) => r.title).sort()).toEqual(['from A', 'from B']);
  });

  it('should report a failed step as git/failed with the step, code and next retry time', async () => {
    const s = sandbox('row-fail');
    const a = await clone(s, 'a');
    fs.rmSync(s.remote, { recursive: true, force: true });
    const settings = resolveGitSyncSettings({ autoPull: true, remoteSyncInterval: '30s' }, {});
    const [e] = await lane(gitEffect(settings, a.deps, () => new Date('2026-01-01T00:00:00Z')));
    expect(e).toMatchObject({ type: 'git/failed', step: 'fetch', code: '128', retry_at: '2026-01-01T00:00:30.000Z' });
    expect((e as { error: string }).error).toContain('git fetch');
  });

  it('should coalesce the git requests that arrive while one runs into one run', async () => {
    const s = sandbox('row-batch');
    const a = await clone(s, 'a');
    a.store.create({ title: 'one' }, 'tester');
    a.deps.exportNow();
    const events = await lane(gitEffect(resolveGitSyncSettings({ autoCommit: true }, {}), a.deps), 3);
    // The first request starts at once (git runs asynchronously); the two that arrive meanwhile become one run.
    expect(events.map((e) => [e.type, e.batched])).toEqual([['git/committed', 1], ['git/skipped', 2]]);
    expect(gitOk(a.dir, ['log', '--format=%s', '-1'])).toBe('bd-rx: sync 1 issues\n');
  });

  it('should say when git sync is off', async () => {
    const s = sandbox('row-off');
    const a = await clone(s, 'a');
    const [e] = await lane(gitEffect(resolveGitSyncSettings({}, {}), a.deps));
    expect(e).toMatchObject({ type: 'git/disabled', reason: expect.stringContaining('git sync is off') });
  });
});
