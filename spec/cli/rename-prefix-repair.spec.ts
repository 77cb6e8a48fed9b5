import * as fs from 'node:fs';
import { initWorkspace, jsonlPath, makeTempDir, readJsonl, removeDir, runCli, runCliOk } from '../helpers/run-cli';

const at = '2026-01-01T00:00:00Z';
const issue = (id: string, title: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ id, title, status: 'open', priority: 2, issue_type: 'task', created_at: at, updated_at: at, ...extra });

/** `rename-prefix NEW --repair`: a workspace whose issues carry several prefixes (a merge of two trackers). */
describe('rename-prefix --repair', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir('repair');
    initWorkspace(dir, 'aa');
    const blocks = { issue_id: 'aa-1', depends_on_id: 'bb-2', type: 'blocks', created_at: at, created_by: 't' };
    const lines = [
      issue('aa-1', 'waits for bb-2', { dependencies: [blocks] }),
      issue('aa-3', 'names nobody'),
      issue('bb-2', 'from the other tracker'),
      issue('my-proj-9', 'a hyphenated prefix'),
    ];
    fs.writeFileSync(jsonlPath(dir), lines.map((l) => `${l}\n`).join(''));
    runCliOk(['import', '--force'], { cwd: dir });
  });
  afterEach(() => removeDir(dir));

  it('should refuse a plain rename of several prefixes, pointing at --repair, and change nothing', () => {
    const before = fs.readFileSync(jsonlPath(dir), 'utf8');
    const r = runCli(['rename-prefix', 'cc', '--no-daemon'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--repair');
    expect(fs.readFileSync(jsonlPath(dir), 'utf8')).toBe(before);
  });

  it('should preview the repair with --dry-run and change nothing', () => {
    const before = fs.readFileSync(jsonlPath(dir), 'utf8');
    const out = runCliOk(['rename-prefix', 'aa', '--repair', '--dry-run'], { cwd: dir }).stdout;
    expect(out).toContain('Would repair 2 issues');
    expect(out).toMatch(/bb-2 -> aa-[0-9a-z]{4}/);
    expect(fs.readFileSync(jsonlPath(dir), 'utf8')).toBe(before);
  });

  it('should give the other prefixes new ids under the target and rewrite every reference, leaving the rest untouched', () => {
    const untouched = readJsonl(dir).lines.find((l) => l.includes('"id":"aa-3"'));
    const answer = runCliOk(['rename-prefix', 'aa', '--repair', '--json'], { cwd: dir }).json;
    expect(answer).toEqual({ target_prefix: 'aa', prefixes_found: 3, issues_repaired: 2, issues_unchanged: 2 });

    const { records, lines } = readJsonl(dir);
    expect(records.map((r) => r.id).every((id: string) => /^aa-[0-9a-z]+$/.test(id))).toBe(true);
    expect(records).toHaveLength(4);
    const moved = records.find((r) => r.title === 'from the other tracker')!;
    const waiting = records.find((r) => r.id === 'aa-1')!;
    expect(waiting.title).toBe(`waits for ${moved.id}`);
    expect(waiting.dependencies[0].depends_on_id).toBe(moved.id);
    // An issue that names no renamed id keeps its bytes, updated_at included.
    expect(lines).toContain(untouched);
    // The dependency rows follow: `dep list` and `blocked` see the new id.
    const deps = runCliOk(['dep', 'list', 'aa-1', '--json'], { cwd: dir }).json as Array<{ id: string }>;
    expect(deps.map((d) => d.id)).toEqual([moved.id]);
    expect(runCliOk(['info', '--json'], { cwd: dir }).stdout).toContain('"aa"');
  });
});
