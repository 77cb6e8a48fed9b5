import * as fs from 'node:fs';
import * as path from 'node:path';
import { isProcessAlive } from '../../os/is-process-alive';
import { waitFor } from '../../os/wait-for';
import { socketPathFor } from '../../rpc/socket-path';
import type { WorkspacePaths } from '../../workspace/workspace-paths';
import { LOCK_FILE, PID_FILE, readDaemonLock } from '../daemon-lock';
import { askDaemon } from './ask-daemon';

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
  await waitFor(() => !isProcessAlive(lock.pid), timeoutMs, `pid ${lock.pid} to exit`, 25);
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
  return waitFor(() => files.every((f) => !fs.existsSync(f)), timeoutMs, 'the daemon files to be removed', 25);
}
