import * as fs from 'node:fs';
import { catchError, concatMap, defer, forkJoin, map, type Observable, of, switchMap, tap, throwError } from 'rxjs';
import { atomicWriteFile } from '../../jsonl/atomic-write';
import { mergeJsonl } from '../../merge/merge-policy';
import { combineReports, emptyMergeReport, type MergeReport } from '../../merge/merge-report';
import { contentHash } from '../../jsonl/content-hash';
import { GitCommandError } from '../git-cli';
import { gitBusy$, headBranch } from '../git-busy';
import { readHeadShaFromFiles, readRefSha } from '../git-refs';
import { fastForward$, fetch$, mergeBase$, readBlob$ } from '../git-ops';
import { finishMerge$, mergeNoCommit$ } from './merge-commit';
import type { GitRepo } from '../git-repo';
import { aheadBehind$, upstream$, type AheadBehind, type Upstream } from '../git-upstream';
import { GitStepError, type GitOutcome, type GitStep } from './git-outcome';
import type { GitSyncDeps } from './git-sync-deps';
import { jsonlIds } from './jsonl-ids';
import { SyncMemo } from './sync-memo';

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
 * The file as the pull left it, taken into the DB. What the DB changed after `ours` was read
 * (an edit made while git ran, an export still debounced) is only in the DB: it is merged onto
 * the result against `ours`, so the import takes every issue from the file and loses neither
 * side's edit. Synchronous from here to the import: no mutation can come in between.
 */
function importResult(deps: GitSyncDeps, ours: Buffer | null, data: Buffer, report: MergeReport, ab: AheadBehind): PullOutcome {
  let r = report;
  try {
    const local = deps.unexportedJsonl();
    if (local) {
      const again = mergeJsonl({ base: ours ?? '', ours: local, theirs: data, names: { base: deps.jsonlPath, ours: 'the database', theirs: 'the merged JSONL' } });
      atomicWriteFile(deps.jsonlPath, again.data);
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
}

/**
 * The fast path of the common pull: no local commit ahead, and the JSONL is HEAD's own bytes
 * (`memo` saw it so). The merge policy would return the remote's file unchanged (base = ours),
 * so git's fast-forward is the whole merge: one process, no blob read, no merge in-process,
 * and the work tree is left clean at the new HEAD.
 */
function fastForwardClean$(deps: GitSyncDeps, up: Upstream, ab: AheadBehind, ours: Buffer, memo: SyncMemo): Observable<PullOutcome> {
  return fastForward$(deps.repo, up.trackingRef).pipe(
    catchError((err: unknown) => throwError(() => asStepError('merge', err))),
    map((head) => {
      const theirs = readOrNull(deps.jsonlPath);
      // No JSONL upstream: what the merge policy would write (every issue deleted there).
      const data = theirs ?? Buffer.alloc(0);
      if (theirs === null) atomicWriteFile(deps.jsonlPath, data);
      else memo.markClean(head, contentHash(theirs));
      // HEAD is the tracking commit now: the next tick's fetch needs no count unless it moves.
      memo.rememberCounts(head, head, { ahead: 0, behind: 0 });
      const kept = new Set(jsonlIds(data));
      const report = { ...emptyMergeReport(), issues: kept.size, deleted: jsonlIds(ours).filter((id) => !kept.has(id)) };
      return importResult(deps, ours, data, report, ab);
    }),
  );
}

/** What a pull did, and how far HEAD is ahead of the fetched upstream afterwards. */
interface Integrated {
  outcome: PullOutcome;
  ahead: number;
}

/**
 * Brings the upstream in after a fetch. The remote's JSONL is merged with the local one by the
 * merge policy (base: the merge base's JSONL), never by git's textual merge. No local commit
 * ahead: a fast-forward, then the merged JSONL is written (left uncommitted when it holds local
 * changes). Local commits ahead: a merge commit, when `mergeCommits` allows it (auto-commit),
 * else the clone waits as `diverged`; when HEAD is the daemon's own merge commit, not pushed
 * (its push was rejected), the new one takes its place (see `finishMerge$`). The result is imported, and exported again when the DB
 * holds more than the merged file.
 */
function integrate$(deps: GitSyncDeps, up: Upstream, ab: AheadBehind, memo: SyncMemo, replaceOwnMerge: boolean): Observable<Integrated> {
  const { repo, jsonlRel, jsonlPath } = deps;
  const ours = readOrNull(jsonlPath);
  const headBefore = readHeadShaFromFiles(repo);
  if (ab.ahead === 0 && ours !== null && memo.isClean(headBefore, contentHash(ours))) {
    return fastForwardClean$(deps, up, ab, ours, memo).pipe(map((outcome) => ({ outcome, ahead: 0 })));
  }
  const replacing = ab.ahead > 0 && replaceOwnMerge ? memo.ownMerge(headBefore) : null;
  return mergeBase$(repo, 'HEAD', up.trackingRef).pipe(
    switchMap((base) =>
      forkJoin({
        base: base ? readBlob$(repo, base, jsonlRel) : of(null),
        head: readBlob$(repo, 'HEAD', jsonlRel),
        theirs: readBlob$(repo, up.trackingRef, jsonlRel),
      }),
    ),
    switchMap(({ base, head, theirs }) => {
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
          if (ab.ahead === 0) return of({ committed: theirs !== null && theirs.equals(result.data), ahead: 0 });
          return finishMerge$(repo, up, jsonlRel, replacing).pipe(
            map((sha) => {
              if (replaceOwnMerge) memo.rememberMerge(sha, replacing?.firstParent ?? headBefore);
              // A replaced merge commit is one of the commits counted ahead: its place is taken.
              return { committed: true, ahead: replacing ? ab.ahead : ab.ahead + 1 };
            }),
          );
        }),
        map(({ committed, ahead }): Integrated => {
          // The file is the new HEAD's (a merge commit of it, or a fast-forward to the same bytes).
          const now = readHeadShaFromFiles(repo);
          if (committed) memo.markClean(now, contentHash(result.data));
          memo.rememberCounts(now, readRefSha(repo, up.trackingRef), { ahead, behind: 0 });
          return { outcome: importResult(deps, ours, result.data, result.report, ab), ahead };
        }),
      );
    }),
  );
}

/**
 * A pull's outcome, with what the push that follows needs: the upstream, and how far HEAD is
 * ahead of the fetched upstream as the pull left it (0 after a fast-forward, one more than
 * before after a merge commit; not counting a commit of what the import exported again).
 */
export interface PullState {
  outcome: PullOutcome;
  up: Upstream | null;
  ahead: number | null;
}

/** The upstream, asked of git only when the branch or the config files changed since last asked. */
function upstreamOf$(repo: GitRepo, memo: SyncMemo): Observable<Upstream | null> {
  return defer(() => {
    const branch = headBranch(repo);
    if (branch === null) return upstream$(repo);
    const key = memo.upstreamKey(repo, branch);
    const known = memo.cachedUpstream(key);
    return known !== undefined ? of(known) : upstream$(repo).pipe(tap((up) => memo.rememberUpstream(key, up)));
  });
}

/** Ahead/behind, counted by git only when HEAD or the tracking ref moved since last counted. */
function counts$(repo: GitRepo, up: Upstream, memo: SyncMemo): Observable<AheadBehind> {
  return defer(() => {
    const head = readHeadShaFromFiles(repo);
    const tracking = readRefSha(repo, up.trackingRef);
    const known = memo.cachedCounts(head, tracking);
    return known ? of(known) : aheadBehind$(repo, up.trackingRef).pipe(tap((ab) => memo.rememberCounts(head, tracking, ab)));
  });
}

/**
 * Fetches the upstream and, when it moved, brings it in (see `integrate$`). Waits while git is
 * busy; stays off (`disabled`) without an upstream. An idle tick is one process (the fetch):
 * the upstream and the ahead/behind counts come from `memo` while what they depend on stands.
 *
 * `replaceOwnMerge`: only the push effect, which pushes what it merged and so knows that a
 * merge commit it still holds at HEAD never left the clone (a user's own push of a pull-only
 * daemon's merge would not tell it).
 */
export function pullState(deps: GitSyncDeps, opts: { mergeCommits: boolean; replaceOwnMerge?: boolean }, memo: SyncMemo = new SyncMemo()): () => Observable<PullState> {
  const alone = (outcome: PullOutcome, up: Upstream | null = null, ahead: number | null = null): PullState => ({ outcome, up, ahead });
  return () =>
    gitBusy$(deps.repo).pipe(
      switchMap((busy): Observable<PullState> => {
        if (busy) return of(alone({ kind: 'waiting', step: 'fetch', reason: busy }));
        return upstreamOf$(deps.repo, memo).pipe(
          switchMap((up): Observable<PullState> => {
            if (!up) return of(alone({ kind: 'disabled', reason: 'the branch has no upstream (git push -u, or git branch --set-upstream-to)' }));
            const started = Date.now();
            return fetch$(deps.repo, up).pipe(
              catchError((err: unknown) => throwError(() => asStepError('fetch', err))),
              switchMap(() => counts$(deps.repo, up, memo)),
              switchMap((ab): Observable<PullState> => {
                if (ab.behind === 0) return of(alone({ kind: 'skipped', step: 'fetch', reason: 'up to date' }, up, ab.ahead));
                if (ab.ahead > 0 && !opts.mergeCommits) return of(alone({ kind: 'waiting', step: 'merge', reason: 'diverged' }, up, ab.ahead));
                if (!deps.jsonlInSync()) return of(alone({ kind: 'waiting', step: 'merge', reason: 'jsonl not imported yet' }, up, ab.ahead));
                return integrate$(deps, up, ab, memo, opts.replaceOwnMerge === true).pipe(
                  map(({ outcome, ahead }) => alone(outcome.kind === 'pulled' ? { ...outcome, ms: Date.now() - started } : outcome, up, ahead)),
                );
              }),
            );
          }),
        );
      }),
    );
}

/** `pullState`'s outcome alone: the git row's run with auto-pull (and no auto-push). */
export function pullEffect(deps: GitSyncDeps, opts: { mergeCommits: boolean }, memo: SyncMemo = new SyncMemo()): () => Observable<PullOutcome> {
  const pull = pullState(deps, opts, memo);
  return () => pull().pipe(map((s) => s.outcome));
}
