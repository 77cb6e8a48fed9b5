import * as fs from 'node:fs';
import { defer, map, type Observable, of, switchMap } from 'rxjs';
import { contentHash } from '../../jsonl/content-hash';
import { gitBusy$ } from '../git-busy';
import { commitFile$ } from '../git-ops';
import { currentHead$ } from '../git-refs';
import type { GitOutcome } from './git-outcome';
import type { GitSyncDeps } from './git-sync-deps';
import { SyncMemo } from './sync-memo';

function readOrNull(file: string): Buffer | null {
  try {
    return fs.readFileSync(file);
  } catch {
    return null;
  }
}

function issueCount(data: Buffer): number {
  let n = 0;
  for (const line of data.toString('utf8').split('\n')) if (line.trim() !== '') n++;
  return n;
}

export type CommitOutcome = Extract<GitOutcome, { kind: 'committed' | 'skipped' | 'waiting' }>;

/**
 * Commits the JSONL, and only it, as `bd-rx: sync N issues`: when git is idle, the file is
 * the one the DB last wrote or read, and it differs from HEAD. After a user's `reset --hard`,
 * checkout or revert the file is not in step until imported, and once imported it equals
 * HEAD: nothing is committed over what the user did.
 *
 * No process at all when `memo` knows this file's bytes are HEAD's (the common case on a tick:
 * HEAD read from git's files, the hash compared); else one `git commit` that answers both
 * "is there a change" and "commit it".
 */
export function commitEffect(deps: GitSyncDeps, memo: SyncMemo = new SyncMemo()): () => Observable<CommitOutcome> {
  return () =>
    gitBusy$(deps.repo).pipe(
      switchMap((busy): Observable<CommitOutcome> => {
        if (busy) return of({ kind: 'waiting', step: 'commit', reason: busy });
        if (!deps.jsonlInSync()) return of({ kind: 'skipped', step: 'commit', reason: 'jsonl not imported yet' });
        return defer(() => {
          const data = readOrNull(deps.jsonlPath);
          const hash = data === null ? null : contentHash(data);
          return currentHead$(deps.repo).pipe(
            switchMap((head): Observable<CommitOutcome> => {
              if (hash !== null && memo.isClean(head, hash)) return of({ kind: 'skipped', step: 'commit', reason: 'no change' });
              const issues = data === null ? 0 : issueCount(data);
              return commitFile$(deps.repo, deps.jsonlRel, `bd-rx: sync ${issues} issues`).pipe(
                switchMap((sha) => (sha ? of(sha) : currentHead$(deps.repo)).pipe(map((now) => ({ sha, now })))),
                map(({ sha, now }): CommitOutcome => {
                  memo.markClean(now, hash);
                  if (sha) memo.committedOnTop(head, now);
                  return sha ? { kind: 'committed', sha, issues } : { kind: 'skipped', step: 'commit', reason: 'no change' };
                }),
              );
            }),
          );
        });
      }),
    );
}
