import * as fs from 'node:fs';
import { filter, interval, map, Observable, type SchedulerLike } from 'rxjs';
import type { SafetyFinding } from '../pipeline/daemon-sources';

/** What one tick looks at: identity and size of a file or directory, or null when it is gone. */
export interface FileIdentity {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

export type StatFn = (path: string) => FileIdentity | null;

export interface SafetyCheckOptions {
  root: string;
  beadsDir: string;
  jsonlPath: string;
  dbPath: string;
  intervalMs: number;
  scheduler: SchedulerLike;
  /** fs.statSync by default; tests of the timing pass a fake. */
  stat?: StatFn;
}

/**
 * The periodic safety check: every `intervalMs`, four stats. It catches what the watcher can
 * miss (a change on a network file system, an event dropped under load) and what no watcher
 * reports at all (the DB file replaced or deleted, the workspace moved away). When nothing
 * changed it costs the stats and nothing else: it emits only on a difference.
 *
 * ```
 * tick:     ---t---t---t---t
 * jsonl:    a   a   b   b        (stat identity of the JSONL)
 * db:       d   d   d   x        (x: another inode, or smaller than before)
 * result:   ---------j---(r|)    j = jsonl-changed, r = db-replaced (then nothing more)
 * ```
 */
export function safetyCheck$(opts: SafetyCheckOptions): Observable<SafetyFinding> {
  const stat = opts.stat ?? statIdentity;
  return new Observable<SafetyFinding>((subscriber) => {
    const root0 = stat(opts.root);
    const beads0 = stat(opts.beadsDir);
    let db = stat(opts.dbPath);
    let jsonl = stat(opts.jsonlPath);
    const tick = (): SafetyFinding | undefined => {
      const root = stat(opts.root);
      const beads = stat(opts.beadsDir);
      const rootMoved = !root || (root0 !== null && !sameFile(root, root0));
      if (rootMoved || !beads || (beads0 !== null && !sameFile(beads, beads0))) {
        return { kind: 'workspace-gone', path: rootMoved ? opts.root : opts.beadsDir };
      }
      const nowDb = stat(opts.dbPath);
      if (!nowDb) return { kind: 'db-deleted', path: opts.dbPath };
      // SQLite never shrinks its file without a VACUUM (bd-rx runs none): a smaller file is another one.
      if (db && (!sameFile(nowDb, db) || nowDb.size < db.size)) return { kind: 'db-replaced', path: opts.dbPath };
      db = nowDb;
      const nowJsonl = stat(opts.jsonlPath);
      const changed = !sameState(nowJsonl, jsonl);
      jsonl = nowJsonl;
      return changed ? { kind: 'jsonl-changed', path: opts.jsonlPath } : undefined;
    };
    const sub = interval(opts.intervalMs, opts.scheduler)
      .pipe(
        map(tick),
        filter((finding): finding is SafetyFinding => finding !== undefined),
      )
      .subscribe((finding) => {
        subscriber.next(finding);
        // A lost DB or workspace is final; a JSONL change is one of many.
        if (finding.kind !== 'jsonl-changed') subscriber.complete();
      });
    return () => sub.unsubscribe();
  });
}

function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

function sameState(a: FileIdentity | null, b: FileIdentity | null): boolean {
  if (!a || !b) return a === b;
  return sameFile(a, b) && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

function statIdentity(path: string): FileIdentity | null {
  try {
    const s = fs.statSync(path);
    return { dev: s.dev, ino: s.ino, size: s.size, mtimeMs: s.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw err;
  }
}
