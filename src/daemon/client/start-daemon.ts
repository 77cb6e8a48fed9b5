import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isProcessAlive } from '../../os/is-process-alive';
import { waitFor } from '../../os/wait-for';
import { socketPathFor } from '../../rpc/socket-path';
import type { WorkspacePaths } from '../../workspace/workspace-paths';
import { readDaemonLock } from '../daemon-lock';
import { askDaemon } from './ask-daemon';

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
  const bin = path.resolve(__dirname, '..', '..', 'cli', 'bin.js');
  const child = spawn(process.execPath, [bin, 'daemon', '--workspace', paths.root, '--log-format', 'json', ...daemonArgs], {
    cwd: paths.root,
    detached: true,
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? 1));
  child.unref();
  await waitFor(
    async () => {
      if (exited !== null) {
        throw new Error(`the daemon exited with code ${exited} during start-up; see ${logPath}`);
      }
      return (await askDaemon(paths, 'health').catch(() => null)) ? true : undefined;
    },
    timeoutMs,
    'the daemon to answer on its socket',
    25,
  );
  return { pid: child.pid!, socketPath: socketPathFor(paths.root), logPath };
}
