import type { GitRepo } from '../git-repo';

/**
 * What the git effects need from the daemon. The DB side is passed in as functions so the
 * effects stay within git and files; the daemon binds them to its store and sync code.
 */
export interface GitSyncDeps {
  repo: GitRepo;
  /** The JSONL relative to the work tree's top, `/`-separated (for pathspecs and `REF:path`). */
  jsonlRel: string;
  /** The JSONL's absolute path. */
  jsonlPath: string;
  /**
   * True when the JSONL on disk is the version the DB last exported or imported. Anything else
   * (git's half-state, a `reset --hard` not yet imported, a hand edit) is never committed.
   */
  jsonlInSync: () => boolean;
  /**
   * The daemon's import of the JSONL now on disk; `needsExport` when the DB holds more. With
   * `holdsLocal` the file already holds the DB's local changes (a merge put them in): the DB
   * takes the file's version of every issue, its own unexported ones included.
   */
  importNow: (opts?: { holdsLocal?: boolean }) => { needsExport: boolean };
  /**
   * The DB's issues as JSONL when it holds changes the file lacks (an edit made while git ran,
   * an export still debounced), else null.
   */
  unexportedJsonl: () => Buffer | null;
  /** The daemon's export (writes the JSONL when the DB has unexported changes). */
  exportNow: () => void;
}
