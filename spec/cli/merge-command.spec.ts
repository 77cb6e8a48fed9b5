import * as fs from 'node:fs';
import * as path from 'node:path';
import { serializeRecord } from '../../src/jsonl/serialize-record';
import { gitOk, git, testEnv, useGitSandboxes } from '../git/git-repos';
import { CONFLICT_FIXTURE, fixturePath } from '../helpers/temp-workspace';
import { makeTempDir, removeDir, runCli } from '../helpers/run-cli';

const issue = (id: string, fields: Record<string, unknown> = {}) =>
  serializeRecord({ id, title: `Issue ${id}`, status: 'open', priority: 2, issue_type: 'task', created_at: '2025-01-01T00:00:00Z', updated_at: '2025-01-01T00:00:00Z', ...fields });
const jsonl = (...lines: string[]) => lines.map((l) => `${l}\n`).join('');

describe('bd-rx merge', () => {
  let dir: string;
  beforeEach(() => (dir = makeTempDir('merge')));
  afterEach(() => removeDir(dir));

  const write = (name: string, text: string | Buffer) => {
    fs.writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };

  it('should write the merge to OUTPUT, exit 0 and print the report with --json', () => {
    const base = write('base', jsonl(issue('a'), issue('b'), issue('c')));
    const ours = write('ours', jsonl(issue('a', { title: 'A edit', updated_at: '2025-02-01T00:00:00Z' }), issue('c')));
    const theirs = write('theirs', jsonl(issue('a', { priority: 0, updated_at: '2025-03-01T00:00:00Z' }), issue('b', { title: 'B edit', updated_at: '2025-03-01T00:00:00Z' })));
    const r = runCli(['merge', ours, base, ours, theirs, '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(fs.readFileSync(ours, 'utf8')).toBe(
      jsonl(issue('a', { title: 'A edit', priority: 0, updated_at: '2025-03-01T00:00:00Z' }), issue('b', { title: 'B edit', updated_at: '2025-03-01T00:00:00Z' })),
    );
    expect(r.json).toMatchObject({ issues: 2, merged: 1, kept_over_delete: 1, resolved_by_time: 0, deleted: 1, kept_over_delete_ids: ['b'], deleted_ids: ['c'] });
  });

  it('should say on stderr which edit it kept over a deletion', () => {
    const base = write('base', jsonl(issue('a')));
    const ours = write('ours', '');
    const theirs = write('theirs', jsonl(issue('a', { title: 'edited', updated_at: '2025-02-01T00:00:00Z' })));
    const r = runCli(['merge', ours, base, ours, theirs], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('kept a: deleted on one side, edited on the other');
  });

  it('should exit 1 naming the file and line of a conflict marker, and leave OUTPUT untouched', () => {
    const conflicted = fs.readFileSync(fixturePath(CONFLICT_FIXTURE));
    const base = write('base', '');
    const ours = write('ours', conflicted);
    const theirs = write('theirs', jsonl(issue('a')));
    const r = runCli(['merge', ours, base, ours, theirs], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`ours (${ours}) line 224 is a git conflict marker`);
    expect(fs.readFileSync(ours).equals(conflicted)).toBe(true);
  });

  it('should exit 1 naming the line of invalid JSON in the base', () => {
    const base = write('base', `${issue('a')}\n{"id": "b",\n`);
    const out = write('ours', jsonl(issue('a')));
    const r = runCli(['merge', out, base, out, out], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`base (${base}) line 2 is not valid JSON`);
    expect(fs.readFileSync(out, 'utf8')).toBe(jsonl(issue('a')));
  });

  it('should exit 1 naming a missing input, and 2 for too few arguments', () => {
    const out = write('ours', jsonl(issue('a')));
    const missing = runCli(['merge', out, path.join(dir, 'nope'), out, out], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`cannot read the base version ${path.join(dir, 'nope')}`);
    expect(runCli(['merge', out, out], { cwd: dir }).code).toBe(2);
  });
});

describe('bd-rx merge as git merge driver', () => {
  const sandbox = useGitSandboxes();

  /** A clone set up the way `bd-rx hooks install` does it, with `bd-rx` on PATH. */
  function driverClone(s: ReturnType<typeof sandbox>, name: string): string {
    const dir = s.clone(name);
    gitOk(dir, ['config', 'merge.bd-rx.driver', 'bd-rx merge %A %O %A %B']);
    gitOk(dir, ['config', 'merge.bd-rx.name', 'bd-rx JSONL merge driver']);
    return dir;
  }

  const writeJsonl = (dir: string, text: string) => {
    fs.mkdirSync(path.join(dir, '.beads'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.beads', 'issues.jsonl'), text);
  };
  const commit = (dir: string, message: string) => {
    gitOk(dir, ['add', '-A']);
    gitOk(dir, ['commit', '--quiet', '-m', message]);
  };

  it('should give the same JSONL through git merge and git pull --rebase, with both edits and no conflict', () => {
    const s = sandbox('driver');
    const env = testEnv(s.bin);
    const a = driverClone(s, 'a');
    fs.writeFileSync(path.join(a, '.gitattributes'), '.beads/issues.jsonl merge=bd-rx\n');
    writeJsonl(a, jsonl(issue('x-1', { labels: ['ui', 'web'] }), issue('x-2'), issue('x-3'), issue('x-4')));
    commit(a, 'issues');
    gitOk(a, ['push', '--quiet', 'origin', 'main']);

    const merging = driverClone(s, 'merging');
    const rebasing = driverClone(s, 'rebasing');
    // The same local change in two clones: one pulls with a merge, the other with a rebase.
    const local = jsonl(
      issue('x-1', { labels: ['ui'], priority: 0, updated_at: '2025-03-01T00:00:00Z' }),
      issue('x-2', { title: 'edited on B', updated_at: '2025-03-01T00:00:00Z' }),
      issue('x-4'),
      issue('x-5', { title: 'new on B' }),
    );
    for (const dir of [merging, rebasing]) {
      writeJsonl(dir, local);
      commit(dir, 'B edits');
    }
    // Meanwhile A changes the same issues: a title, a label, a deletion B's edit must survive.
    writeJsonl(a, jsonl(issue('x-1', { title: 'edited on A', labels: ['ui', 'web', 'urgent'], updated_at: '2025-02-01T00:00:00Z' }), issue('x-3'), issue('x-4')));
    commit(a, 'A edits');
    gitOk(a, ['push', '--quiet', 'origin', 'main']);

    gitOk(merging, ['pull', '--quiet', '--no-rebase', 'origin', 'main'], env);
    gitOk(rebasing, ['pull', '--quiet', '--rebase', 'origin', 'main'], env);
    const merged = fs.readFileSync(path.join(merging, '.beads', 'issues.jsonl'), 'utf8');
    const rebased = fs.readFileSync(path.join(rebasing, '.beads', 'issues.jsonl'), 'utf8');
    expect(rebased).toBe(merged);
    expect(merged).toBe(
      jsonl(
        issue('x-1', { title: 'edited on A', labels: ['ui', 'urgent'], priority: 0, updated_at: '2025-03-01T00:00:00Z' }),
        issue('x-2', { title: 'edited on B', updated_at: '2025-03-01T00:00:00Z' }),
        issue('x-4'),
        issue('x-5', { title: 'new on B' }),
      ),
    );
    for (const dir of [merging, rebasing]) expect(gitOk(dir, ['status', '--porcelain'])).toBe('');
    expect(gitOk(rebasing, ['log', '--format=%s', '-3']).split('\n').slice(0, 2)).toEqual(['B edits', 'A edits']);
  });

  it('should leave the file conflicted when one side holds conflict markers', () => {
    const s = sandbox('driver-bad');
    const env = testEnv(s.bin);
    const a = driverClone(s, 'a');
    fs.writeFileSync(path.join(a, '.gitattributes'), '.beads/issues.jsonl merge=bd-rx\n');
    writeJsonl(a, jsonl(issue('x-1')));
    commit(a, 'issues');
    gitOk(a, ['push', '--quiet', 'origin', 'main']);
    const b = driverClone(s, 'b');
    writeJsonl(b, `${issue('x-1')}\n<<<<<<< HEAD\n`);
    commit(b, 'broken');
    writeJsonl(a, jsonl(issue('x-1', { title: 'A', updated_at: '2025-02-01T00:00:00Z' })));
    commit(a, 'A');
    gitOk(a, ['push', '--quiet', 'origin', 'main']);
    const r = git(b, ['pull', '--no-rebase', 'origin', 'main'], env);
    expect(r.code).not.toBe(0);
    expect(r.stderr + r.stdout).toContain('line 2 is a git conflict marker');
    expect(gitOk(b, ['diff', '--name-only', '--diff-filter=U'])).toBe('.beads/issues.jsonl\n');
  });
});
