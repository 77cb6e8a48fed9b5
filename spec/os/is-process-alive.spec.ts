import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import { isProcessAlive } from '../../src/os/is-process-alive';
import { waitFor } from '../helpers/wait-for';

function state(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2);
  } catch {
    return undefined;
  }
}

describe('isProcessAlive', () => {
  it('should count a running process as alive and an exited one as gone', async () => {
    const child = spawn('sleep', ['30']);
    const pid = child.pid!;
    expect(isProcessAlive(pid)).toBe(true);
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(isProcessAlive(pid)).toBe(false);
  });

  it('should count an exited, unreaped zombie as gone while kill(pid, 0) still finds it', async () => {
    // The `sleep 0.3` child exits after its shell has become `sleep 30` (exec), which never reaps it.
    const parent = spawn('sh', ['-c', 'sleep 0.3 & echo $!; exec sleep 30']);
    try {
      const [line] = (await once(parent.stdout, 'data')) as [Buffer];
      const zombie = Number(line.toString().trim());
      await waitFor(() => state(zombie) === 'Z', 5000, `pid ${zombie} to become a zombie`);
      expect(() => process.kill(zombie, 0)).not.toThrow();
      expect(isProcessAlive(zombie)).toBe(false);
      expect(isProcessAlive(parent.pid!)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
