import * as fs from 'node:fs';
import * as path from 'node:path';
import { concatMap, map, type Observable, of, throwError } from 'rxjs';
import { attributePattern } from '../attribute-pattern';
import { git$, gitText$ } from '../git-cli';
import { SYNC_GIT_CONFIG } from '../git-ops';
import { currentHead$ } from '../git-refs';
import type { GitRepo } from '../git-repo';
import type { Upstream } from '../git-upstream';
import { GitStepError } from './git-outcome';

/**
 * `git merge --no-commit` of the upstream: git merges every other file; the JSONL it may leave
 * conflicted is replaced by the merge policy's result afterwards. A conflict in another file
 * is the user's to resolve: the merge is aborted.
 */
export function mergeNoCommit$(repo: GitRepo, up: Upstream, jsonlRel: string): Observable<void> {
  const cwd = repo.topLevel;
  // git's textual merge would write conflict markers into the JSONL, where the watcher, a CLI
  // or an editor can read them before the policy's result replaces them: the JSONL is merged
  // as binary (ours stays in place, marked conflicted). A `.gitattributes` entry of the repo's
  // own (bd-rx hooks install: the bd-rx merge driver) still takes precedence.
  const attributes = path.join(repo.gitDir, 'bd-rx-merge.attributes');
  fs.writeFileSync(attributes, `${attributePattern(jsonlRel)} merge=binary\n`);
  return git$(['merge', '--no-commit', '--no-ff', '--no-edit', up.trackingRef], { cwd, okCodes: [0, 1], config: [...SYNC_GIT_CONFIG, `core.attributesFile=${attributes}`] }).pipe(
    concatMap(() => git$(['diff', '--name-only', '--diff-filter=U', '-z'], { cwd })),
    concatMap((o) => {
      const others = o.stdout.toString('utf8').split('\0').filter((p) => p !== '' && p !== jsonlRel);
      if (others.length === 0) return of(undefined);
      return git$(['merge', '--abort'], { cwd }).pipe(
        concatMap(() =>
          throwError(() => new GitStepError('merge', 'conflict', `merging ${up.trackingRef} conflicts in ${others.join(', ')}: merge it by hand (git pull), the daemon retries after`)),
        ),
      );
    }),
  );
}

/**
 * Commits the merge `mergeNoCommit$` left (the JSONL as the merge policy wrote it) and emits
 * the new HEAD. With `replacing` (the daemon's own merge commit at HEAD, not pushed, and its
 * first parent): the new merge commit takes that one's place instead of going on top of it,
 * with the same first parent and the new upstream as second. The tree is the same either
 * way (the upstream descends from the one merged before); what is saved is one commit per
 * rejected push on the remote, and nothing that ever left this clone is dropped: the commit
 * replaced stays in the reflog. The ref moves only if HEAD is still that commit.
 */
export function finishMerge$(repo: GitRepo, up: Upstream, jsonlRel: string, replacing: { head: string; firstParent: string } | null): Observable<string> {
  const cwd = repo.topLevel;
  const branch = up.remoteRef.replace(/^refs\/heads\//, '');
  const message = `bd-rx: merge ${up.remote}/${branch}`;
  const add$ = git$(['add', '--', jsonlRel], { cwd });
  if (replacing === null) {
    return add$.pipe(
      concatMap(() => git$(['commit', '--quiet', '--no-verify', '-m', message], { cwd, config: SYNC_GIT_CONFIG })),
      concatMap(() => currentHead$(repo)),
      map((sha) => sha ?? ''),
    );
  }
  return add$.pipe(
    concatMap(() => gitText$(['write-tree'], { cwd })),
    concatMap((tree) => gitText$(['commit-tree', tree, '-p', replacing.firstParent, '-p', up.trackingRef, '-m', message], { cwd })),
    concatMap((sha) =>
      // The merge is over (index and work tree hold its result): git forgets MERGE_HEAD, then
      // the branch moves from the replaced commit to the new one, or not at all.
      git$(['merge', '--quit'], { cwd }).pipe(
        concatMap(() => git$(['update-ref', '-m', `${message} (replaces unpushed ${replacing.head.slice(0, 12)})`, 'HEAD', sha, replacing.head], { cwd })),
        map(() => sha),
      ),
    ),
  );
}
