import * as fs from 'node:fs';
import { defer, map, type Observable, of, switchMap } from 'rxjs';
import { gitBusy$ } from '../git-busy';
import { commitFile$ } from '../git-ops';
import type { GitOutcome } from './git-outcome';
import type { GitSyncDeps } from './git-sync-deps';

function issueCount(file: string): number {
  try {
    const text = fs.readFileSync(file, 'utf8');
    let n = 0;
    for (const line of text.split('\n')) if (line.trim() !== '') n++;
    return n;
  } catch {
    return 0;
  }
}

/**
 * Commits the JSONL, and only it, as `bd-rx: sync N issues`: when git is idle, the file is
 * the one the DB last wrote or read, and it differs from HEAD. After a user's `reset --hard`,
 * checkout or revert the file is not in step until imported, and once imported it equals
 * HEAD: nothing is committed over what the user did.
 */
export function commitEffect(deps: GitSyncDeps): () => Observable<Extract<GitOutcome, { kind: 'committed' | 'skipped' | 'waiting' }>> {
  return () =>
    gitBusy$(deps.repo).pipe(
      switchMap((busy) => {
        if (busy) return of({ kind: 'waiting' as const, step: 'commit' as const, reason: busy });
        if (!deps.jsonlInSync()) return of({ kind: 'skipped' as const, step: 'commit' as const, reason: 'jsonl not imported yet' as const });
        return defer(() => {
          const issues = issueCount(deps.jsonlPath);
          return commitFile$(deps.repo, deps.jsonlRel, `bd-rx: sync ${issues} issues`).pipe(
            map((sha) => (sha ? { kind: 'committed' as const, sha, issues } : { kind: 'skipped' as const, step: 'commit' as const, reason: 'no change' as const })),
          );
        });
      }),
    );
}
