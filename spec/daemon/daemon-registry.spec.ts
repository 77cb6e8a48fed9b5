import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  listRegistry,
  registerDaemon,
  registryFiles,
  type RegistryEntry,
  unregisterDaemon,
} from '../../src/daemon/daemon-registry';
import { findWorkspaceRoot } from '../../src/workspace/workspace-paths';
import { socketPathFor } from '../../src/rpc/socket-path';
import { CLI_BIN, cleanEnv, useDaemons } from '../helpers/daemon-process';
import { waitFor } from '../helpers/wait-for';

const entry = (over: Partial<RegistryEntry> = {}): RegistryEntry => ({
  workspace_path: '/w/a',
  socket_path: '/w/a/.beads/bd.sock',
  database_path: '/w/a/.beads/beads.db',
  pid: process.pid,
  version: '0.49.6',
  started_at: '2026-01-02T03:04:05.678Z',
  ...over,
});

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid as number;
}

const readRegistry = (home: string): unknown => JSON.parse(fs.readFileSync(registryFiles(home).file, 'utf8'));

describe('the daemon registry (~/.beads/registry.json, bd\'s shape and lock)', () => {
  let home: string;
  let children: ChildProcess[] = [];
  /** A live pid that is not ours (register drops the entries of dead ones). */
  const livePid = (): number => {
    const child = spawn('sleep', ['120'], { stdio: 'ignore' });
    children.push(child);
    return child.pid as number;
  };
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'bd-rx-home-'));
  });
  afterEach(() => {
    for (const c of children) c.kill('SIGKILL');
    children = [];
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('should write an array of bd RegistryEntry objects with 2-space indent, one per workspace', async () => {
    const other = livePid();
    await registerDaemon(entry(), home);
    await registerDaemon(entry({ workspace_path: '/w/b', pid: other }), home);
    const text = fs.readFileSync(registryFiles(home).file, 'utf8');
    expect(text.startsWith('[\n  {\n    "workspace_path": "/w/a",')).toBe(true);
    expect(readRegistry(home)).toEqual([entry(), entry({ workspace_path: '/w/b', pid: other })]);
    expect(Object.keys((readRegistry(home) as object[])[0] as object)).toEqual([
      'workspace_path', 'socket_path', 'database_path', 'pid', 'version', 'started_at',
    ]);
    expect((fs.statSync(registryFiles(home).dir).mode & 0o777).toString(8)).toBe('750');
  });

  it('should replace an entry of the same workspace or the same pid (a predecessor), as bd does', async () => {
    const [p1, p2, p3] = [livePid(), livePid(), livePid()];
    await registerDaemon(entry({ pid: p1 }), home);
    await registerDaemon(entry({ workspace_path: '/w/b', pid: p2 }), home);
    await registerDaemon(entry({ pid: p3, started_at: '2026-02-02T00:00:00Z' }), home);
    await registerDaemon(entry({ workspace_path: '/w/c', pid: p2 }), home);
    expect((readRegistry(home) as RegistryEntry[]).map((e) => [e.workspace_path, e.pid])).toEqual([
      ['/w/a', p3],
      ['/w/c', p2],
    ]);
  });

  it('should drop the entries of dead pids when it registers (a daemon killed outright never unregisters)', async () => {
    const dead = await deadPid();
    const alive = livePid();
    await registerDaemon(entry({ workspace_path: '/w/dead', pid: dead }), home);
    await registerDaemon(entry({ workspace_path: '/w/alive', pid: alive }), home);
    await registerDaemon(entry(), home);
    expect((readRegistry(home) as RegistryEntry[]).map((e) => e.workspace_path)).toEqual(['/w/alive', '/w/a']);
  });

  it('should remove only its own entry at unregister and leave an empty array, never null', async () => {
    const other = livePid();
    await registerDaemon(entry(), home);
    await registerDaemon(entry({ workspace_path: '/w/b', pid: other }), home);
    await unregisterDaemon('/w/a', process.pid, home);
    expect(readRegistry(home)).toEqual([entry({ workspace_path: '/w/b', pid: other })]);
    await unregisterDaemon('/w/b', other, home);
    expect(fs.readFileSync(registryFiles(home).file, 'utf8')).toBe('[]');
    expect(fs.readdirSync(registryFiles(home).dir).sort()).toEqual(['registry.json', 'registry.lock']);
  });

  it('should read a blank or corrupt registry as empty and list only live pids, dropping the dead from the file', async () => {
    fs.mkdirSync(registryFiles(home).dir, { recursive: true });
    fs.writeFileSync(registryFiles(home).file, '{not json');
    expect(await listRegistry(home)).toEqual([]);
    // bd's reader drops dead pids (registered by a bd that did not: written here by hand).
    const dead = await deadPid();
    fs.writeFileSync(registryFiles(home).file, JSON.stringify([entry({ workspace_path: '/w/dead', pid: dead })]));
    await unregisterDaemon('/w/none', -1, home);
    expect(readRegistry(home)).toHaveLength(1);
    fs.writeFileSync(registryFiles(home).file, ' \n\0');
    await registerDaemon(entry(), home);
    expect(await listRegistry(home)).toEqual([entry()]);
    fs.writeFileSync(registryFiles(home).file, JSON.stringify([entry(), entry({ workspace_path: '/w/dead', pid: dead })]));
    expect(await listRegistry(home)).toEqual([entry()]);
    expect(readRegistry(home)).toEqual([entry()]);
  });

  it('should wait for a bd process holding the flock on registry.lock and keep the entry that process wrote', async () => {
    const files = registryFiles(home);
    fs.mkdirSync(files.dir, { recursive: true });
    // A stand-in for bd's Register: under flock(LOCK_EX) it reads stdin and writes that as the registry.
    const bd = spawn('flock', ['--exclusive', files.lock, 'sh', '-c', `echo held; read line; printf '%s' "$line" > '${files.file}'`]);
    bd.stdout.setEncoding('utf8');
    await new Promise<void>((resolve) => bd.stdout.once('data', () => resolve()));

    let done = false;
    const [ourPid, bdPid] = [livePid(), livePid()];
    const ours = registerDaemon(entry({ workspace_path: '/w/ours', pid: ourPid }), home).then(() => (done = true));
    const bdEntry = entry({ workspace_path: '/w/bd', pid: bdPid });
    // While bd holds the lock our register has not written: there is no registry file yet.
    expect(fs.existsSync(files.file)).toBe(false);
    bd.stdin.end(`${JSON.stringify([bdEntry])}\n`);
    await ours;
    expect(done).toBe(true);
    // Without the lock ours would have been written first and then overwritten by bd's.
    expect(readRegistry(home)).toEqual([bdEntry, entry({ workspace_path: '/w/ours', pid: ourPid })]);
  });

  it('should not take a ~/.beads holding only the registry for a workspace', async () => {
    const below = path.join(home, 'project', 'src');
    fs.mkdirSync(below, { recursive: true });
    await registerDaemon(entry(), home);
    expect(findWorkspaceRoot(below)).toBeNull();
    fs.writeFileSync(path.join(registryFiles(home).dir, 'issues.jsonl'), '');
    expect(findWorkspaceRoot(below)).toBe(home);
  });

  describe('a real daemon', () => {
    const { workspace, start } = useDaemons();

    it('should register itself once its socket listens and remove itself at stop', async () => {
      const ws = workspace();
      const d = start({ cwd: ws.root, env: { HOME: home } });
      await d.waitForEvent('daemon/started', 20_000);
      const file = registryFiles(home).file;
      await waitFor(() => fs.existsSync(file) && (readRegistry(home) as RegistryEntry[]).length === 1, 20_000, 'the registry entry');
      const [registered] = readRegistry(home) as RegistryEntry[];
      expect(registered).toEqual({
        workspace_path: ws.root,
        socket_path: socketPathFor(ws.root),
        database_path: ws.dbPath,
        pid: d.pid,
        version: '0.49.6',
        started_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
      });
      // What bd's `daemon list` does with the entry: dial its socket.
      const ping = spawnSync(process.execPath, [CLI_BIN, 'daemon', 'status', '--json'], { cwd: ws.root, env: cleanEnv({ HOME: home }), encoding: 'utf8' });
      expect(ping.status).toBe(0);
      expect(fs.existsSync(registered?.socket_path ?? '')).toBe(true);

      expect(await d.stop()).toEqual({ code: 0, signal: null });
      expect(readRegistry(home)).toEqual([]);
    });
  });
});
