import { lastValueFrom } from 'rxjs';
import { storeSyncDeps } from '../../src/git/daemon-git';
import type { GitSyncDeps } from '../../src/git/effects/git-sync-deps';
import { gitRepo$, isGitRepo } from '../../src/git/git-repo';
import { BeadsStore } from '../../src/store/beads-store';
import { initWorkspace } from '../../src/workspace/init-workspace';
import type { GitSandbox } from './git-repos';

export interface StoreClone {
  dir: string;
  store: BeadsStore;
  /** What a daemon's git effects are given for this clone (the JSONL already imported). */
  deps: GitSyncDeps;
  jsonlPath: string;
}

/**
 * A clone of the sandbox's remote with a workspace (prefix = its name), its store (pushed onto
 * `stores` for the spec's afterEach to dispose) and the git effects' deps, as `daemonGit` binds
 * them: the git-effect specs drive the effects directly, without a daemon process.
 */
export async function storeClone(s: GitSandbox, name: string, stores: BeadsStore[], jsonlRel = '.beads/issues.jsonl'): Promise<StoreClone> {
  const dir = s.clone(name);
  const { paths } = initWorkspace(dir, { prefix: name });
  const store = new BeadsStore(paths.dbPath);
  stores.push(store);
  const repo = await lastValueFrom(gitRepo$(dir));
  if (!isGitRepo(repo)) throw new Error(repo.reason);
  const deps: GitSyncDeps = { repo, jsonlRel, ...storeSyncDeps(store, paths.jsonlPath) };
  deps.importNow();
  return { dir, store, deps, jsonlPath: paths.jsonlPath };
}
