import * as fs from 'node:fs';
import * as path from 'node:path';
import { gitOk, testEnv, useGitSandboxes } from '../git/git-repos';
import { runCli } from '../helpers/run-cli';
import { memoryLine, typedIssueLine } from '../helpers/newer-bd';
import { file, line, merge } from './merge-helpers';

const m = memoryLine;

describe('mergeJsonl with records that are not issues', () => {
  it('should keep the memories both sides added, once each, sorted by key after the issues, either way round', () => {
    const base = file(line('a'));
    const ours = file(line('a'), m('build', 'npm test'), m('shared', 'same'));
    const theirs = file(line('a', { title: 'theirs', updated_at: '2025-02-01T00:00:00Z' }), m('shared', 'same'), m('deploy', 'staging'));
    const r = merge(base, ours, theirs);
    expect(r.text).toBe(file(line('a', { title: 'theirs', updated_at: '2025-02-01T00:00:00Z' }), m('build', 'npm test'), m('deploy', 'staging'), m('shared', 'same')));
    expect(r.report).toMatchObject({ issues: 1, other_records: 3, other_conflicts: [] });
  });

  it('should take the side that changed them as it is, in its order, when the other left them as in the base', () => {
    const base = file(line('a'), m('z', '1'), m('a', '1'));
    const changed = file(line('a'), m('z', '2'), m('y', 'new'), m('a', '1'));
    expect(merge(base, base, changed).text).toBe(changed);
    expect(merge(base, changed, changed).text).toBe(changed);
  });

  it('should keep one side’s edit and one side’s removal, record by record', () => {
    const base = file(line('a'), m('edit-me', '1'), m('remove-me', '1'), m('keep', '1'));
    const ours = file(line('a'), m('edit-me', '2'), m('remove-me', '1'), m('keep', '1'));
    const theirs = file(line('a'), m('edit-me', '1'), m('keep', '1'), m('added', '1'));
    expect(merge(base, ours, theirs).text).toBe(file(line('a'), m('added', '1'), m('edit-me', '2'), m('keep', '1')));
  });

  it('should keep an edit over the other side’s removal', () => {
    const base = file(line('a'), m('k', '1'), m('other', '1'));
    const ours = file(line('a'), m('k', 'edited'), m('other', '1'));
    const theirs = file(line('a'), m('other', '2'));
    expect(merge(base, ours, theirs).text).toBe(file(line('a'), m('k', 'edited'), m('other', '2')));
  });

  it('should decide a memory both sides changed differently by its line, the same either way round, and report it', () => {
    const base = file(line('a'), m('k', 'base'), m('x', '1'));
    const ours = file(line('a'), m('k', 'ours'), m('x', '1'));
    const theirs = file(line('a'), m('k', 'theirs'), m('x', '2'));
    const r = merge(base, ours, theirs);
    expect(r.text).toBe(file(line('a'), m('k', 'theirs'), m('x', '2')));
    expect(r.report.other_conflicts).toEqual(['memory:k']);
  });

  it('should merge _type:"issue" lines as issues, keeping an unchanged one’s bytes', () => {
    const a = typedIssueLine(line('a'));
    const b = typedIssueLine(line('b'));
    const bEdited = typedIssueLine(line('b', { title: 'edited', updated_at: '2025-02-01T00:00:00Z' }));
    const r = merge(file(a, b, m('k', 'v')), file(a, bEdited, m('k', 'v')), file(a, b, m('k', 'v'), m('k2', 'v')));
    expect(r.text).toBe(file(a, bEdited, m('k', 'v'), m('k2', 'v')));
    expect(r.report.issues).toBe(2);
  });
});

describe('bd-rx merge as git merge driver, with newer bd’s memories', () => {
  const sandbox = useGitSandboxes();

  it('should merge a pull where both clones added memories and edited issues: both kept, no conflict, same bytes by merge and by rebase', () => {
    const s = sandbox('driver-memories');
    const env = testEnv(s.bin);
    const clone = (name: string) => {
      const dir = s.clone(name);
      gitOk(dir, ['config', 'merge.bd-rx.driver', 'bd-rx merge %A %O %A %B']);
      return dir;
    };
    const write = (dir: string, text: string) => {
      fs.mkdirSync(path.join(dir, '.beads'), { recursive: true });
      fs.writeFileSync(path.join(dir, '.beads', 'issues.jsonl'), text);
      gitOk(dir, ['add', '-A']);
      gitOk(dir, ['commit', '--quiet', '-m', `edit in ${path.basename(dir)}`]);
    };
    const read = (dir: string) => fs.readFileSync(path.join(dir, '.beads', 'issues.jsonl'), 'utf8');

    const a = clone('a');
    fs.writeFileSync(path.join(a, '.gitattributes'), '.beads/issues.jsonl merge=bd-rx\n');
    const x1 = typedIssueLine(line('x-1'));
    write(a, file(x1, typedIssueLine(line('x-2')), m('build', 'npm test')));
    gitOk(a, ['push', '--quiet', 'origin', 'main']);

    const merging = clone('merging');
    const rebasing = clone('rebasing');
    const mine = file(x1, typedIssueLine(line('x-2', { title: 'B', updated_at: '2025-03-01T00:00:00Z' })), m('build', 'npm test'), m('from-b', 'b'));
    write(merging, mine);
    write(rebasing, mine);
    write(a, file(x1, typedIssueLine(line('x-2')), m('a-note', 'a'), m('build', 'npm test -- --maxWorkers=1')));
    gitOk(a, ['push', '--quiet', 'origin', 'main']);

    gitOk(merging, ['pull', '--quiet', '--no-rebase', 'origin', 'main'], env);
    gitOk(rebasing, ['pull', '--quiet', '--rebase', 'origin', 'main'], env);
    const expected = file(
      x1,
      typedIssueLine(line('x-2', { title: 'B', updated_at: '2025-03-01T00:00:00Z' })),
      m('a-note', 'a'),
      m('build', 'npm test -- --maxWorkers=1'),
      m('from-b', 'b'),
    );
    expect(read(merging)).toBe(expected);
    expect(read(rebasing)).toBe(expected);
    for (const dir of [merging, rebasing]) expect(gitOk(dir, ['status', '--porcelain'])).toBe('');
  });

  it('should refuse a diff3 conflict left in an input as a conflict marker naming the line, leaving OUTPUT as it was', () => {
    const s = sandbox('driver-diff3');
    const dir = s.root;
    const write = (name: string, text: string) => {
      fs.writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    };
    const conflicted = `${line('a')}\n||||||| base\n${line('b')}\n`;
    const ours = write('ours', conflicted);
    const base = write('base', file(line('a')));
    const theirs = write('theirs', file(line('a'), m('k', 'v')));
    const r = runCli(['merge', ours, base, ours, theirs], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`ours (${ours}) line 2 is a git conflict marker`);
    expect(r.stderr).not.toContain('not valid JSON');
    expect(fs.readFileSync(ours, 'utf8')).toBe(conflicted);
  });
});
