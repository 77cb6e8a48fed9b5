import * as fs from 'node:fs';
import * as path from 'node:path';
import { defer, map, type Observable, of, shareReplay, switchMap } from 'rxjs';
import { contentHash } from '../jsonl/content-hash';
import type { BeadsStore } from '../store/beads-store';
import { exportJsonl, renderJsonl } from '../sync/export-jsonl';
import { importJsonl } from '../sync/import-jsonl';
import { META_HASH } from '../sync/jsonl-file-state';
import { GIT_BUSY } from '../pipeline/git-requests';
import { findGitRefs } from '../sources/git-dir';
import type { WorkspacePaths } from '../workspace/workspace-paths';
import { gitEffect } from './effects/git-effect-kind';
import type { GitOutcome } from './effects/git-outcome';
import type { GitSyncDeps } from './effects/git-sync-deps';
import { gitOperationInProgress } from './git-busy';
import { gitRepo$, isGitRepo, type GitRepo } from './git-repo';
import type { GitSyncSettings } from './git-sync-settings';

/** The daemon's git: the lane's runner, and the guard that keeps export and import out of git's way. */
export interface DaemonGit {
  /** The git row's runner; `disabled` with the reason when there is no repository. */
  run: () => Observable<GitOutcome>;
  /**
   * Wraps an export or import: while git is mid-operation (rebase, merge, index.lock …) the run
   * is skipped as `git busy: <operation>` and the pipeline asks for it again later.
   */
  guard<O>(run: () => Observable<O>, skipped: (reason: string) => O): () => Observable<O>;
}

function jsonlRelative(repo: GitRepo, jsonlPath: string): string {
  // git reports the top level resolved; the workspace path may go through a symlink.
  const dir = fs.realpathSync(path.dirname(jsonlPath));
  return path.relative(repo.topLevel, path.join(dir, path.basename(jsonlPath))).split(path.sep).join('/');
}

/** The DB side of the git effects (see `GitSyncDeps`), bound to a store and its JSONL. */
export function storeSyncDeps(store: BeadsStore, jsonlPath: string): Omit<GitSyncDeps, 'repo' | 'jsonlRel'> {
  return {
    jsonlPath,
    jsonlInSync: () => fs.existsSync(jsonlPath) && contentHash(fs.readFileSync(jsonlPath)) === store.getMeta(META_HASH),
    importNow: (opts = {}) =>
      store.inWriteTransaction(() => {
        // The file holds the DB's local changes: none is pending any more, so the import's
        // per-issue rule (newer wins, a tie keeps a local edit) takes the file's merged lines.
        if (opts.holdsLocal) store.markAllExported();
        return { needsExport: importJsonl(store, { jsonlPath }).needs_export };
      }),
    exportNow: () => void exportJsonl(store, { jsonlPath }),
    unexportedJsonl: () => (store.pendingExportCount() > 0 ? renderJsonl(store).data : null),
  };
}

/**
 * Binds the git effects to the daemon's store and workspace. Synchronous, so the pipeline is
 * subscribed without a wait: the guard reads git's marker files in the git dir found by
 * `findGitRefs`, and the repository for the git runs is discovered on the first one.
 */
export function daemonGit(paths: WorkspacePaths, store: BeadsStore, settings: GitSyncSettings): DaemonGit {
  const refs = findGitRefs(paths.root);
  const bind = (repo: GitRepo): (() => Observable<GitOutcome>) =>
    gitEffect(settings, { repo, jsonlRel: jsonlRelative(repo, paths.jsonlPath), ...storeSyncDeps(store, paths.jsonlPath) });
  const run$ = gitRepo$(paths.root).pipe(
    map((found) => (isGitRepo(found) ? bind(found) : () => of<GitOutcome>({ kind: 'disabled', reason: found.reason }))),
    shareReplay(1),
  );
  return {
    run: () => run$.pipe(switchMap((run) => run())),
    guard: (run, skipped) =>
      refs === null
        ? run
        : () =>
            defer(() => {
              const busy = gitOperationInProgress(refs);
              return busy ? of(skipped(`${GIT_BUSY}: ${busy}`)) : run();
            }),
  };
}
