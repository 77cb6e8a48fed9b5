import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GitRepo } from '../git-repo';
import type { AheadBehind, Upstream } from '../git-upstream';

function statKey(file: string): string {
  try {
    const s = fs.statSync(file);
    return `${s.mtimeMs}:${s.size}:${s.ino}`;
  } catch {
    return '-';
  }
}

/**
 * What one daemon's git runs learned from git and may reuse, so a tick spawns only the
 * processes whose answer can have changed. Every entry is keyed by what it depends on (HEAD's
 * commit, the tracking ref's commit, the config files' stat), read from git's files without a
 * process; a key that no longer matches is a miss, and git is asked again. A stale entry can
 * cost a process, never a wrong answer.
 */
export class SyncMemo {
  /** A JSONL content hash known to be HEAD's version of the file (git said "nothing to commit", or we wrote both). */
  private clean: { head: string; hash: string } | null = null;
  private upstream: { key: string; up: Upstream | null } | null = null;
  private counts: { head: string; tracking: string; ab: AheadBehind } | null = null;
  private merge: { head: string; firstParent: string } | null = null;

  /** True when the JSONL with content hash `hash` is what commit `head` holds: no commit needed. */
  isClean(head: string | null, hash: string): boolean {
    return head !== null && this.clean !== null && this.clean.head === head && this.clean.hash === hash;
  }

  markClean(head: string | null, hash: string | null): void {
    this.clean = head !== null && hash !== null ? { head, hash } : null;
  }

  /** The key the upstream depends on: the branch and the config files that name its upstream. */
  upstreamKey(repo: GitRepo, branch: string): string {
    return [branch, statKey(path.join(repo.commonDir, 'config')), statKey(path.join(repo.gitDir, 'config.worktree'))].join('\0');
  }

  cachedUpstream(key: string): Upstream | null | undefined {
    return this.upstream?.key === key ? this.upstream.up : undefined;
  }

  rememberUpstream(key: string, up: Upstream | null): void {
    this.upstream = { key, up };
  }

  /** Ahead/behind as counted for this pair of commits, if it was. */
  cachedCounts(head: string | null, tracking: string | null): AheadBehind | undefined {
    const c = this.counts;
    return head !== null && tracking !== null && c !== null && c.head === head && c.tracking === tracking ? c.ab : undefined;
  }

  rememberCounts(head: string | null, tracking: string | null, ab: AheadBehind): void {
    this.counts = head !== null && tracking !== null ? { head, tracking, ab } : null;
  }

  /** A commit `to` was made on top of `from`: one more ahead of the same tracking commit. */
  committedOnTop(from: string | null, to: string | null): void {
    const c = this.counts;
    this.counts = c !== null && from !== null && to !== null && c.head === from ? { head: to, tracking: c.tracking, ab: { ahead: c.ab.ahead + 1, behind: c.ab.behind } } : null;
  }

  /** The daemon made merge commit `head` on top of `firstParent`; it is not pushed yet. */
  rememberMerge(head: string, firstParent: string | null): void {
    this.merge = head !== '' && firstParent !== null ? { head, firstParent } : null;
  }

  /** HEAD is the daemon's own unpushed merge commit: it and its first parent; else null. */
  ownMerge(head: string | null): { head: string; firstParent: string } | null {
    return head !== null && this.merge !== null && this.merge.head === head ? this.merge : null;
  }

  /** A push went through: the merge commit is on the remote now, never to be replaced. */
  pushed(): void {
    this.merge = null;
  }
}
