import * as fs from 'node:fs';
import { readDaemonLock } from '../../src/daemon/daemon-lock';
import { useDaemons } from '../helpers/daemon-process';
import { cliOk, runCliAsync, running, useBackgroundDaemons, withClient, type CliRun } from '../helpers/real-daemon';
import { waitFor } from '../helpers/wait-for';

/**
 * Issue 10, scenario 7: many starters at the same instant on one workspace. Real processes:
 * ten `bd-rx daemon start` and ten data commands (which use a daemon when one answers and
 * direct mode otherwise), all spawned before any of them finishes.
 */

jest.setTimeout(120_000);

/** Pids of `bd-rx daemon --workspace ROOT` server processes (not `daemon start` clients), from /proc. */
function daemonServerPids(root: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let args: string[];
    try {
      args = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // the process ended while we looked
    }
    const at = args.indexOf('daemon');
    if (at > 0 && args[at + 1] === '--workspace' && args[at + 2] === root) pids.push(Number(entry));
  }
  return pids;
}

describe('daemon start stampede', () => {
  const { workspace } = useDaemons();
  const { track } = useBackgroundDaemons();

  it('should leave exactly one daemon when 10 starts and 10 commands race, each succeeding or naming the winner', async () => {
    const ws = workspace();
    track(ws);
    const starts: Array<Promise<CliRun>> = [];
    // Read commands: direct-mode writers racing a starting daemon hit `database is locked`, the
    // concurrent-writers half of scenario 7, which is proved (and fixed) on its own.
    const reads: Array<Promise<CliRun>> = [];
    for (let i = 0; i < 10; i++) {
      starts.push(runCliAsync(['daemon', 'start', '--debounce-ms', '100'], { cwd: ws.root, timeoutMs: 60_000 }));
      reads.push(runCliAsync(['list', '--json'], { cwd: ws.root, timeoutMs: 60_000 }));
    }
    const startRuns = await Promise.all(starts);
    const readRuns = await Promise.all(reads);
    track(ws);

    const lock = readDaemonLock(ws.beadsDir);
    expect(lock).not.toBeNull();
    const winner = lock!.pid;
    // Losing children exit on the lock; give them the moment they need, then count survivors.
    await waitFor(() => daemonServerPids(ws.root).length <= 1, 20_000, 'losing daemons to exit');
    expect(daemonServerPids(ws.root)).toEqual([winner]);

    for (const r of startRuns) {
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
      expect(r.stdout.trim()).toMatch(new RegExp(`^(✓ Daemon started \\(pid ${winner}\\)|already running \\(pid ${winner}\\))`));
    }
    const started = startRuns.filter((r) => r.stdout.startsWith('✓ Daemon started'));
    expect(started).toHaveLength(1);

    for (const r of readRuns) {
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
      expect(r.json).toEqual([]);
    }
    // The one daemon serves: a write through it lands.
    await withClient(ws, async (c) => {
      const created = (await c.request('create', { title: 'After the stampede' })) as { id: string };
      expect(((await c.request('list')) as Array<{ id: string }>).map((i) => i.id)).toEqual([created.id]);
    });

    // Cleanup is part of the contract: stop ends the one daemon and nothing is left running.
    const stop = await cliOk(['daemon', 'stop'], { cwd: ws.root });
    expect(stop.stdout.trim()).toBe(`✓ Daemon stopped (pid ${winner})`);
    expect(running(winner)).toBe(false);
    expect(daemonServerPids(ws.root)).toEqual([]);
  });
});
