import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BeadsStore } from '../../src/store/beads-store';
import { exportJsonl } from '../../src/sync/export-jsonl';
import { BEADS_GITIGNORE, initWorkspace } from '../../src/workspace/init-workspace';
import { WorkspaceNotFoundError, resolveWorkspace } from '../../src/workspace/workspace-paths';
import { fixturePath, linesOf, readFixture, useTempDirs } from '../helpers/temp-workspace';

function mkdirs(...parts: string[]): string {
  const dir = path.join(...parts);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

describe('resolveWorkspace', () => {
  const tempDir = useTempDirs();

  it('should walk up from the current directory to the nearest .beads/', () => {
    const root = tempDir();
    mkdirs(root, '.beads');
    const deep = mkdirs(root, 'src', 'a', 'b');
    const ws = resolveWorkspace({ cwd: deep, env: {} });
    expect(ws).toEqual({
      root,
      beadsDir: path.join(root, '.beads'),
      dbPath: path.join(root, '.beads', 'beads.db'),
      jsonlPath: path.join(root, '.beads', 'issues.jsonl'),
    });
  });

  it('should stop at the nearest .beads/ when a parent has one too', () => {
    const root = tempDir();
    mkdirs(root, '.beads');
    const inner = mkdirs(root, 'vendor', 'lib');
    mkdirs(inner, '.beads');
    expect(resolveWorkspace({ cwd: mkdirs(inner, 'x'), env: {} }).root).toBe(inner);
    expect(resolveWorkspace({ cwd: mkdirs(root, 'vendor'), env: {} }).root).toBe(root);
  });

  it('should ignore a file named .beads on the way up', () => {
    const root = tempDir();
    mkdirs(root, '.beads');
    const sub = mkdirs(root, 'sub');
    fs.writeFileSync(path.join(sub, '.beads'), 'not a dir');
    expect(resolveWorkspace({ cwd: sub, env: {} }).root).toBe(root);
  });

  it('should use --workspace over BEADS_DIR and over the current directory', () => {
    const here = tempDir();
    mkdirs(here, '.beads');
    const explicit = tempDir();
    const fromEnv = tempDir();
    expect(resolveWorkspace({ cwd: here, explicit, env: { BEADS_DIR: path.join(fromEnv, '.beads') } }).root).toBe(explicit);
  });

  it('should accept BEADS_DIR naming the .beads directory itself or the project holding it, relative to cwd', () => {
    const here = tempDir();
    mkdirs(here, '.beads');
    const other = tempDir();
    mkdirs(other, '.beads');
    expect(resolveWorkspace({ cwd: here, env: { BEADS_DIR: path.join(other, '.beads') } }).beadsDir).toBe(path.join(other, '.beads'));
    expect(resolveWorkspace({ cwd: here, env: { BEADS_DIR: other } }).root).toBe(other);
    const rel = path.relative(here, path.join(other, '.beads'));
    expect(resolveWorkspace({ cwd: here, env: { BEADS_DIR: rel } }).root).toBe(other);
  });

  it('should use a legacy beads.jsonl only when issues.jsonl is absent', () => {
    const root = tempDir();
    const beads = mkdirs(root, '.beads');
    fs.writeFileSync(path.join(beads, 'beads.jsonl'), '');
    expect(resolveWorkspace({ cwd: root, env: {} }).jsonlPath).toBe(path.join(beads, 'beads.jsonl'));
    fs.writeFileSync(path.join(beads, 'issues.jsonl'), '');
    expect(resolveWorkspace({ cwd: root, env: {} }).jsonlPath).toBe(path.join(beads, 'issues.jsonl'));
  });

  it('should say how to create or point at a workspace when none is found', () => {
    const lonely = tempDir();
    let err: unknown;
    try {
      resolveWorkspace({ cwd: lonely, env: {} });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WorkspaceNotFoundError);
    expect((err as Error).message).toContain('bd-rx init');
    expect((err as Error).message).toContain('BEADS_DIR');
  });
});

describe('initWorkspace', () => {
  const tempDir = useTempDirs();

  it('should create .beads/ with a .gitignore, an empty DB and an empty JSONL, prefixed by the directory name', () => {
    const root = mkdirs(tempDir(), 'Acme Widgets');
    const result = initWorkspace(root);
    expect(result.created).toBe(true);
    expect(result.prefix).toBe('acme-widgets');
    expect(result.imported).toBeUndefined();
    expect(fs.readdirSync(path.join(root, '.beads')).filter((f) => !/-(wal|shm)$/.test(f)).sort()).toEqual(['.gitignore', 'beads.db', 'issues.jsonl']);
    expect(fs.readFileSync(result.paths.jsonlPath, 'utf8')).toBe('');
    const store = new BeadsStore(result.paths.dbPath);
    try {
      expect(store.count()).toBe(0);
      expect(store.create({ title: 'first' }, 'alice').id).toMatch(/^acme-widgets-[0-9a-z]{4}$/);
    } finally {
      store.dispose();
    }
  });

  it('should honour an explicit prefix and refuse one unusable in ids', () => {
    const root = tempDir();
    expect(initWorkspace(root, { prefix: 'web' }).prefix).toBe('web');
    expect(() => initWorkspace(tempDir(), { prefix: 'has space' })).toThrow(/"has space"/);
  });

  it('should have git ignore the DB, its WAL files and the daemon runtime files, but not the JSONL', () => {
    const root = tempDir();
    initWorkspace(root);
    execFileSync('git', ['init', '-q'], { cwd: root });
    const ignored = (rel: string) => {
      try {
        execFileSync('git', ['check-ignore', '-q', rel], { cwd: root });
        return true;
      } catch {
        return false;
      }
    };
    for (const f of ['beads.db', 'beads.db-wal', 'beads.db-shm', 'beads.db-journal', 'bd.sock', 'daemon.pid', 'daemon.lock', 'daemon.log', '.issues.jsonl.tmp-1-1']) {
      expect([f, ignored(`.beads/${f}`)]).toEqual([f, true]);
    }
    expect(ignored('.beads/issues.jsonl')).toBe(false);
    expect(ignored('.beads/.gitignore')).toBe(false);
    expect(fs.readFileSync(path.join(root, '.beads', '.gitignore'), 'utf8')).toBe(BEADS_GITIGNORE);
  });

  it('should import the JSONL of a fresh clone, after which an export has nothing to write', () => {
    const root = tempDir();
    const name = 'steveyegge__beads__issues__20251120-8e05847.jsonl';
    mkdirs(root, '.beads');
    fs.copyFileSync(fixturePath(name), path.join(root, '.beads', 'issues.jsonl'));
    const result = initWorkspace(root);
    expect(result.created).toBe(false);
    expect(result.imported).toMatchObject({ created: linesOf(readFixture(name)).length, deleted: 0 });
    const store = new BeadsStore(result.paths.dbPath);
    try {
      expect(store.get('bd-0134cc5a')).not.toBeNull();
      expect(exportJsonl(store, { jsonlPath: result.paths.jsonlPath }).skipped).toBe('clean');
      expect(fs.readFileSync(result.paths.jsonlPath, 'utf8')).toBe(readFixture(name));
    } finally {
      store.dispose();
    }
  });

  it('should change nothing when run again on an initialised workspace', () => {
    const root = tempDir();
    initWorkspace(root, { prefix: 'keep' });
    const store = new BeadsStore(path.join(root, '.beads', 'beads.db'));
    store.create({ title: 'existing' }, 'alice');
    store.dispose();
    const again = initWorkspace(root);
    expect(again.created).toBe(false);
    expect(again.prefix).toBe('keep');
    const reopened = new BeadsStore(again.paths.dbPath);
    try {
      expect(reopened.list().map((i) => i.title)).toEqual(['existing']);
    } finally {
      reopened.dispose();
    }
  });
});

describe('initWorkspace over a DB whose JSONL is missing', () => {
  const tempDir = useTempDirs();

  it('should write the DB issues to the new JSONL so the next sync does not delete them', () => {
    const root = tempDir();
    const { paths } = initWorkspace(root, { prefix: 'keep' });
    const store = new BeadsStore(paths.dbPath);
    try {
      const a = store.create({ title: 'A' }, 'alice');
      const b = store.create({ title: 'B' }, 'alice');
      exportJsonl(store, { jsonlPath: paths.jsonlPath });
      fs.rmSync(paths.jsonlPath);

      initWorkspace(root);
      expect(linesOf(fs.readFileSync(paths.jsonlPath, 'utf8')).map((l) => JSON.parse(l).id).sort()).toEqual([a.id, b.id].sort());
      const report = exportJsonl(store, { jsonlPath: paths.jsonlPath });
      expect(report.merged?.deleted ?? 0).toBe(0);
      expect(store.list().map((i) => i.title).sort()).toEqual(['A', 'B']);
    } finally {
      store.dispose();
    }
  });
});
