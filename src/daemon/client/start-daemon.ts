import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isProcessAlive } from '../../os/is-process-alive';
import { waitFor } from '../../os/wait-for';
import { AlreadyRunningError } from '../../rpc/rpc-errors';
import { socketPathFor } from '../../rpc/socket-path';
import type { WorkspacePaths } from '../../workspace/workspace-paths';
import { readDaemonLock } from '../daemon-lock';
import { askDaemon } from './ask-daemon';
import { codePath } from '../../os/code-dir';

export interface StartedDaemon {
  pid: number;
  socketPath: string;
  logPath: string;
}

/** The pid of the daemon answering on the workspace socket, or null when none answers. */
async function answeringPid(paths: WorkspacePaths): Promise<number | null> {
  const s = await askDaemon(paths, 'status').catch(() => null);
  return s ? s.pid : null;
}

/**
 * Starts `bd-rx daemon` in the background (detached, event log appended to
 * `.beads/daemon.log`) and returns once its socket answers.
 *
 * Success is reported only for the child that won: the daemon answering on the socket must be
 * the one spawned here. When several starts race, every loser's child exits on the lock while
 * the winner answers, so a plain "the socket answers" check would report the dead child as
 * started; a loser throws `AlreadyRunningError` naming the winner instead.
 */
export async function startBackgroundDaemon(
  paths: WorkspacePaths,
  daemonArgs: string[],
  timeoutMs = 15_000,
): Promise<StartedDaemon> {
  const before = await answeringPid(paths);
  if (before !== null) throw new AlreadyRunningError({ pid: before });
  const logPath = path.join(paths.beadsDir, 'daemon.log');
  const log = fs.openSync(logPath, 'a', 0o600);
  const bin = codePath('cli', 'bin.js');
  const child = spawn(process.execPath, [bin, 'daemon', '--workspace', paths.root, '--log-format', 'json', ...daemonArgs], {
    cwd: paths.root,
    detached: true,
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  const childPid = child.pid!;
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? 1));
  child.unref();
  const winner = await waitFor(
    async () => {
      const pid = await answeringPid(paths);
      if (pid === childPid) return { pid };
      // Another daemon answers: ours lost the lock race. Wait for our child to give up, so no
      // orphan is left behind and no success is printed for it.
      if (pid !== null) return exited !== null ? { pid } : undefined;
      if (exited !== null) {
        // The winner may hold the lock but not be listening yet: keep waiting for it.
        const holder = readDaemonLock(paths.beadsDir);
        if (holder && holder.pid !== childPid && isProcessAlive(holder.pid)) return undefined;
        throw new Error(`the daemon exited with code ${exited} during start-up; see ${logPath}`);
      }
      return undefined;
    },
    timeoutMs,
    'the daemon to answer on its socket',
    25,
  );
  if (winner.pid !== childPid) throw new AlreadyRunningError({ pid: winner.pid });
  return { pid: childPid, socketPath: socketPathFor(paths.root), logPath };
}
