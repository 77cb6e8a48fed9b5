import * as fs from 'node:fs';
import * as path from 'node:path';
import { lastValueFrom } from 'rxjs';
import { storeSyncDeps } from '../../src/git/daemon-git';
import { commitEffect } from '../../src/git/effects/commit-effect';
import type { GitSyncDeps } from '../../src/git/effects/git-sync-deps';
import { pullEffect } from '../../src/git/effects/pull-effect';
import { pushEffect } from '../../src/git/effects/push-effect';
import { gitRepo$, isGitRepo } from '../../src/git/git-repo';
import { BeadsStore } from '../../src/store/beads-store';
import { storeClone } from './store-clone';
import { GIT_TEST_ENV, git, gitOk, useGitSandboxes, type GitSandbox } from './git-repos';

const JSONL = '.beads/issues.jsonl';

beforeAll(() => Object.assign(process.env, GIT_TEST_ENV));

/** One machine: a clone, its workspace's real DB, and the git effects bound to them. */
interface Machine {
  dir: string;
  store: BeadsStore;
  deps: GitSyncDeps;
  jsonl: () => string;
  ids: () => string[];
}

describe('git sync effects', () => {
  const sandbox = useGitSandboxes();
  const stores: BeadsStore[] = [];
  afterEach(() => {
    for (const s of stores.splice(0)) s.dispose();
  });

  async function machine(s: GitSandbox, name: string): Promise<Machine> {
    const { dir, store, deps, jsonlPath } = await storeClone(s, name, stores, JSONL);
    return {
      dir,
      store,
      deps,
      jsonl: () => fs.readFileSync(jsonlPath, 'utf8'),
      ids: () => store.list({}).map((r) => r.id).sort(),
    };
  }

  /** The first machine commits and pushes the workspace, so the others start from it. */
  async function cluster(label: string, names: string[]): Promise<{ s: GitSandbox; m: Machine[] }> {
    const s = sandbox(label);
    const first = await machine(s, names[0]);
    gitOk(first.dir, ['add', '.beads']);
    gitOk(first.dir, ['commit', '--quiet', '-m', 'workspace']);
    gitOk(first.dir, ['push', '--quiet', 'origin', 'main']);
    const rest: Machine[] = [];
    for (const n of names.slice(1)) rest.push(await machine(s, n));
    return { s, m: [first, ...rest] };
  }

  const create = (m: Machine, title: string, extra: Record<string, unknown> = {}) => {
    const r = m.store.create({ title, ...extra }, 'tester');
    m.deps.exportNow();
    return r.id;
  };
  const run = <T>(effect: () => import('rxjs').Observable<T>) => lastValueFrom(effect());

  describe('commitEffect', () => {
    it('should commit only the JSONL as "bd-rx: sync N issues", and never an empty commit', async () => {
      const { m: [a] } = await cluster('commit', ['a']);
      create(a, 'one');
      create(a, 'two');
      fs.writeFileSync(path.join(a.dir, 'other.txt'), 'staged\n');
      gitOk(a.dir, ['add', 'other.txt']);
      const c = await run(commitEffect(a.deps));
      expect(c).toEqual({ kind: 'committed', sha: gitOk(a.dir, ['rev-parse', 'HEAD']).trim(), issues: 2 });
      expect(gitOk(a.dir, ['show', '--name-only', '--format=%s', 'HEAD'])).toBe(`bd-rx: sync 2 issues\n\n${JSONL}\n`);
      expect(gitOk(a.dir, ['diff', '--cached', '--name-only'])).toBe('other.txt\n');
      expect(await run(commitEffect(a.deps))).toEqual({ kind: 'skipped', step: 'commit', reason: 'no change' });
    });

    it('should not re-commit over a git reset --hard: the reset state is imported and stays', async () => {
      const { m: [a] } = await cluster('reset', ['a']);
      create(a, 'kept');
      await run(commitEffect(a.deps));
      const target = gitOk(a.dir, ['rev-parse', 'HEAD']).trim();
      const undone = create(a, 'undone by the reset');
      await run(commitEffect(a.deps));
      gitOk(a.dir, ['reset', '--quiet', '--hard', 'HEAD~1']);
      expect(await run(commitEffect(a.deps))).toEqual({ kind: 'skipped', step: 'commit', reason: 'jsonl not imported yet' });
      a.deps.importNow();
      expect(a.ids()).not.toContain(undone);
      expect(await run(commitEffect(a.deps))).toEqual({ kind: 'skipped', step: 'commit', reason: 'no change' });
      expect(gitOk(a.dir, ['rev-parse', 'HEAD']).trim()).toBe(target);
    });

    it('should wait while a rebase is in progress, and commit once it is done', async () => {
      const { m: [a] } = await cluster('rebase', ['a']);
      fs.writeFileSync(path.join(a.dir, 'f.txt'), 'base\n');
      gitOk(a.dir, ['add', 'f.txt']);
      gitOk(a.dir, ['commit', '--quiet', '-m', 'base']);
      gitOk(a.dir, ['checkout', '--quiet', '-b', 'side']);
      fs.writeFileSync(path.join(a.dir, 'f.txt'), 'side\n');
      gitOk(a.dir, ['commit', '--quiet', '-am', 'side']);
      gitOk(a.dir, ['checkout', '--quiet', 'main']);
      fs.writeFileSync(path.join(a.dir, 'f.txt'), 'main\n');
      gitOk(a.dir, ['commit', '--quiet', '-am', 'main']);
      create(a, 'exported before the rebase');
      await run(commitEffect(a.deps));
      expect(git(a.dir, ['rebase', 'side']).code).not.toBe(0);
      // git's half-state: the JSONL as the rebase left it is not in step with the DB.
      a.store.create({ title: 'made during the rebase' }, 'tester');
      const head = gitOk(a.dir, ['rev-parse', 'HEAD']).trim();
      expect(await run(commitEffect(a.deps))).toEqual({ kind: 'waiting', step: 'commit', reason: 'rebase' });
      expect(gitOk(a.dir, ['rev-parse', 'HEAD']).trim()).toBe(head);
      gitOk(a.dir, ['rebase', '--abort']);
      a.deps.importNow();
      a.deps.exportNow();
      expect(await run(commitEffect(a.deps))).toMatchObject({ kind: 'committed', issues: 2 });
    });
  });

  describe('in a linked worktree', () => {
    it('should commit on the worktree own branch, leaving the main checkout alone', async () => {
      const { s, m: [a] } = await cluster('wt', ['a']);
      const wt = path.join(s.root, 'wt');
      gitOk(a.dir, ['worktree', 'add', '--quiet', '-b', 'feature', wt]);
      const store = new BeadsStore(path.join(wt, '.beads', 'beads.db'));
      stores.push(store);
      const repo = await lastValueFrom(gitRepo$(wt));
      if (!isGitRepo(repo)) throw new Error(repo.reason);
      const jsonlPath = path.join(wt, JSONL);
      const deps: GitSyncDeps = { repo, jsonlRel: JSONL, ...storeSyncDeps(store, jsonlPath) };
      deps.importNow();
      const mainHead = gitOk(a.dir, ['rev-parse', 'main']);
      store.create({ title: 'on the feature branch' }, 'tester');
      deps.exportNow();
      expect(await run(commitEffect(deps))).toMatchObject({ kind: 'committed', issues: 1 });
      expect(gitOk(wt, ['log', '--format=%s', '-1', 'feature'])).toBe('bd-rx: sync 1 issues\n');
      expect(gitOk(a.dir, ['rev-parse', 'main'])).toBe(mainHead);
      expect(gitOk(a.dir, ['status', '--porcelain'])).toBe('');
    });
  });

  describe('pullEffect', () => {
    it('should only fast-forward a clone with no local change, and import what came', async () => {
      const { s, m: [a, b] } = await cluster('ff', ['a', 'b']);
      const id = create(a, 'from A');
      await run(pushEffect(a.deps));
      const p = await run(pullEffect(b.deps, { mergeCommits: false }));
      expect(p).toMatchObject({ kind: 'pulled', ahead: 0, behind: 1, fastForwarded: true });
      expect(b.ids()).toEqual([id]);
      expect(gitOk(b.dir, ['rev-parse', 'HEAD'])).toBe(gitOk(s.remote, ['rev-parse', 'main']));
      expect(gitOk(b.dir, ['status', '--porcelain'])).toBe('');
      expect(await run(pullEffect(b.deps, { mergeCommits: false }))).toEqual({ kind: 'skipped', step: 'fetch', reason: 'up to date' });
    });

    it('should merge an uncommitted local change with the remote JSONL and leave it uncommitted (auto-pull alone)', async () => {
      const { m: [a, b] } = await cluster('dirty', ['a', 'b']);
      const fromA = create(a, 'from A');
      await run(pushEffect(a.deps));
      const fromB = create(b, 'from B, not committed');
      const p = await run(pullEffect(b.deps, { mergeCommits: false }));
      expect(p).toMatchObject({ kind: 'pulled', fastForwarded: true });
      expect(b.ids()).toEqual([fromA, fromB].sort());
      expect(b.jsonl()).toContain('from B, not committed');
      expect(gitOk(b.dir, ['status', '--porcelain'])).toBe(` M ${JSONL}\n`);
    });

    it('should keep an edit the DB has not exported yet when the remote changed the same issue (no lost edit)', async () => {
      const { m: [a, b] } = await cluster('unexported', ['a', 'b']);
      const x = create(a, 'original', { labels: ['ui'] });
      await run(pushEffect(a.deps));
      await run(pullEffect(b.deps, { mergeCommits: true }));
      a.store.update(x, { title: 'title from A' }, 'tester');
      a.deps.exportNow();
      await run(pushEffect(a.deps));
      // B's edit is in its DB only (its export still debounced, or made while git ran).
      b.store.update(x, { priority: 0, add_labels: ['urgent'] }, 'tester');
      expect(b.jsonl()).not.toContain('urgent');
      const p = await run(pullEffect(b.deps, { mergeCommits: true }));
      expect(p).toMatchObject({ kind: 'pulled', fastForwarded: true, merged: { merged: 1 } });
      for (const rec of [b.store.get(x), JSON.parse(b.jsonl().trim())]) {
        expect(rec).toMatchObject({ title: 'title from A', priority: 0, labels: ['ui', 'urgent'] });
      }
      expect(b.store.pendingExportCount()).toBe(0);
      expect(b.deps.jsonlInSync()).toBe(true);
    });

    it('should report an issue deleted in the DB, not yet exported, that the remote edited as kept over the deletion', async () => {
      const { m: [a, b] } = await cluster('unexported-delete', ['a', 'b']);
      const x = create(a, 'deleted on B, edited on A');
      await run(pushEffect(a.deps));
      await run(pullEffect(b.deps, { mergeCommits: true }));
      a.store.update(x, { title: 'edited on A' }, 'tester');
      a.deps.exportNow();
      await run(pushEffect(a.deps));
      b.store.delete(x, 'tester');
      const p = await run(pullEffect(b.deps, { mergeCommits: true }));
      expect(p).toMatchObject({ kind: 'pulled', merged: { kept_over_delete: [x] } });
      expect(b.store.get(x)).toMatchObject({ title: 'edited on A' });
      expect(b.ids()).toEqual([x]);
    });

    it('should wait as diverged when local commits are ahead and merge commits are not allowed', async () => {
      const { m: [a, b] } = await cluster('diverged', ['a', 'b']);
      create(a, 'from A');
      await run(pushEffect(a.deps));
      create(b, 'from B');
      await run(commitEffect(b.deps));
      expect(await run(pullEffect(b.deps, { mergeCommits: false }))).toEqual({ kind: 'waiting', step: 'merge', reason: 'diverged' });
    });

    it('should stay off, saying why, on a branch without upstream', async () => {
      const { m: [a] } = await cluster('noup', ['a']);
      gitOk(a.dir, ['checkout', '--quiet', '-b', 'local']);
      expect(await run(pullEffect(a.deps, { mergeCommits: true }))).toMatchObject({ kind: 'disabled', reason: expect.stringContaining('no upstream') });
    });
  });

  describe('pushEffect', () => {
    it('should pull before push: both clones end with byte-identical JSONL holding every edit, and the remote never force-updated', async () => {
      const { s, m: [a, b] } = await cluster('push', ['a', 'b']);
      gitOk(s.remote, ['config', 'core.logAllRefUpdates', 'always']);
      const shared = create(a, 'shared', { labels: ['ui', 'web'] });
      const aDeletes = create(a, 'A deletes, B leaves alone');
      const bEdits = create(a, 'A deletes, B edits');
      await run(pushEffect(a.deps));
      await run(pullEffect(b.deps, { mergeCommits: true }));
      expect(b.ids()).toEqual([shared, aDeletes, bEdits].sort());

      // The same moment on two machines: different fields of one issue, labels both ways, deletions.
      a.store.update(shared, { title: 'title from A', add_labels: ['urgent'] }, 'tester');
      a.store.delete(aDeletes, 'tester');
      a.store.delete(bEdits, 'tester');
      a.deps.exportNow();
      b.store.update(shared, { priority: 0, remove_labels: ['web'] }, 'tester');
      b.store.update(bEdits, { title: 'B edited this' }, 'tester');
      const onlyB = create(b, 'new on B');
      expect(await run(pushEffect(a.deps))).toMatchObject({ kind: 'pushed' });
      const pushed = await run(pushEffect(b.deps));
      expect(pushed).toMatchObject({ kind: 'pushed', pulled: { kind: 'pulled', ahead: 1, behind: 1, merged: { kept_over_delete: [bEdits] } } });
      await run(pullEffect(a.deps, { mergeCommits: true }));

      expect(a.jsonl()).toBe(b.jsonl());
      expect(gitOk(s.remote, ['show', `main:${JSONL}`])).toBe(b.jsonl());
      expect(a.ids()).toEqual([shared, bEdits, onlyB].sort());
      const merged = a.store.get(shared)!;
      expect(merged).toMatchObject({ title: 'title from A', priority: 0 });
      expect([...(merged.labels as string[])].sort()).toEqual(['ui', 'urgent']);
      expect(a.store.get(bEdits)).toMatchObject({ title: 'B edited this' });
      expect(a.jsonl()).not.toMatch(/^(<<<<<<<|=======|>>>>>>>)/m);

      const reflog = gitOk(s.remote, ['reflog', 'show', '--format=%H', 'refs/heads/main']).trim().split('\n');
      for (let i = 0; i + 1 < reflog.length; i++) expect(git(s.remote, ['merge-base', '--is-ancestor', reflog[i + 1], reflog[i]]).code).toBe(0);
    });

    it('should come back rejected, not forced, when the remote refuses the push, and push on the retry', async () => {
      const { s, m: [a] } = await cluster('reject', ['a']);
      const once = path.join(s.root, 'reject-once');
      fs.writeFileSync(once, '');
      // A pre-receive hook that turns the next push away: the remote moved "in between".
      fs.writeFileSync(path.join(s.remote, 'hooks', 'pre-receive'), `#!/bin/sh\nif [ -f '${once}' ]; then rm '${once}'; echo busy >&2; exit 1; fi\n`, { mode: 0o755 });
      const before = gitOk(s.remote, ['rev-parse', 'main']);
      create(a, 'pushed on the second try');
      expect(await run(pushEffect(a.deps))).toEqual({ kind: 'rejected', step: 'push', reason: expect.stringContaining('pre-receive hook declined') });
      expect(gitOk(s.remote, ['rev-parse', 'main'])).toBe(before);
      expect(await run(pushEffect(a.deps))).toEqual({ kind: 'pushed', sha: gitOk(a.dir, ['rev-parse', 'HEAD']).trim(), pulled: null });
      expect(gitOk(s.remote, ['rev-parse', 'main'])).toBe(gitOk(a.dir, ['rev-parse', 'HEAD']));
    });

    it('should converge three clones that each create 50 issues and push at the same time', async () => {
      const { s, m } = await cluster('three', ['a', 'b', 'c']);
      gitOk(s.remote, ['config', 'core.logAllRefUpdates', 'always']);
      for (const x of m) for (let i = 0; i < 50; i++) x.store.create({ title: `${x.dir.slice(-1)} ${i}` }, 'tester');
      for (const x of m) x.deps.exportNow();
      // Each clone pushes until it goes through, as the daemon does on a rejection (here without the wait).
      await Promise.all(
        m.map(async (x) => {
          for (let attempt = 1; attempt <= 10; attempt++) {
            const o = await run(pushEffect(x.deps));
            if (o.kind === 'pushed') return;
            expect(o.kind).toBe('rejected');
          }
          throw new Error('no push went through in 10 attempts');
        }),
      );
      for (const x of m) await run(pullEffect(x.deps, { mergeCommits: true }));
      const remote = gitOk(s.remote, ['show', `main:${JSONL}`]);
      for (const x of m) expect(x.jsonl()).toBe(remote);
      const ids = remote.trim().split('\n').map((l) => JSON.parse(l).id);
      expect(ids).toHaveLength(150);
      expect(new Set(ids).size).toBe(150);
      for (const x of m) expect(x.ids()).toEqual([...ids].sort());
      expect(remote).not.toMatch(/^(<<<<<<<|=======|>>>>>>>)/m);
      const reflog = gitOk(s.remote, ['reflog', 'show', '--format=%H', 'refs/heads/main']).trim().split('\n');
      for (let i = 0; i + 1 < reflog.length; i++) expect(git(s.remote, ['merge-base', '--is-ancestor', reflog[i + 1], reflog[i]]).code).toBe(0);
    });

    it('should skip when there is nothing to push', async () => {
      const { m: [a] } = await cluster('nothing', ['a']);
      expect(await run(pushEffect(a.deps))).toEqual({ kind: 'skipped', step: 'push', reason: 'nothing to push' });
    });
  });
});
