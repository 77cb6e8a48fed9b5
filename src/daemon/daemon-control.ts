import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tryConnect } from '../rpc/rpc-client';
import { socketPathFor } from '../rpc/socket-path';
import type { WorkspacePaths } from '../workspace/workspace-paths';
import { isProcessAlive, LOCK_FILE, PID_FILE, readDaemonLock } from './daemon-lock';

/** Polls `probe` every `everyMs` until it returns a value other than undefined, or times out. */
async function until<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Asks the workspace's daemon one question; null when no daemon answers. */
export async function askDaemon(paths: WorkspacePaths, operation: string, args: object = {}): Promise<unknown | null> {
  const socketPath = socketPathFor(paths.root);
  if (!fs.existsSync(socketPath)) return null;
  const client = await tryConnect(socketPath, { timeoutMs: 5000, expectedDb: paths.dbPath });
  if (!client) return null;
  try {
    return await client.request(operation as never, args as never);
  } finally {
    client.close();
  }
}

export interface StartedDaemon {
  pid: number;
  socketPath: string;
  logPath: string;
}

/**
 * Starts `bd-rx daemon` in the background (detached, event log appended to
 * `.beads/daemon.log`) and returns once its socket answers `health`.
 */
export async function startBackgroundDaemon(
  paths: WorkspacePaths,
  daemonArgs: string[],
  timeoutMs = 15_000,
): Promise<StartedDaemon> {
  const running = readDaemonLock(paths.beadsDir);
  if (running && isProcessAlive(running.pid) && (await askDaemon(paths, 'health'))) {
    throw new Error(`already running (pid ${running.pid})`);
  }
  const logPath = path.join(paths.beadsDir, 'daemon.log');
  const log = fs.openSync(logPath, 'a', 0o600);
  const bin = path.resolve(__dirname, '..', 'cli', 'bin.js');
  const child = spawn(process.execPath, [bin, 'daemon', '--workspace', paths.root, '--log-format', 'json', ...daemonArgs], {
    cwd: paths.root,
    detached: true,
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? 1));
  child.unref();
  await until(
    async () => {
      if (exited !== null) {
        throw new Error(`the daemon exited with code ${exited} during start-up; see ${logPath}`);
      }
      return (await askDaemon(paths, 'health').catch(() => null)) ? true : undefined;
    },
    timeoutMs,
    'the daemon to answer on its socket',
  );
  return { pid: child.pid!, socketPath: socketPathFor(paths.root), logPath };
}

/**
 * Stops the workspace's daemon and returns only once its process has exited and its socket,
 * pid and lock files are gone. Returns the pid stopped, or null when none was running.
 */
export async function stopDaemon(paths: WorkspacePaths, timeoutMs = 15_000): Promise<number | null> {
  const lock = readDaemonLock(paths.beadsDir);
  const socketPath = lock?.socket ?? socketPathFor(paths.root);
  const answered = await askDaemon(paths, 'shutdown').catch(() => null);
  if (!lock) return answered ? await waitForFiles(paths, socketPath, timeoutMs).then(() => 0) : null;
  if (!answered && isProcessAlive(lock.pid)) process.kill(lock.pid, 'SIGTERM');
  await until(() => (isProcessAlive(lock.pid) ? undefined : true), timeoutMs, `pid ${lock.pid} to exit`);
  await waitForFiles(paths, socketPath, 2000).catch(() => {
    // The process is gone but left files behind (killed hard): clear them for the next start.
    for (const f of [socketPath, path.join(paths.beadsDir, LOCK_FILE), path.join(paths.beadsDir, PID_FILE)]) {
      fs.rmSync(f, { force: true });
    }
  });
  return lock.pid;
}

function waitForFiles(paths: WorkspacePaths, socketPath: string, timeoutMs: number): Promise<true> {
  const files = [socketPath, path.join(paths.beadsDir, LOCK_FILE), path.join(paths.beadsDir, PID_FILE)];
  return until(() => (files.some((f) => fs.existsSync(f)) ? undefined : true), timeoutMs, 'the daemon files to be removed');
}
