import { filter, interval, map, Observable, type SchedulerLike } from 'rxjs';
import type { SafetyFinding } from '../pipeline/daemon-sources';
import { dbFileFinding, type FileIdentity, sameFile, type StatFn, statIdentity } from '../store/db-file-guard';

export type { FileIdentity, StatFn };

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
      const lost = dbFileFinding(db, nowDb);
      if (lost) return { kind: lost, path: opts.dbPath };
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

function sameState(a: FileIdentity | null, b: FileIdentity | null): boolean {
  if (!a || !b) return a === b;
  return sameFile(a, b) && a.size === b.size && a.mtimeMs === b.mtimeMs;
}
