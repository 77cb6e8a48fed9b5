import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CLI_BIN,
  FIXTURES,
  bdJsonlProblems,
  bdStringify,
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
const CONFLICT_FIXTURE = 'steveyegge__beads__issues__20251016-5bfecf8.jsonl';

const ids = (json: unknown) => (json as Array<{ id: string }>).map((i) => i.id).sort();

/** A workspace that is a fresh clone of a real bd project (18 issues). */
function cloneWorkspace(dir: string): string {
  copyFixture(CLONE_FIXTURE, jsonlPath(dir));
  runCliOk(['init'], { cwd: dir });
  return dir;
}

describe('bd-rx export', () => {
  let ws: string;
  beforeAll(() => {
    ws = initWorkspace(makeTempDir('export'), 'ex');
    createIssue(ws, 'Alpha <one>');
    createIssue(ws, 'Beta & two', '-l', 'x');
  });
  afterAll(() => removeDir(ws));

  it('should write the issues to -o FILE, byte for byte what .beads/issues.jsonl holds', () => {
    const out = path.join(ws, 'backup.jsonl');

    const r = runCli(['export', '-o', 'backup.jsonl'], { cwd: ws });

    expect(r.code).toBe(0);
    const written = fs.readFileSync(out, 'utf8');
    expect(written).toBe(readJsonl(ws).text);
    expect(written.trim().split('\n')).toHaveLength(2);
    expect(bdJsonlProblems(written)).toEqual([]);
  });

  it('should print the JSONL to stdout with -o -', () => {
    const r = runCli(['export', '-o', '-'], { cwd: ws });

    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readJsonl(ws).text);
  });
});

describe('bd-rx import', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = makeTempDir('import');
  });
  afterAll(() => removeDir(tmp));

  it('should merge -i FILE into the workspace and its JSONL', () => {
    const ws = initWorkspace(path.join(tmp, 'merge'), 'im');
    const mine = createIssue(ws, 'Local work').id;
    const incoming = fs
      .readFileSync(path.join(FIXTURES, CLONE_FIXTURE), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).id as string);

    const r = runCli(['import', '-i', path.join(FIXTURES, CLONE_FIXTURE)], { cwd: ws });

    expect(r.code).toBe(0);
    const expected = [mine, ...incoming].sort();
    // --all --limit 0: bd's list hides closed issues and stops at 50 by default.
    expect(ids(runCliOk(['list', '--all', '--limit', '0', '--json'], { cwd: ws }).json)).toEqual(expected);
    const { text, records } = readJsonl(ws);
    expect(records.map((rec) => rec.id).sort()).toEqual(expected);
    expect(bdJsonlProblems(text)).toEqual([]);
  });

  it('should refuse a BD_RX_IMPORT_THREAD other than 0 or 1, naming it, and import nothing (2,657 issues: a bulk load)', () => {
    const ws = initWorkspace(path.join(tmp, 'thread-setting'), 'th');
    const big = path.join(FIXTURES, 'steveyegge__beads__issues__20260113-ab4fba2.jsonl');

    const r = runCli(['import', '-i', big], { cwd: ws, env: { BD_RX_IMPORT_THREAD: 'yes' } });

    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/BD_RX_IMPORT_THREAD is "yes": set it to 0 .*, 1 .*, or unset it/);
    expect(runCliOk(['list', '--all', '--limit', '0', '--json'], { cwd: ws }).json).toEqual([]);
    // Each accepted value imports every issue.
    for (const value of ['0', '1']) {
      const other = initWorkspace(path.join(tmp, `thread-setting-${value}`), 'th');
      expect(runCli(['import', '-i', big], { cwd: other, env: { BD_RX_IMPORT_THREAD: value } }).code).toBe(0);
      expect(readJsonl(other).records).toHaveLength(2657);
    }
  });

  it('should import a big file whose first pass rules out the bulk load (a repeated id) by the ordinary merge, the parse thread started early closed', () => {
    // Over EARLY_THREAD_BYTES into an empty DB: the parse thread starts before the first pass finds the repeat.
    const ws = initWorkspace(path.join(tmp, 'early-thread'), 'th');
    const lines = fs.readFileSync(path.join(FIXTURES, 'steveyegge__beads__issues__20260113-ab4fba2.jsonl'), 'utf8').trimEnd().split('\n');
    const first = JSON.parse(lines[0]) as { id: string; title: string; updated_at: string };
    const newer = { ...first, title: 'the later copy', updated_at: '2027-01-01T00:00:00Z' };
    const file = path.join(tmp, 'early-thread.jsonl');
    fs.writeFileSync(file, [...lines, JSON.stringify(newer)].join('\n') + '\n');

    const r = runCliOk(['import', '-i', file, '--json'], { cwd: ws, env: { BD_RX_IMPORT_THREAD: '1' } });

    expect(r.json).toMatchObject({ created: 2657, duplicates: [{ id: first.id, lines: [1, 2658], kept_line: 2658 }] });
    const shown = runCliOk(['show', first.id, '--json'], { cwd: ws }).json as Array<{ title: string }>;
    expect(shown[0].title).toBe('the later copy');
    expect(readJsonl(ws).records).toHaveLength(2657);
  });

  it('should refuse a JSONL with conflict markers, naming line 224, and leave the database as it was', () => {
    const ws = cloneWorkspace(path.join(tmp, 'conflict'));
    const listBefore = runCliOk(['list', '--json'], { cwd: ws }).stdout;
    copyFixture(CONFLICT_FIXTURE, jsonlPath(ws));

    const r = runCli(['import'], { cwd: ws });

    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/line 224\b/);
    expect(r.stderr).toMatch(/resolve the merge/);
    const listAfter = runCli(['list', '--json'], { cwd: ws });
    expect(listAfter.code).toBe(0);
    expect(listAfter.stdout).toBe(listBefore);
    expect(listAfter.stderr).toMatch(/line 224\b/);
  });

  it('should refuse to change anything while the JSONL has conflict markers', () => {
    const ws = cloneWorkspace(path.join(tmp, 'conflict-write'));
    copyFixture(CONFLICT_FIXTURE, jsonlPath(ws));
    const conflicted = fs.readFileSync(jsonlPath(ws));

    const create = runCli(['create', 'Written mid-merge'], { cwd: ws });

    expect(create.code).toBe(1);
    expect(create.stderr).toMatch(/line 224\b/);
    expect(fs.readFileSync(jsonlPath(ws)).equals(conflicted)).toBe(true);
    copyFixture(CLONE_FIXTURE, jsonlPath(ws));
    // bd's list filters text with --title (it has no --query), closed ones included with --all.
    expect(runCliOk(['list', '--json', '--all', '--title', 'Written mid-merge'], { cwd: ws }).json).toEqual([]);
  });
});

describe('bd-rx (outside edits of the JSONL)', () => {
  let ws: string;
  beforeAll(() => {
    ws = initWorkspace(makeTempDir('outside'), 'out');
  });
  afterAll(() => removeDir(ws));

  const teammateIssue = (id: string, title: string, updatedAt: string) => ({
    id,
    title,
    status: 'open',
    priority: 1,
    issue_type: 'bug',
    created_at: '2030-01-01T00:00:00Z',
    updated_at: updatedAt,
  });

  it('should show an issue appended to the JSONL by someone else on the next command', () => {
    createIssue(ws, 'Mine');
    fs.appendFileSync(jsonlPath(ws), bdStringify(teammateIssue('out-zz01', 'From a teammate', '2030-01-01T00:00:00Z')) + '\n');

    const r = runCli(['list', '--json'], { cwd: ws });

    expect(r.code).toBe(0);
    expect(r.json).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'out-zz01', title: 'From a teammate' })]));
  });

  it('should include an outside edit in `export -o -`', () => {
    fs.appendFileSync(jsonlPath(ws), bdStringify(teammateIssue('out-zz04', 'Seen by export', '2030-01-03T00:00:00Z')) + '\n');

    const r = runCli(['export', '-o', '-'], { cwd: ws });

    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"id":"out-zz04"');
    expect(bdJsonlProblems(r.stdout)).toEqual([]);
  });

  it('should keep an outside issue when the next change is exported', () => {
    fs.appendFileSync(jsonlPath(ws), bdStringify(teammateIssue('out-zz03', 'Also from a teammate', '2030-01-02T00:00:00Z')) + '\n');

    const mine = createIssue(ws, 'After the pull').id;

    const { text, records } = readJsonl(ws);
    expect(records.map((rec) => rec.id)).toEqual(expect.arrayContaining(['out-zz03', mine]));
    expect(bdJsonlProblems(text)).toEqual([]);
  });

  it('should follow a git-pull-like replacement of the file: changed, added and removed issues', () => {
    const stays = createIssue(ws, 'Old title').id;
    const goes = createIssue(ws, 'Removed upstream').id;
    const { records } = readJsonl(ws);
    const pulled = records
      .filter((rec) => rec.id !== goes)
      .map((rec) => (rec.id === stays ? { ...rec, title: 'New title from upstream', updated_at: '2031-01-01T00:00:00Z' } : rec));
    pulled.push(teammateIssue('out-zz02', 'Added upstream', '2031-01-01T00:00:00Z'));
    pulled.sort((a, b) => Buffer.compare(Buffer.from(a.id), Buffer.from(b.id)));
    const tmpFile = jsonlPath(ws) + '.incoming';
    fs.writeFileSync(tmpFile, pulled.map((rec) => bdStringify(rec) + '\n').join(''));
    fs.renameSync(tmpFile, jsonlPath(ws));

    const r = runCli(['list', '--json'], { cwd: ws });

    expect(r.code).toBe(0);
    const byId = new Map((r.json as Array<{ id: string; title: string }>).map((i) => [i.id, i.title]));
    expect(byId.get(stays)).toBe('New title from upstream');
    expect(byId.get('out-zz02')).toBe('Added upstream');
    expect(byId.has(goes)).toBe(false);
  });
});

describe('bd-rx list | head', () => {
  let ws: string;
  beforeAll(() => {
    ws = cloneWorkspace(makeTempDir('pipe'));
  });
  afterAll(() => removeDir(ws));

  it('should stop quietly when the reader of its output goes away', () => {
    // `true` exits without reading: every write of bd-rx meets a closed pipe.
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI_BIN}" list | true; exit \${PIPESTATUS[0]}`], {
      cwd: ws,
      env: { ...process.env, BD_ACTOR: 'tester' },
      encoding: 'utf8',
    });

    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
