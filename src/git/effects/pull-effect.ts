import * as fs from 'node:fs';
import * as path from 'node:path';
import { catchError, concatMap, forkJoin, map, type Observable, of, switchMap, throwError } from 'rxjs';
import { atomicWriteFile } from '../../jsonl/atomic-write';
import { mergeJsonl } from '../../merge/merge-policy';
import { attributePattern } from '../attribute-pattern';
import { combineReports } from '../../merge/merge-report';
import { GitCommandError, git$ } from '../git-cli';
import { gitBusy$ } from '../git-busy';
import { fastForward$, fetch$, mergeBase$, readBlob$ } from '../git-ops';
import type { GitRepo } from '../git-repo';
import { aheadBehind$, upstream$, type AheadBehind, type Upstream } from '../git-upstream';
import { GitStepError, type GitOutcome, type GitStep } from './git-outcome';
import type { GitSyncDeps } from './git-sync-deps';

export type PullOutcome = Extract<GitOutcome, { kind: 'pulled' | 'skipped' | 'waiting' | 'disabled' }>;

function readOrNull(file: string): Buffer | null {
  try {
    return fs.readFileSync(file);
  } catch {
    return null;
  }
}

/** Puts the JSONL back as `content` (null: no file), so a failed step leaves what the DB last saw. */
function putBack(file: string, content: Buffer | null): void {
  if (content === null) fs.rmSync(file, { force: true });
  else atomicWriteFile(file, content);
}

export function asStepError(step: GitStep, err: unknown): GitStepError {
  if (err instanceof GitStepError) return err;
  const code = err instanceof GitCommandError ? String(err.code) : ((err as NodeJS.ErrnoException)?.code ?? 'error');
  return new GitStepError(step, code, err instanceof Error ? err.message : String(err));
}

/**
 * `git merge --no-commit` of the upstream: git merges every other file; the JSONL it may leave
 * conflicted is replaced by the merge policy's result afterwards. A conflict in another file
 * is the user's to resolve: the merge is aborted.
 */
function mergeNoCommit$(repo: GitRepo, up: Upstream, jsonlRel: string): Observable<void> {
  const cwd = repo.topLevel;
  // git's textual merge would write conflict markers into the JSONL, where the watcher, a CLI
  // or an editor can read them before the policy's result replaces them: the JSONL is merged
  // as binary (ours stays in place, marked conflicted). A `.gitattributes` entry of the repo's
  // own (bd-rx hooks install: the bd-rx merge driver) still takes precedence.
  const attributes = path.join(repo.gitDir, 'bd-rx-merge.attributes');
  fs.writeFileSync(attributes, `${attributePattern(jsonlRel)} merge=binary\n`);
  return git$(['-c', `core.attributesFile=${attributes}`, 'merge', '--no-commit', '--no-ff', '--no-edit', up.trackingRef], { cwd, okCodes: [0, 1] }).pipe(
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

function finishMerge$(repo: GitRepo, up: Upstream, jsonlRel: string): Observable<void> {
  const cwd = repo.topLevel;
  const branch = up.remoteRef.replace(/^refs\/heads\//, '');
  return git$(['add', '--', jsonlRel], { cwd }).pipe(
    concatMap(() => git$(['commit', '--quiet', '--no-verify', '-m', `bd-rx: merge ${up.remote}/${branch}`], { cwd })),
    map(() => undefined),
  );
}

/**
 * Brings the upstream in after a fetch. The remote's JSONL is merged with the local one by the
 * merge policy (base: the merge base's JSONL), never by git's textual merge. No local commit
 * ahead: a fast-forward, then the merged JSONL is written (left uncommitted when it holds local
 * changes). Local commits ahead: a merge commit, when `mergeCommits` allows it (auto-commit),
 * else the clone waits as `diverged`. The result is imported, and exported again when the DB
 * holds more than the merged file.
 */
function integrate$(deps: GitSyncDeps, up: Upstream, ab: AheadBehind): Observable<PullOutcome> {
  const { repo, jsonlRel, jsonlPath } = deps;
  return mergeBase$(repo, 'HEAD', up.trackingRef).pipe(
    switchMap((base) =>
      forkJoin({
        base: base ? readBlob$(repo, base, jsonlRel) : of(null),
        head: readBlob$(repo, 'HEAD', jsonlRel),
        theirs: readBlob$(repo, up.trackingRef, jsonlRel),
      }),
    ),
    switchMap(({ base, head, theirs }) => {
      const ours = readOrNull(jsonlPath);
      const result = mergeJsonl({ base: base ?? '', ours: ours ?? '', theirs: theirs ?? '', names: { base: `${jsonlRel} at the merge base`, ours: jsonlPath, theirs: `${jsonlRel} at ${up.trackingRef}` } });
      const uncommitted = head === null ? ours !== null : ours === null || !head.equals(ours);
      // git refuses to move a file with local changes: hand it HEAD's version, ours is in `result`.
      if (uncommitted) putBack(jsonlPath, head);
      const move$ = ab.ahead === 0 ? fastForward$(repo, up.trackingRef).pipe(map(() => undefined)) : mergeNoCommit$(repo, up, jsonlRel);
      return move$.pipe(
        catchError((err: unknown) => {
          putBack(jsonlPath, ours);
          return throwError(() => asStepError('merge', err));
        }),
        concatMap(() => {
          if (!(ours === null && theirs === null && result.data.length === 0)) atomicWriteFile(jsonlPath, result.data);
          return ab.ahead > 0 ? finishMerge$(repo, up, jsonlRel) : of(undefined);
        }),
        map((): PullOutcome => {
          let r = result.report;
          try {
            // What the DB changed after `ours` was read (an edit made while git ran, an export
            // still debounced) is only in the DB: it is merged onto the result against `ours`,
            // so the import takes every issue from the file and loses neither side's edit.
            // Synchronous from here to the import: no mutation can come in between.
            const local = deps.unexportedJsonl();
            if (local) {
              const again = mergeJsonl({ base: ours ?? '', ours: local, theirs: result.data, names: { base: jsonlPath, ours: 'the database', theirs: 'the merged JSONL' } });
              atomicWriteFile(jsonlPath, again.data);
              r = combineReports(r, again.report);
            }
            if (deps.importNow({ holdsLocal: local !== null }).needsExport) deps.exportNow();
          } catch (err) {
            throw asStepError('import', err);
          }
          return {
            kind: 'pulled',
            ahead: ab.ahead,
            behind: ab.behind,
            fastForwarded: ab.ahead === 0,
            merged: { merged: r.merged.length, kept_over_delete: r.kept_over_delete, resolved_by_time: r.resolved_by_time, deleted: r.deleted.length },
          };
        }),
      );
    }),
  );
}

/**
 * A pull's outcome, with what the push that follows needs: the upstream, and how far HEAD is
 * ahead of it when the pull left HEAD where it was (null after a merge or fast-forward).
 */
export interface PullState {
  outcome: PullOutcome;
  up: Upstream | null;
  ahead: number | null;
}

/**
 * Fetches the upstream and, when it moved, brings it in (see `integrate$`). Waits while git is
 * busy; stays off (`disabled`) without an upstream.
 */
export function pullState(deps: GitSyncDeps, opts: { mergeCommits: boolean }): () => Observable<PullState> {
  const alone = (outcome: PullOutcome, up: Upstream | null = null, ahead: number | null = null): PullState => ({ outcome, up, ahead });
  return () =>
    gitBusy$(deps.repo).pipe(
      switchMap((busy): Observable<PullState> => {
        if (busy) return of(alone({ kind: 'waiting', step: 'fetch', reason: busy }));
        return upstream$(deps.repo).pipe(
          switchMap((up): Observable<PullState> => {
            if (!up) return of(alone({ kind: 'disabled', reason: 'the branch has no upstream (git push -u, or git branch --set-upstream-to)' }));
            return fetch$(deps.repo, up).pipe(
              catchError((err: unknown) => throwError(() => asStepError('fetch', err))),
              switchMap(() => aheadBehind$(deps.repo, up.trackingRef)),
              switchMap((ab): Observable<PullState> => {
                if (ab.behind === 0) return of(alone({ kind: 'skipped', step: 'fetch', reason: 'up to date' }, up, ab.ahead));
                if (ab.ahead > 0 && !opts.mergeCommits) return of(alone({ kind: 'waiting', step: 'merge', reason: 'diverged' }, up, ab.ahead));
                if (!deps.jsonlInSync()) return of(alone({ kind: 'waiting', step: 'merge', reason: 'jsonl not imported yet' }, up, ab.ahead));
                return integrate$(deps, up, ab).pipe(map((outcome) => alone(outcome, up)));
              }),
            );
          }),
        );
      }),
    );
}

/** `pullState`'s outcome alone: the git row's run with auto-pull (and no auto-push). */
export function pullEffect(deps: GitSyncDeps, opts: { mergeCommits: boolean }): () => Observable<PullOutcome> {
  const pull = pullState(deps, opts);
  return () => pull().pipe(map((s) => s.outcome));
}
