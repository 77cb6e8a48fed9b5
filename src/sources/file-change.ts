import * as path from 'node:path';
import { watch, type ChokidarOptions, type FSWatcher } from 'chokidar';
import { Observable } from 'rxjs';
import type { WatchEvent } from '../pipeline/daemon-sources';
import type { GitRefs } from './git-dir';
import { errnoCode } from '../os/errno-code';

export interface FileChangeOptions {
  /** The `.beads/` directory. It is watched as a directory, so replacing the JSONL is seen. */
  beadsDir: string;
  /** The JSONL; must sit directly in `beadsDir`. */
  jsonlPath: string;
  /** From `findGitRefs`; null outside a repository (then only the JSONL is watched). */
  git: GitRefs | null;
  /** stat() polling instead of inotify/FSEvents, for filesystems without change notification. */
  usePolling?: boolean;
  /**
   * Called once per subscription, when every watch is in place: a change made after this is
   * seen. Called even when some watches failed; those failures arrive as error events first.
   */
  onReady?: () => void;
  /** Builds the watcher; chokidar's `watch` unless a test injects failures. */
  createWatcher?: (paths: string[], options: ChokidarOptions) => FSWatcher;
}

/** chokidar counts depth from each root: `refs/heads/team/alice/fix` is 2 below `refs/heads`. */
const MAX_BRANCH_NESTING = 16;

const TRIGGERING_EVENTS: ReadonlySet<string> = new Set(['add', 'change', 'unlink']);

const noop = (): void => undefined;

/**
 * Changes that can mean "the JSONL on disk is not the one we wrote": the JSONL itself, the
 * current branch (`HEAD`), and any branch ref. Everything else in `.beads/` (the database, its
 * WAL, the socket, our own atomic-write temp files) is ignored, and so are git's `*.lock` files.
 *
 *     disk:    --append-append--rename(tmp→jsonl)--write(beads.db)--checkout------
 *     output:  --c------c-------c------------------------------------c(HEAD)-c(jsonl)
 *
 * Bursts are not debounced here (the pipeline does that): repeats of one path within 50 ms
 * are one event, the last change of a burst always reported (see `repeatsThrottled`). Watcher failures (ENOSPC, EMFILE, EACCES, …) are emitted as
 * `{ kind: 'error' }` values, never as an Observable error, and the stream never completes by
 * itself: switching to polling is the pipeline's decision. Treat any error as "changes may now
 * be missed": with inotify one watch short, `.beads/` is watched but the JSONL is not, and
 * appends to it go unseen. Changes made while the watches are still being set up are passed
 * on, not held back for `onReady`. Unsubscribing closes the watcher.
 */
export function fileChange$(opts: FileChangeOptions): Observable<WatchEvent> {
  return new Observable<WatchEvent>((subscriber) => {
    const targets = watchTargets(opts);
    if ('code' in targets) {
      subscriber.next(targets);
      return undefined;
    }
    const { roots, isTrigger, beadsDir } = targets;

    let watcher: FSWatcher;
    try {
      watcher = (opts.createWatcher ?? watch)(roots, {
        ignoreInitial: true,
        usePolling: opts.usePolling ?? false,
        depth: MAX_BRANCH_NESTING,
        // Left at their defaults: `atomic` (with inotify, an unlink followed within 100 ms by an
        // add of the same path is one `change`), and no `awaitWriteFinish`, which would hold
        // every event back for its stability threshold; the pipeline debounces instead.
        // Deciding by path alone: chokidar asks both with and without stats. Ignored files get
        // no watch of their own, so the database and git's objects cost no inotify watches.
        ignored: (p: string) => !roots.includes(p) && !isTrigger(p),
      });
    } catch (err) {
      subscriber.next(toWatchError(err));
      return undefined;
    }
    const changed = repeatsThrottled((p) => subscriber.next({ kind: 'change', path: p }));
    watcher.on('all', (event, p) => {
      if (TRIGGERING_EVENTS.has(event) && isTrigger(p)) changed(p);
      // Nothing watches the parent, so a re-created .beads/ would go unseen: say so, and let
      // the pipeline fall back to polling.
      if (event === 'unlinkDir' && p === beadsDir) {
        const message = `${p} was removed: changes in it are no longer seen`;
        subscriber.next({ kind: 'error', code: 'ENOENT', message });
      }
    });
    // The directory's own raw events naming the JSONL are passed on as changes, whatever
    // chokidar makes of them: a rename or delete/create of the file ('rename') and a write,
    // append or attribute change of it ('change'; inotify on a directory reports both for the
    // files in it, by name). chokidar's own events for the file come from a second watch, on
    // the file's inode, which it re-creates for each new inode after a stat, and both steps
    // can miss: (1) it drops a path's events for 5 ms after each one, so a rename landing just
    // after an event on the old inode was stat'ed goes unreported; (2) when the path is empty
    // at the instant it re-watches (a delete before the re-create, an export's swap), fs.watch
    // fails with ENOENT, which chokidar ignores while still counting the file as watched:
    // from then on no append to the file was reported at all until a later delete, and the
    // daemon imported it only at the next 30-s safety tick (bench-daemon: import p99 27 s).
    // The directory watch has neither gap. Repeats are cheap: the pipeline debounces them.
    const jsonlName = path.basename(opts.jsonlPath);
    watcher.on('raw', (event, name, details) => {
      const watchedPath = (details as { watchedPath?: unknown } | undefined)?.watchedPath;
      if ((event === 'rename' || event === 'change') && name === jsonlName && watchedPath === beadsDir) {
        changed(path.resolve(opts.jsonlPath));
      }
    });
    watcher.on('error', (err) => subscriber.next(toWatchError(err)));
    watcher.once('ready', () => opts.onReady?.());

    return () => {
      changed.stop();
      // close() drops every listener while chokidar may still have stats or readdirs in flight;
      // one of those failing would then be an `error` with no listener, which throws.
      void watcher.close().then(noop, noop);
      watcher.on('error', noop);
    };
  });
}

/** How long a path's repeated changes are held back into one (chokidar's own change throttle). */
const REPEAT_MS = 50;

/**
 * `report(p)` at once for a path's first change, then at most once per {@link REPEAT_MS} while
 * changes go on, the last one always reported: each write of an append storm is one raw event,
 * and chokidar reports most of them a second time; one message per 50 ms says the same to a
 * pipeline that debounces anyway. Never drops the trailing change, so the file's final state
 * is always looked at.
 */
function repeatsThrottled(report: (p: string) => void): ((p: string) => void) & { stop: () => void } {
  const windows = new Map<string, { timer: ReturnType<typeof setTimeout>; again: boolean }>();
  const open = (p: string): void => {
    const w = {
      again: false,
      timer: setTimeout(() => {
        windows.delete(p);
        if (w.again) {
          report(p);
          open(p);
        }
      }, REPEAT_MS),
    };
    windows.set(p, w);
  };
  const changed = (p: string): void => {
    const w = windows.get(p);
    if (w) {
      w.again = true;
      return;
    }
    report(p);
    open(p);
  };
  return Object.assign(changed, {
    stop: () => {
      for (const w of windows.values()) clearTimeout(w.timer);
      windows.clear();
    },
  });
}

interface WatchTargets {
  roots: string[];
  beadsDir: string;
  isTrigger: (p: string) => boolean;
}

/** What to hand chokidar, and which of the paths it reports are worth an event. */
function watchTargets(opts: FileChangeOptions): WatchTargets | (WatchEvent & { kind: 'error' }) {
  const beadsDir = path.resolve(opts.beadsDir);
  const jsonlPath = path.resolve(opts.jsonlPath);
  if (path.dirname(jsonlPath) !== beadsDir) {
    return {
      kind: 'error',
      code: 'EINVAL',
      message: `${jsonlPath} is not directly inside ${beadsDir}: the watcher only sees files in .beads/`,
    };
  }
  if (!opts.git) return { roots: [beadsDir], beadsDir, isTrigger: (p) => p === jsonlPath };
  const gitDir = path.resolve(opts.git.gitDir);
  const headPath = path.join(gitDir, 'HEAD');
  const refsHeads = path.join(path.resolve(opts.git.commonDir), 'refs', 'heads');
  return {
    // The git dir itself, not HEAD: git replaces HEAD by renaming HEAD.lock over it.
    roots: [beadsDir, gitDir, refsHeads],
    beadsDir,
    isTrigger: (p) => p === jsonlPath || p === headPath || (isBelow(refsHeads, p) && !p.endsWith('.lock')),
  };
}

function isBelow(dir: string, p: string): boolean {
  const rel = path.relative(dir, p);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function toWatchError(err: unknown): WatchEvent {
  const e = err as { code?: unknown; message?: unknown } | null;
  return {
    kind: 'error',
    code: errnoCode(err) ?? 'UNKNOWN',
    message: typeof e?.message === 'string' ? e.message : String(err),
  };
}
