import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  AlreadyRunningError,
  type DaemonLock,
  acquireDaemonLock,
  readDaemonLock,
} from '../../src/daemon/daemon-lock';
import { leaveStaleSocket } from '../rpc/rpc-test-helpers';

/** The pid of a process that has exited (a stale lock's owner). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid as number;
}

function writeLock(beadsDir: string, content: object | string): void {
  const text = typeof content === 'string' ? content : JSON.stringify(content);
  fs.writeFileSync(path.join(beadsDir, 'daemon.lock'), text);
}

describe('acquireDaemonLock', () => {
  let root: string;
  let beadsDir: string;
  let socket: string;
  let lock: DaemonLock | undefined;
  let sleeper: ChildProcess | undefined;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'bd-rx-lock-'));
    beadsDir = path.join(root, '.beads');
    fs.mkdirSync(beadsDir);
    socket = path.join(beadsDir, 'bd.sock');
  });

  afterEach(() => {
    lock?.release();
    lock = undefined;
    sleeper?.kill('SIGKILL');
    sleeper = undefined;
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('should write the lock as JSON (pid, version, started_at, socket) and the pid file', () => {
    lock = acquireDaemonLock(beadsDir, { version: '0.1.0', socket });
    const written = JSON.parse(fs.readFileSync(path.join(beadsDir, 'daemon.lock'), 'utf8'));
    expect(written).toEqual({ pid: process.pid, version: '0.1.0', started_at: lock.info.started_at, socket });
    expect(new Date(written.started_at).toISOString()).toBe(written.started_at);
    expect(fs.readFileSync(path.join(beadsDir, 'daemon.pid'), 'utf8')).toBe(`${process.pid}\n`);
    expect(readDaemonLock(beadsDir)).toEqual(written);
    expect(fs.readdirSync(beadsDir).sort()).toEqual(['daemon.lock', 'daemon.pid']);
  });

  it('should refuse a second daemon while the holder is alive', () => {
    lock = acquireDaemonLock(beadsDir, { version: '0.1.0', socket });
    expect(() => acquireDaemonLock(beadsDir, { version: '0.1.0', socket })).toThrow(AlreadyRunningError);
    expect(() => acquireDaemonLock(beadsDir, { version: '0.1.0', socket })).toThrow(`already running (pid ${process.pid})`);
  });

  it('should refuse a lock held by another live process, leaving it in place', async () => {
    sleeper = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    await once(sleeper, 'spawn');
    const holder = { pid: sleeper.pid, version: '0.1.0', started_at: '2025-01-01T00:00:00.000Z', socket };
    writeLock(beadsDir, holder);
    let refusal: unknown;
    try {
      acquireDaemonLock(beadsDir, { version: '0.1.0', socket });
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toBeInstanceOf(AlreadyRunningError);
    expect((refusal as AlreadyRunningError).message).toBe(`already running (pid ${sleeper.pid})`);
    expect((refusal as AlreadyRunningError).pid).toBe(sleeper.pid);
    expect(readDaemonLock(beadsDir)).toEqual(holder);
  });

  it('should replace a lock left by a dead process, and remove its stale socket file', async () => {
    const pid = await deadPid();
    writeLock(beadsDir, { pid, version: '0.0.9', started_at: '2025-01-01T00:00:00.000Z', socket });
    fs.writeFileSync(path.join(beadsDir, 'daemon.pid'), `${pid}\n`);
    await leaveStaleSocket(socket);

    lock = acquireDaemonLock(beadsDir, { version: '0.1.0', socket });
    expect(readDaemonLock(beadsDir)).toMatchObject({ pid: process.pid, version: '0.1.0' });
    expect(fs.readFileSync(path.join(beadsDir, 'daemon.pid'), 'utf8')).toBe(`${process.pid}\n`);
    expect(fs.existsSync(socket)).toBe(false);
  });

  it('should replace a corrupt or empty lock', () => {
    writeLock(beadsDir, '{"pid": "not a number"');
    lock = acquireDaemonLock(beadsDir, { version: '0.1.0', socket });
    expect(readDaemonLock(beadsDir)?.pid).toBe(process.pid);
    lock.release();
    writeLock(beadsDir, '');
    lock = acquireDaemonLock(beadsDir, { version: '0.1.0', socket });
    expect(readDaemonLock(beadsDir)?.pid).toBe(process.pid);
  });

  it('should leave a socket file that is not this workspace\'s alone when clearing a stale lock', async () => {
    const elsewhere = path.join(root, 'other.sock');
    await leaveStaleSocket(elsewhere);
    writeLock(beadsDir, { pid: await deadPid(), version: '0.0.9', started_at: 'x', socket: elsewhere });
    lock = acquireDaemonLock(beadsDir, { version: '0.1.0', socket });
    expect(fs.existsSync(elsewhere)).toBe(true);
  });

  describe('release', () => {
    it('should remove the lock and pid files, be idempotent, and let the next daemon in', () => {
      const first = acquireDaemonLock(beadsDir, { version: '0.1.0', socket });
      first.release();
      first.release();
      expect(fs.readdirSync(beadsDir)).toEqual([]);
      expect(readDaemonLock(beadsDir)).toBeNull();
      lock = acquireDaemonLock(beadsDir, { version: '0.1.0', socket });
      expect(readDaemonLock(beadsDir)?.started_at).toBe(lock.info.started_at);
    });

    it('should not remove a lock or pid file that is no longer ours', () => {
      const mine = acquireDaemonLock(beadsDir, { version: '0.1.0', socket });
      const successor = { pid: 424242, version: '0.1.0', started_at: '2030-01-01T00:00:00.000Z', socket };
      writeLock(beadsDir, successor);
      fs.writeFileSync(path.join(beadsDir, 'daemon.pid'), '424242\n');
      mine.release();
      expect(readDaemonLock(beadsDir)).toEqual(successor);
      expect(fs.readFileSync(path.join(beadsDir, 'daemon.pid'), 'utf8')).toBe('424242\n');
    });
  });
});
