import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  FIXTURES,
  copyFixture,
  createIssue,
  initWorkspace,
  jsonlPath,
  makeTempDir,
  readJsonl,
  removeDir,
  runCli,
  runCliOk,
} from '../helpers/run-cli';

const CLONE_FIXTURE = 'steveyegge__beads__issues__20251012-8d3bbbc.jsonl';

describe('bd-rx init', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = makeTempDir('init');
  });
  afterAll(() => removeDir(tmp));

  it('should create .beads/ with a database, an empty issues.jsonl and a .gitignore', () => {
    const dir = path.join(tmp, 'fresh');
    fs.mkdirSync(dir);

    const r = runCli(['init', '--prefix', 'fr'], { cwd: dir });

    expect(r.code).toBe(0);
    const beads = path.join(dir, '.beads');
    expect(fs.readFileSync(path.join(beads, 'issues.jsonl'), 'utf8')).toBe('');
    expect(fs.statSync(path.join(beads, 'beads.db')).size).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(beads, '.gitignore'))).toBe(true);
    expect(runCliOk(['list', '--json'], { cwd: dir }).json).toEqual([]);
  });

  it('should make git ignore the database, WAL, socket, pid and lock files but track the JSONL', () => {
    const dir = path.join(tmp, 'gitrepo');
    fs.mkdirSync(dir);
    const git = (...args: string[]) => spawnSync('git', args, { cwd: dir, encoding: 'utf8' });
    expect(git('init', '-q').status).toBe(0);
    initWorkspace(dir, 'g');
    const runtime = ['beads.db', 'beads.db-wal', 'beads.db-shm', 'beads.db-journal', 'bd.sock', 'daemon.pid', 'daemon.lock'];

    const ignored = git('check-ignore', ...runtime.map((f) => `.beads/${f}`));
    const tracked = git('check-ignore', '.beads/issues.jsonl', '.beads/.gitignore');

    expect(ignored.stdout.trim().split('\n').sort()).toEqual(runtime.map((f) => `.beads/${f}`).sort());
    expect(tracked.stdout).toBe('');
    expect(tracked.status).toBe(1); // none of them ignored
  });

  it('should default the prefix to the directory name', () => {
    const dir = path.join(tmp, 'webapp');
    fs.mkdirSync(dir);
    runCliOk(['init'], { cwd: dir });

    const issue = createIssue(dir, 'First');

    expect(issue.id).toMatch(/^webapp-[0-9a-z]{4,}$/);
  });

  it('should import the issues.jsonl of a fresh clone and leave the file as it was', () => {
    const dir = path.join(tmp, 'clone');
    copyFixture(CLONE_FIXTURE, jsonlPath(dir));
    const original = fs.readFileSync(jsonlPath(dir));

    const r = runCli(['init', '--json'], { cwd: dir });

    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ imported: 18 });
    // --all --limit 0: bd's list hides closed issues and stops at 50 by default.
    const listed = runCliOk(['list', '--all', '--limit', '0', '--json'], { cwd: dir }).json as Array<{ id: string }>;
    const fileIds = readJsonl(dir).records.map((rec) => rec.id);
    expect(listed.map((i) => i.id).sort()).toEqual([...fileIds].sort());
    expect(listed).toHaveLength(18);
    expect(fs.readFileSync(jsonlPath(dir)).equals(original)).toBe(true);
    expect(fs.existsSync(path.join(dir, '.beads', '.gitignore'))).toBe(true);
  });
});

describe('bd-rx workspace lookup', () => {
  let tmp: string;
  let project: string;
  let issueId: string;
  beforeAll(() => {
    tmp = makeTempDir('lookup');
    project = initWorkspace(path.join(tmp, 'project'), 'proj');
    issueId = createIssue(project, 'Find me').id;
    fs.mkdirSync(path.join(project, 'src', 'deep'), { recursive: true });
    fs.mkdirSync(path.join(tmp, 'elsewhere'));
  });
  afterAll(() => removeDir(tmp));

  const ids = (r: { json?: unknown }) => (r.json as Array<{ id: string }>).map((i) => i.id);

  it('should use the nearest ancestor with .beads/ when run in a subdirectory', () => {
    const deep = path.join(project, 'src', 'deep');

    const created = runCli(['create', 'From deep inside', '--json'], { cwd: deep });

    expect(created.code).toBe(0);
    expect(readJsonl(project).records.map((r) => r.id)).toContain(created.json.id);
    expect(fs.existsSync(path.join(deep, '.beads'))).toBe(false);
    expect(ids(runCliOk(['list', '--json'], { cwd: deep }))).toContain(issueId);
  });

  it('should use --workspace DIR and -C DIR from outside the project', () => {
    const elsewhere = path.join(tmp, 'elsewhere');

    const long = runCli(['list', '--json', '--workspace', project], { cwd: elsewhere });
    const short = runCli(['-C', '../project', 'list', '--json'], { cwd: elsewhere });

    expect(long.code).toBe(0);
    expect(ids(long)).toContain(issueId);
    expect(short.code).toBe(0);
    expect(ids(short)).toEqual(ids(long));
  });

  it('should use BEADS_DIR, naming either the .beads directory or the project', () => {
    const elsewhere = path.join(tmp, 'elsewhere');

    const beadsDir = runCli(['list', '--json'], { cwd: elsewhere, env: { BEADS_DIR: path.join(project, '.beads') } });
    const projectDir = runCli(['list', '--json'], { cwd: elsewhere, env: { BEADS_DIR: project } });

    expect(beadsDir.code).toBe(0);
    expect(ids(beadsDir)).toContain(issueId);
    expect(projectDir.code).toBe(0);
    expect(ids(projectDir)).toEqual(ids(beadsDir));
  });

  it('should let --workspace win over BEADS_DIR', () => {
    const other = initWorkspace(path.join(tmp, 'other'), 'oth');

    const r = runCli(['list', '--json', '-C', project], { cwd: tmp, env: { BEADS_DIR: other } });

    expect(r.code).toBe(0);
    expect(ids(r)).toContain(issueId);
  });

  it('should exit 1 and tell to run `bd-rx init` when there is no workspace', () => {
    const elsewhere = path.join(tmp, 'elsewhere');

    const list = runCli(['list'], { cwd: elsewhere, env: { BEADS_DIR: undefined } });
    const create = runCli(['create', 'Nowhere to go'], { cwd: elsewhere, env: { BEADS_DIR: undefined } });

    expect(list.code).toBe(1);
    expect(list.stderr).toContain('bd-rx init');
    expect(create.code).toBe(1);
    expect(create.stderr).toContain('bd-rx init');
    expect(fs.readdirSync(elsewhere)).toEqual([]);
  });
});

describe('bd-rx --help', () => {
  it('should list every command', () => {
    const r = runCli(['--help'], { cwd: FIXTURES });

    expect(r.code).toBe(0);
    const listed = [...r.stdout.matchAll(/^\s+bd-rx (\S+)/gm)].map((m) => m[1]);
    for (const command of ['init', 'create', 'list', 'show', 'update', 'close', 'reopen', 'delete', 'ready',
      'blocked', 'dep', 'label', 'comments', 'export', 'import', 'stats']) {
      expect(listed).toContain(command);
    }
  });
});

describe('bd-rx (usage errors)', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = initWorkspace(makeTempDir('usage'), 'use');
  });
  afterAll(() => removeDir(tmp));

  it('should exit 2 and point to --help for an unknown command', () => {
    const r = runCli(['frobnicate'], { cwd: tmp });

    expect(r.code).toBe(2);
    expect(r.stderr).toContain('frobnicate');
    expect(r.stderr).toContain('--help');
  });

  it('should exit 2 when a required argument is missing', () => {
    for (const args of [['show'], ['create'], ['dep', 'add', 'use-aaaa'], ['label']]) {
      const r = runCli(args, { cwd: tmp });
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).not.toBe('');
    }
  });

  it('should exit 2 when no command is given', () => {
    const r = runCli([], { cwd: tmp });

    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--help');
  });
});
