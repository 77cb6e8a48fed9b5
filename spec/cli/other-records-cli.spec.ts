import * as fs from 'node:fs';
import * as path from 'node:path';
import { MEMORIES, memoryLine, newerBdExport } from '../helpers/newer-bd';
import { jsonlPath, makeTempDir, readJsonl, removeDir, runCli, runCliOk } from '../helpers/run-cli';

/** The CLI in direct mode (no daemon running) in a clone of a repository shared with newer bd. */
describe('bd-rx with a JSONL written by newer bd (memories, _type:"issue")', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir('newer-bd');
    fs.mkdirSync(path.join(dir, '.beads'));
    fs.writeFileSync(jsonlPath(dir), newerBdExport());
  });
  afterEach(() => removeDir(dir));

  it('should init and import the clone instead of refusing it, and export it back byte for byte', () => {
    runCliOk(['init', '--prefix', 'bd'], { cwd: dir });
    const imported = runCliOk(['import', '--force', '--json'], { cwd: dir }).json;
    expect(imported).toMatchObject({ other_records: 3 });
    // --all --limit 0: bd's list hides closed issues and stops at 50 by default.
    expect(runCliOk(['list', '--all', '--limit', '0', '--json'], { cwd: dir }).json).toHaveLength(18);

    expect(runCliOk(['export', '-o', '-'], { cwd: dir }).stdout).toBe(newerBdExport());
    const out = path.join(dir, 'copy.jsonl');
    runCliOk(['export', '-o', out], { cwd: dir });
    expect(fs.readFileSync(out, 'utf8')).toBe(newerBdExport());
    runCliOk(['export', '--force'], { cwd: dir });
    expect(readJsonl(dir).text).toBe(newerBdExport());
  });

  it('should keep the memories after the issues on every direct-mode write', () => {
    runCliOk(['init', '--prefix', 'bd'], { cwd: dir });
    const created = runCliOk(['create', 'Written by bd-rx', '--json'], { cwd: dir }).json as { id: string };
    runCliOk(['close', 'bd-1', '--reason', 'done'], { cwd: dir });
    const { lines } = readJsonl(dir);
    expect(lines.slice(-3)).toEqual(MEMORIES);
    expect(lines).toHaveLength(19 + 3);
    expect(lines.some((l) => l.startsWith(`{"id":"${created.id}"`))).toBe(true);
    const closed = lines.find((l) => l.includes('"id":"bd-1"'))!;
    expect(closed.startsWith('{"_type":"issue","id":"bd-1",')).toBe(true);
    expect(JSON.parse(closed).status).toBe('closed');
    const untouched = newerBdExport().split('\n').filter((l) => l !== '' && !l.includes('"id":"bd-1"'));
    for (const l of untouched) expect(lines).toContain(l);
  });

  it('should merge the memories of `import -i FILE` by key and write them at once', () => {
    runCliOk(['init', '--prefix', 'bd'], { cwd: dir });
    const other = path.join(dir, 'from-bd.jsonl');
    fs.writeFileSync(other, `${memoryLine('build', 'changed elsewhere')}\n${memoryLine('zz', 'new')}\n`);
    runCliOk(['import', '-i', other], { cwd: dir });
    expect(readJsonl(dir).lines.slice(-4)).toEqual([memoryLine('build', 'changed elsewhere'), MEMORIES[1], MEMORIES[2], memoryLine('zz', 'new')]);
  });

  it('should refuse a diff3 conflict in the JSONL as a merge conflict naming the line, changing nothing', () => {
    runCliOk(['init', '--prefix', 'bd'], { cwd: dir });
    const before = readJsonl(dir).text;
    const text = before.split('\n');
    text.splice(3, 0, '||||||| base');
    fs.writeFileSync(jsonlPath(dir), text.join('\n'));
    const r = runCli(['import'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('line 4 is a git conflict marker ("||||||| base")');
    expect(r.stderr).toContain('resolve the merge');
    expect(r.stderr).not.toContain('not valid JSON');
  });
  it('should answer show, list, ready and update of a `_type:"issue"` line as bd does, without the tag', () => {
    runCliOk(['init', '--prefix', 'bd'], { cwd: dir });
    runCliOk(['import', '--force'], { cwd: dir });
    const answers = [
      ...(runCliOk(['show', 'bd-1', '--json'], { cwd: dir }).json as object[]),
      ...(runCliOk(['list', '--all', '--limit', '0', '--json'], { cwd: dir }).json as object[]),
      ...(runCliOk(['ready', '--limit', '0', '--json'], { cwd: dir }).json as object[]),
      ...(runCliOk(['update', 'bd-2', '--priority', '1', '--json'], { cwd: dir }).json as object[]),
    ];
    expect(answers.length).toBeGreaterThan(18);
    expect(answers.filter((a) => '_type' in a)).toEqual([]);
    // The file keeps it: the tag is the JSONL's, not the issue's.
    expect(readJsonl(dir).lines.find((l) => l.includes('"id":"bd-2"'))!.startsWith('{"_type":"issue","id":"bd-2",')).toBe(true);
  });
});
