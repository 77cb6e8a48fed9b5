import * as fs from 'node:fs';
import * as path from 'node:path';
import { lastValueFrom } from 'rxjs';
import { gitEffect } from '../../src/git/effects/git-effect-kind';
import type { GitOutcome } from '../../src/git/effects/git-outcome';
import { resolveGitSyncSettings } from '../../src/git/git-sync-settings';
import { BeadsStore } from '../../src/store/beads-store';
import { storeClone } from './store-clone';
import { GIT_TEST_ENV, gitOk, useGitSandboxes, type GitSandbox } from './git-repos';

beforeAll(() => Object.assign(process.env, GIT_TEST_ENV));

describe('a rejected push, merged again (the git row with its memo, as a daemon runs it)', () => {
  const sandbox = useGitSandboxes();
  const stores: BeadsStore[] = [];
  afterEach(() => {
    for (const s of stores.splice(0)) s.dispose();
  });

  async function clone(s: GitSandbox, name: string) {
    const { dir, store, deps, jsonlPath } = await storeClone(s, name, stores);
    const run = gitEffect(resolveGitSyncSettings({ autoSync: true }, {}), deps);
    const create = (title: string) => {
      const { id } = store.create({ title }, 'tester');
      deps.exportNow();
      return id;
    };
    return { dir, store, create, run: (): Promise<GitOutcome> => lastValueFrom(run()), jsonl: () => fs.readFileSync(jsonlPath, 'utf8') };
  }

  it('should replace its own unpushed merge commit instead of stacking another, and push a fast-forward with every issue', async () => {
    const s = sandbox('replace');
    const a = await clone(s, 'a');
    gitOk(a.dir, ['add', '.beads']);
    gitOk(a.dir, ['commit', '--quiet', '-m', 'workspace']);
    gitOk(a.dir, ['push', '--quiet', 'origin', 'main']);
    const [b, c] = [await clone(s, 'b'), await clone(s, 'c')];
    for (const m of [a, b, c]) await m.run();
    gitOk(s.remote, ['config', 'core.logAllRefUpdates', 'true']);

    const fromA = a.create('from A');
    expect(await a.run()).toMatchObject({ kind: 'pushed' });
    // The remote declines B's next push once (someone else's push won the race, as far as B can tell).
    const once = path.join(s.root, 'decline-once');
    fs.writeFileSync(once, '');
    fs.writeFileSync(path.join(s.remote, 'hooks', 'pre-receive'), `#!/bin/sh\nif [ -e ${JSON.stringify(once)} ]; then rm ${JSON.stringify(once)}; exit 1; fi\nexit 0\n`, { mode: 0o755 });
    const fromB = b.create('from B');
    expect(await b.run()).toMatchObject({ kind: 'rejected' });
    const firstMerge = gitOk(b.dir, ['rev-parse', 'HEAD']).trim();
    expect(gitOk(b.dir, ['log', '-1', '--format=%s'])).toMatch(/^bd-rx: merge origin\/main/);

    const fromC = c.create('from C');
    expect(await c.run()).toMatchObject({ kind: 'pushed' });
    const remoteBefore = gitOk(s.remote, ['rev-parse', 'main']).trim();

    expect(await b.run()).toMatchObject({ kind: 'pushed' });
    const head = gitOk(b.dir, ['rev-parse', 'HEAD']).trim();
    expect(head).not.toBe(firstMerge);
    // The new merge took the first one's place: same first parent (B's sync commit), the
    // remote's head as second; the first merge is not on the remote.
    expect(gitOk(b.dir, ['rev-parse', `${head}^1`]).trim()).toBe(gitOk(b.dir, ['rev-parse', `${firstMerge}^1`]).trim());
    expect(gitOk(b.dir, ['rev-parse', `${head}^2`]).trim()).toBe(remoteBefore);
    expect(gitOk(s.remote, ['rev-list', 'main']).split('\n')).not.toContain(firstMerge);
    // One merge commit each for B and C, not two for B.
    expect(Number(gitOk(s.remote, ['rev-list', '--count', '--merges', 'main']).trim())).toBe(2);
    // A fast-forward of the remote, never forced; every issue in B's file and on the remote.
    expect(gitOk(s.remote, ['merge-base', '--is-ancestor', remoteBefore, 'main'], GIT_TEST_ENV)).toBe('');
    const remoteJsonl = gitOk(s.remote, ['show', 'main:.beads/issues.jsonl']);
    for (const id of [fromA, fromB, fromC]) {
      expect(remoteJsonl).toContain(`"id":"${id}"`);
      expect(b.jsonl()).toContain(`"id":"${id}"`);
    }
    expect(gitOk(b.dir, ['status', '--porcelain'])).toBe('');
    expect(gitOk(b.dir, ['reflog', '--format=%H'])).toContain(firstMerge);
  });
});
