import * as fs from 'node:fs';
import { errnoCode } from './errno-code';

/**
 * `kill(pid, 0)`: ESRCH means gone; EPERM means alive but someone else's. A zombie has exited
 * but still answers `kill(pid, 0)` until its parent reaps it; a background daemon's parent is
 * PID 1, which in a container may reap late or never, so a zombie counts as gone.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return errnoCode(err) === 'EPERM';
  }
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // `pid (comm) S …`: comm may contain spaces and parentheses; the state follows the last `)`.
    return stat.charAt(stat.lastIndexOf(')') + 2) === 'Z';
  } catch {
    return false; // no procfs (macOS): kill(pid, 0) is all we know
  }
}
