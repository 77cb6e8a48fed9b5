import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LoggedEvent } from '../../src/events/daemon-event';
import { LOCK_FILE, PID_FILE, readDaemonLock } from '../../src/daemon/daemon-lock';
import { isProcessAlive } from '../../src/os/is-process-alive';
import { RpcClient } from '../../src/rpc/rpc-client';
import { socketPathFor } from '../../src/rpc/socket-path';
import { CLI_BIN, cleanEnv, type DaemonProcess, type Workspace } from './daemon-process';
import { waitFor } from './wait-for';

/**
 * Helpers for tests that talk to a real `bd-rx daemon` over its real socket. The daemon itself
 * comes from `useDaemons()` (spec/helpers/daemon-process.ts); raw NDJSON peers from
 * spec/rpc/rpc-test-helpers.ts.
 */

export const WAIT = 20_000;

/** The socket the daemon of `ws` listens on (the CLI computes it the same way). */
export function socketOf(ws: { root: string }): string {
  return socketPathFor(ws.root);
}

/** Runs `fn` with a persistent client connection and always hangs up. */
export async function withClient<T>(ws: Workspace, fn: (client: RpcClient) => Promise<T>, actor = 'tester'): Promise<T> {
  const client = await RpcClient.connect(socketOf(ws), { timeoutMs: WAIT, expectedDb: ws.dbPath, actor });
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

/** The ids in the workspace JSONL, in file order ([] while it does not exist). */
export function jsonlIds(jsonlPath: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(jsonlPath, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { id: string }).id);
}

/** Resolves once every one of `ids` is in the JSONL. */
export async function waitForJsonlIds(jsonlPath: string, ids: string[], timeoutMs = WAIT): Promise<void> {
  await waitFor(
    () => {
      const have = new Set(jsonlIds(jsonlPath));
      return ids.every((id) => have.has(id));
    },
    timeoutMs,
    `the JSONL to contain ${ids.length === 1 ? ids[0] : `${ids.length} ids`}`,
    10,
  );
}

/** Socket, lock and pid file of the workspace: which of them exist right now. */
export function daemonFiles(ws: Workspace): { socket: boolean; lock: boolean; pid: boolean } {
  return {
    socket: fs.existsSync(socketOf(ws)),
    lock: fs.existsSync(path.join(ws.beadsDir, LOCK_FILE)),
    pid: fs.existsSync(path.join(ws.beadsDir, PID_FILE)),
  };
}

export const NO_FILES = { socket: false, lock: false, pid: false };

/** True while `pid` is a running process (an exited, unreaped zombie counts as gone). */
export const running = isProcessAlive;

/** The logged event with the same `ts` and `type` as `event`, parsed back from the daemon's log. */
export function loggedTwin(d: DaemonProcess, event: { ts: string; type: string }): LoggedEvent | undefined {
  return d.events.find((e) => e.ts === event.ts && e.type === event.type);
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  json?: any;
}

/**
 * Runs the compiled CLI without blocking this process: a foreground daemon child writes its log
 * to a pipe this process must keep draining, or it would stall on a full pipe.
 */
export function runCliAsync(
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], {
      cwd: opts.cwd,
      env: cleanEnv({ BD_ACTOR: 'tester', ...opts.env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bd-rx ${args.join(' ')} did not finish within ${opts.timeoutMs ?? WAIT} ms\n${stderr}`));
    }, opts.timeoutMs ?? WAIT);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const run: CliRun = { code, stdout, stderr };
      try {
        run.json = JSON.parse(stdout);
      } catch {
        // not JSON output
      }
      resolve(run);
    });
  });
}

/** Like runCliAsync, but a non-zero exit fails the test with the command and its output. */
export async function cliOk(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CliRun> {
  const r = await runCliAsync(args, opts);
  if (r.code !== 0) throw new Error(`bd-rx ${args.join(' ')} exited ${r.code}\nstderr: ${r.stderr}\nstdout: ${r.stdout}`);
  return r;
}

/**
 * Call inside a `describe`, for daemons started in the background (`daemon start`): they are
 * not our children, so after each test every workspace registered here has its daemon (by the
 * pid in its lock) SIGKILLed, and the `/tmp/beads-*` socket directory of a long path removed.
 */
export function useBackgroundDaemons(): { track: (ws: { root: string; beadsDir: string }) => void } {
  const tracked: Array<{ root: string; beadsDir: string }> = [];
  const pids = new Set<number>();
  afterEach(async () => {
    for (const ws of tracked.splice(0)) {
      const lock = readDaemonLock(ws.beadsDir);
      if (lock) pids.add(lock.pid);
      const dir = path.dirname(socketPathFor(ws.root));
      if (/^\/tmp\/beads-[0-9a-f]{8}$/.test(dir) && !dir.startsWith(ws.root)) {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    for (const pid of [...pids]) {
      pids.delete(pid);
      if (!running(pid)) continue;
      process.kill(pid, 'SIGKILL');
      await waitFor(() => !running(pid), 10_000, `pid ${pid} to die`);
    }
  });
  return {
    track: (ws) => {
      tracked.push(ws);
      const lock = readDaemonLock(ws.beadsDir);
      if (lock) pids.add(lock.pid);
    },
  };
}
