import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { socketPathFor } from '../../src/rpc/socket-path';
import { runCliOk, type Workspace, useDaemons } from '../helpers/daemon-process';
import { cliOk, runCliAsync, socketOf, useBackgroundDaemons, WAIT, withClient } from '../helpers/real-daemon';
import { waitFor } from '../helpers/wait-for';
import { longWorkspace, removeDir, tempDir } from '../rpc/rpc-test-helpers';

/**
 * Scenario 9 of the fault suite: who may read the workspace's private files and talk to its
 * daemon. The second user is real: a throwaway account made with `useradd` (the suite runs as
 * root, as CI does) and removed afterwards; its processes are started with that uid and gid.
 */

jest.setTimeout(120_000);

interface LocalUser {
  name: string;
  uid: number;
  gid: number;
}

function makeThrowawayUser(): LocalUser {
  if (process.getuid?.() !== 0) {
    throw new Error('this suite creates a throwaway local user and so must run as root (CI does)');
  }
  const name = `bdrx-t${process.pid}`;
  execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', name]);
  const id = (flag: string): number => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
  return { name, uid: id('-u'), gid: id('-g') };
}

/** Runs `script` with node as `user`; resolves with what it printed. */
function runAs(user: LocalUser, script: string, args: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script, ...args], { uid: user.uid, gid: user.gid, cwd: '/' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** What `net.connect(socket)` ends in for that user: 'connected' or the errno code. */
const CONNECT_SCRIPT = `
  const socket = require('net').connect(process.argv[1]);
  socket.on('connect', () => { process.stdout.write('connected'); socket.destroy(); });
  socket.on('error', (err) => process.stdout.write(err.code));
`;

/**
 * Another user's trap: the `/tmp/beads-<hash>` directory a long workspace falls back to, made
 * first, world-writable, with a listener that prints the size of every request it gets and
 * answers each with a forged success.
 */
const TRAP_SCRIPT = `
  const fs = require('fs');
  const net = require('net');
  const dir = process.argv[1];
  fs.mkdirSync(dir, { mode: 0o777 });
  fs.chmodSync(dir, 0o777);
  const forged = JSON.stringify({ success: true, data: { id: 'forged-1', title: 'FORGED', status: 'healthy' } });
  net.createServer((s) => {
    s.on('error', () => undefined);
    s.on('data', (d) => { process.stdout.write('GOT ' + d.length + '\\n'); s.write(forged + '\\n'); });
  }).listen(dir + '/bd.sock', () => {
    fs.chmodSync(dir + '/bd.sock', 0o777);
    process.stdout.write('READY\\n');
  });
`;

const mode = (file: string): number => fs.lstatSync(file).mode & 0o777;
const octal = (m: number): string => m.toString(8).padStart(4, '0');

describe('fault 9: permissions', () => {
  const { workspace, start } = useDaemons();
  const background = useBackgroundDaemons();
  let user: LocalUser;
  const children: ChildProcess[] = [];
  const dirs: string[] = [];

  beforeAll(() => {
    user = makeThrowawayUser();
  });
  afterAll(() => {
    execFileSync('userdel', [user.name]);
  });
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    for (const dir of dirs.splice(0)) removeDir(dir);
  });

  /** An initialised workspace whose socket falls back to /tmp/beads-<hash>/bd.sock. */
  function longPathWorkspace(): Workspace {
    const root = fs.realpathSync(tempDir('bd-rx-perm-'));
    dirs.push(root);
    const dir = longWorkspace(root);
    runCliOk(dir, ['init', '--prefix', 'p']);
    const fallback = path.dirname(socketPathFor(dir));
    expect(fallback).toMatch(/^\/tmp\/beads-[0-9a-f]{8}$/);
    dirs.push(fallback);
    const beadsDir = path.join(dir, '.beads');
    return { root: dir, beadsDir, jsonlPath: path.join(beadsDir, 'issues.jsonl'), dbPath: path.join(beadsDir, 'beads.db') };
  }

  it('should keep .beads/ 0700 and the DB, its WAL and SHM, the log, lock, pid and socket 0600', async () => {
    const ws = workspace();
    expect(octal(mode(ws.beadsDir))).toBe('0700');
    expect(octal(mode(ws.dbPath))).toBe('0600');
    background.track(ws);
    await cliOk(['daemon', 'start'], { cwd: ws.root });
    background.track(ws);
    await cliOk(['create', 'Private', '--json'], { cwd: ws.root });
    const modes = Object.fromEntries(
      ['beads.db', 'beads.db-wal', 'beads.db-shm', 'daemon.log', 'daemon.lock', 'daemon.pid', 'bd.sock'].map((name) => [
        name,
        octal(mode(path.join(ws.beadsDir, name))),
      ]),
    );
    expect(modes).toEqual({
      'beads.db': '0600',
      'beads.db-wal': '0600',
      'beads.db-shm': '0600',
      'daemon.log': '0600',
      'daemon.lock': '0600',
      'daemon.pid': '0600',
      'bd.sock': '0600',
    });
    // Nothing in .beads/ is writable by others (the JSONL and .gitignore are 0644, as bd's).
    const writable = fs.readdirSync(ws.beadsDir).filter((name) => (mode(path.join(ws.beadsDir, name)) & 0o022) !== 0);
    expect(writable).toEqual([]);
  });

  it('should refuse a second local user connecting to the socket, in .beads/ or in the /tmp fallback', async () => {
    const ws = workspace();
    // Open every directory on the way, so only the socket's own mode stands in the way.
    fs.chmodSync(ws.root, 0o755);
    fs.chmodSync(ws.beadsDir, 0o755);
    const d = start({ cwd: ws.root });
    await d.waitUntilWatching();
    expect((await runAs(user, CONNECT_SCRIPT, [socketOf(ws)])).stdout).toBe('EACCES');

    const long = longPathWorkspace();
    const d2 = start({ cwd: long.root });
    await d2.waitUntilWatching();
    const fallbackDir = path.dirname(socketOf(long));
    expect(octal(mode(fallbackDir))).toBe('0700');
    expect((await runAs(user, CONNECT_SCRIPT, [socketOf(long)])).stdout).toBe('EACCES');
    // Our own client still gets in.
    expect(await withClient(long, (c) => c.request('ping'))).toMatchObject({ status: 'healthy' });
  });

  it("should not send a command to another user's listener planted in the /tmp fallback directory, nor report its daemon started", async () => {
    const ws = longPathWorkspace();
    const fallbackDir = path.dirname(socketOf(ws));
    const trap = spawn(process.execPath, ['-e', TRAP_SCRIPT, fallbackDir], { uid: user.uid, gid: user.gid, cwd: '/' });
    children.push(trap);
    let trapOut = '';
    trap.stdout.setEncoding('utf8').on('data', (s: string) => (trapOut += s));
    await waitFor(() => trapOut.includes('READY'), WAIT, "the other user's listener");
    expect(fs.lstatSync(fallbackDir).uid).toBe(user.uid);

    const created = await runCliAsync(['create', 'Secret plan', '-d', 'confidential', '--json'], { cwd: ws.root });
    expect(created.code).toBe(0);
    expect(created.json).toMatchObject({ title: 'Secret plan', description: 'confidential' });
    expect(created.json.id).not.toBe('forged-1');
    expect(created.stderr).toContain(fallbackDir);
    expect(created.stderr).toMatch(/not using the daemon socket/);

    background.track(ws);
    const started = await runCliAsync(['daemon', 'start'], { cwd: ws.root });
    background.track(ws);
    expect(started.stdout).not.toMatch(/Daemon started/);
    expect(started.code).not.toBe(0);
    const log = fs.readFileSync(path.join(ws.beadsDir, 'daemon.log'), 'utf8');
    expect(log).toContain(`${fallbackDir} belongs to uid ${user.uid}`);

    const status = await runCliAsync(['daemon', 'status', '--json'], { cwd: ws.root });
    expect(status.stdout).not.toMatch(/healthy|forged/);

    // Not one byte reached the other user's listener.
    expect(trapOut).toBe('READY\n');
  });

  it('should refuse a fallback directory of ours that is open to others, or a symlink, from the daemon and the CLI', async () => {
    const ws = longPathWorkspace();
    const fallbackDir = path.dirname(socketOf(ws));
    fs.mkdirSync(fallbackDir, { mode: 0o777 });
    fs.chmodSync(fallbackDir, 0o777);
    const d = start({ cwd: ws.root });
    const exit = await d.waitForExit(WAIT);
    expect(exit.code).not.toBe(0);
    expect(d.stderr).toContain(`${fallbackDir} has mode 0777`);
    expect(octal(mode(fallbackDir))).toBe('0777');

    fs.rmdirSync(fallbackDir);
    const elsewhere = fs.realpathSync(tempDir('bd-rx-perm-target-'));
    dirs.push(elsewhere);
    fs.symlinkSync(elsewhere, fallbackDir);
    const d2 = start({ cwd: ws.root });
    expect((await d2.waitForExit(WAIT)).code).not.toBe(0);
    expect(d2.stderr).toContain(`${fallbackDir} is a symlink`);
    expect(fs.readdirSync(elsewhere)).toEqual([]);
    fs.unlinkSync(fallbackDir);
  });

  it('should never follow a symlink planted at the name of an export temp file', async () => {
    const ws = workspace();
    const d = start({ cwd: ws.root, args: ['--debounce-ms', '100'] });
    await d.waitUntilWatching();
    const victimDir = fs.realpathSync(tempDir('bd-rx-perm-victim-'));
    dirs.push(victimDir);
    const victim = path.join(victimDir, 'victim.txt');
    fs.writeFileSync(victim, 'precious\n');
    // The names the daemon's next exports will use (pid, then a counter from 1), and their
    // old-file twins.
    for (let n = 1; n <= 50; n++) {
      for (const kind of ['', 'old-']) {
        fs.symlinkSync(victim, path.join(ws.beadsDir, `.issues.jsonl.tmp-${kind}${d.pid}-${n}`));
      }
    }
    const mark = d.mark();
    await withClient(ws, async (c) => {
      await c.request('create', { title: 'Export me' });
      await d.waitForEvent((e) => e.type === 'export/done' || e.type === 'export/failed', WAIT, mark);
      await c.request('create', { title: 'And me' });
    });
    // Read through whatever issues.jsonl is by then (a symlink to the victim, on the old code).
    await waitFor(
      () => fs.readFileSync(ws.jsonlPath, 'utf8').includes('And me') || d.count('export/failed', mark) > 0,
      WAIT,
      'the second issue in the JSONL',
    );
    expect(d.count('export/failed', mark)).toBe(0);
    expect(fs.readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(fs.lstatSync(ws.jsonlPath).isFile()).toBe(true);
    expect(fs.readFileSync(ws.jsonlPath, 'utf8')).toMatch(/Export me[\s\S]*\n.*And me|And me[\s\S]*\n.*Export me/);
    expect(octal(mode(ws.jsonlPath))).toBe('0644');
  });
});
