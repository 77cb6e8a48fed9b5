import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { isProcessAlive } from '../os/is-process-alive';
import { errnoCode } from '../os/errno-code';
import { AlreadyRunningError } from '../rpc/rpc-errors';

export { AlreadyRunningError } from '../rpc/rpc-errors';

/** Contents of `.beads/daemon.lock`. */
export interface DaemonLockInfo {
  pid: number;
  version: string;
  started_at: string;
  socket: string;
  /** The live dashboard's URL, token included (only with `--dashboard`). */
  dashboard_url?: string;
}

export interface DaemonLock {
  readonly info: DaemonLockInfo;
  readonly lockPath: string;
  readonly pidPath: string;
  /**
   * Adds what is known only once the daemon is up (the dashboard's URL) to the lock, replacing
   * it atomically; the file is then readable by its owner only, as the URL is a secret.
   */
  update(extra: Pick<DaemonLockInfo, 'dashboard_url'>): void;
  /** Removes the lock and pid files if they are still ours. Idempotent. */
  release(): void;
}

/** The lock could not be taken for a reason other than a live daemon. */
export class DaemonLockError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DaemonLockError';
  }
}

const lockSchema = z.object({
  pid: z.number().int().positive(),
  version: z.string(),
  started_at: z.string(),
  socket: z.string(),
  dashboard_url: z.string().optional(),
});

export const LOCK_FILE = 'daemon.lock';
export const PID_FILE = 'daemon.pid';

/**
 * One daemon per workspace. Node has no flock, so the lock is an exclusively created file:
 * it is written to a private temp file and hard-linked into place, which, like
 * `open(path, 'wx')`, fails with EEXIST if the lock exists, but never exposes a half-written
 * lock that a concurrent starter would misread as corrupt.
 *
 * An existing lock whose pid is alive → `AlreadyRunningError` (`already running (pid N)`).
 * A dead pid or unreadable lock is stale: it is removed (with the dead daemon's socket file,
 * when it is this workspace's socket) and the create is retried once. Limitation: a dead
 * daemon's pid reused by an unrelated process looks alive; remove `.beads/daemon.lock` by hand
 * then.
 */
export function acquireDaemonLock(
  beadsDir: string,
  opts: { version: string; socket: string },
): DaemonLock {
  const lockPath = path.join(beadsDir, LOCK_FILE);
  const pidPath = path.join(beadsDir, PID_FILE);
  const info: DaemonLockInfo = {
    pid: process.pid,
    version: opts.version,
    started_at: new Date().toISOString(),
    socket: opts.socket,
  };
  let content = `${JSON.stringify(info)}
`;
  fs.mkdirSync(beadsDir, { recursive: true, mode: 0o700 });

  for (let attempt = 0; ; attempt++) {
    if (createExclusive(lockPath, content)) break;
    const raw = readOrUndefined(lockPath);
    const holder = raw === undefined ? null : parseLock(raw);
    if (holder && isProcessAlive(holder.pid)) throw new AlreadyRunningError({ pid: holder.pid });
    if (attempt >= 1) {
      throw new DaemonLockError(
        `could not take ${lockPath}: it keeps reappearing stale; remove it and start again`,
      );
    }
    const removed = raw !== undefined && removeIfUnchanged(lockPath, raw);
    // Only the socket this workspace uses: a path read from a stale file is not trusted further.
    if (removed && holder?.socket === opts.socket) removeStaleSocket(opts.socket);
  }
  writeAtomically(pidPath, `${process.pid}\n`);

  let released = false;
  return {
    info,
    lockPath,
    pidPath,
    update: (extra) => {
      if (released || readOrUndefined(lockPath) !== content) return;
      Object.assign(info, extra);
      content = `${JSON.stringify(info)}\n`;
      writeAtomically(lockPath, content, 0o600);
    },
    release: () => {
      if (released) return;
      released = true;
      if (readOrUndefined(lockPath) === content) unlinkQuietly(lockPath);
      if (readOrUndefined(pidPath)?.trim() === String(process.pid)) unlinkQuietly(pidPath);
    },
  };
}

/** The lock's contents, or null when there is no readable lock. */
export function readDaemonLock(beadsDir: string): DaemonLockInfo | null {
  const raw = readOrUndefined(path.join(beadsDir, LOCK_FILE));
  return raw === undefined ? null : parseLock(raw);
}

function createExclusive(lockPath: string, content: string): boolean {
  const temp = tempNameFor(lockPath);
  fs.writeFileSync(temp, content, { flag: 'wx', mode: 0o600 });
  try {
    fs.linkSync(temp, lockPath);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkQuietly(temp);
  }
}

/**
 * Moves the stale lock aside atomically and deletes it only if it is still the one we judged
 * stale; if another starter replaced it meanwhile, it is put back. This keeps two starters that
 * both saw the same stale lock from deleting each other's fresh one.
 */
function removeIfUnchanged(lockPath: string, staleContent: string): boolean {
  const aside = tempNameFor(lockPath);
  try {
    fs.renameSync(lockPath, aside);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
  }
  try {
    if (readOrUndefined(aside) === staleContent) return true;
    try {
      fs.linkSync(aside, lockPath);
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
    }
    return false;
  } finally {
    unlinkQuietly(aside);
  }
}

function removeStaleSocket(socketPath: string): void {
  try {
    if (fs.lstatSync(socketPath).isSocket()) fs.unlinkSync(socketPath);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
}

function parseLock(raw: string): DaemonLockInfo | null {
  try {
    const parsed = lockSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Lock and pid files are private (0600), as bd makes them. */
function writeAtomically(file: string, content: string, mode = 0o600): void {
  const temp = tempNameFor(file);
  fs.writeFileSync(temp, content, { flag: 'wx', mode });
  fs.renameSync(temp, file);
}

function tempNameFor(file: string): string {
  return `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

function readOrUndefined(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

function unlinkQuietly(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
}
