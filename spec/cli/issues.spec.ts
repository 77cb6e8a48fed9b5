import * as fs from 'node:fs';
import {
  bdJsonlProblems,
  createIssue,
  initWorkspace,
  jsonlPath,
  makeTempDir,
  readJsonl,
  removeDir,
  runCli,
  runCliOk,
} from '../helpers/run-cli';

/** RFC 3339 in UTC with milliseconds, as bd-rx writes new timestamps. */
const UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const inFile = (root: string, id: string) => readJsonl(root).records.find((r) => r.id === id);

/** One workspace for the commands whose tests each work on issues of their own. */
let shared: string;
beforeAll(() => {
  shared = initWorkspace(makeTempDir('issues'), 'sh');
});
afterAll(() => removeDir(shared));

describe('bd-rx create', () => {
  let ws: string;
  beforeAll(() => {
    ws = initWorkspace(makeTempDir('create'), 'acme');
  });
  afterAll(() => removeDir(ws));

  it('should print the new issue with every given field, a generated id and UTC millisecond timestamps', () => {
    const before = Date.now();

    const r = runCli(
      ['create', 'Login fails on Safari', '-p', '1', '-t', 'bug', '-d', 'Steps: open /login', '-a', 'alice', '-l', 'ui,auth', '--json'],
      { cwd: ws },
    );

    const after = Date.now();
    expect(r.code).toBe(0);
    const issue = r.json;
    expect(issue).toMatchObject({
      title: 'Login fails on Safari',
      priority: 1,
      issue_type: 'bug',
      status: 'open',
      assignee: 'alice',
      labels: ['ui', 'auth'],
      description: 'Steps: open /login',
    });
    expect(issue.id).toMatch(/^acme-[0-9a-z]{4,}$/);
    expect(issue.created_at).toMatch(UTC_MS);
    expect(issue.updated_at).toBe(issue.created_at);
    expect(Date.parse(issue.created_at)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(issue.created_at)).toBeLessThanOrEqual(after + 1);
  });

  it('should default to an open P2 task', () => {
    const issue = createIssue(ws, 'Plain');

    expect(issue).toMatchObject({ status: 'open', priority: 2, issue_type: 'task' });
  });

  it('should use the id given with --id', () => {
    const issue = createIssue(ws, 'Chosen id', '--id', 'acme-custom1');

    expect(issue.id).toBe('acme-custom1');
    expect(runCliOk(['show', 'acme-custom1', '--json'], { cwd: ws }).json[0].title).toBe('Chosen id');
  });

  it('should have written the issue to .beads/issues.jsonl as bd would before it returns', () => {
    const issue = createIssue(ws, 'Escape <b> & "quotes"', '-d', 'a>b && c<d');

    const { text, lines } = readJsonl(ws);
    expect(bdJsonlProblems(text)).toEqual([]);
    const line = lines.find((l) => l.startsWith(`{"id":"${issue.id}"`));
    expect(line).toContain('"title":"Escape \\u003cb\\u003e \\u0026 \\"quotes\\""');
    expect(line).toContain('"description":"a\\u003eb \\u0026\\u0026 c\\u003cd"');
    expect(JSON.parse(line!)).toMatchObject({ title: 'Escape <b> & "quotes"', created_by: 'tester' });
  });

  it('should refuse a bad priority or type with a message naming the value, and write nothing', () => {
    const before = fs.readFileSync(jsonlPath(ws), 'utf8');
    const count = readJsonl(ws).lines.length;
    const cases: Array<[string[], RegExp]> = [
      // The args schema's messages, the same with or without a daemon.
      [['-p', '9'], /priority: expected an integer 0-4, got 9\b/],
      [['-p', 'high'], /priority\W+high\b/],
      [['-p', '-1'], /priority: expected an integer 0-4, got -1\b/],
      [['-t', 'story'], /issue_type: expected one of bug\|feature\|task\|epic\|chore, got "story"/],
    ];

    for (const [flags, message] of cases) {
      const r = runCli(['create', 'Should not exist', ...flags], { cwd: ws });
      const exit = [1, 2].includes(r.code) ? '1 or 2' : r.code;
      expect({ flags, exit, stderr: r.stderr }).toEqual({ flags, exit: '1 or 2', stderr: expect.stringMatching(message) });
    }

    expect(fs.readFileSync(jsonlPath(ws), 'utf8')).toBe(before);
    expect(runCliOk(['list', '--json'], { cwd: ws }).json).toHaveLength(count);
  });

  it('should refuse an --id that is already taken, naming it', () => {
    createIssue(ws, 'Original', '--id', 'acme-taken');

    const r = runCli(['create', 'Duplicate', '--id', 'acme-taken'], { cwd: ws });

    expect(r.code).toBe(1);
    expect(r.stderr).toContain('acme-taken');
    expect(readJsonl(ws).records.filter((rec) => rec.id === 'acme-taken')).toEqual([
      expect.objectContaining({ title: 'Original' }),
    ]);
  });
});

describe('bd-rx list', () => {
  let ws: string;
  const id: Record<string, string> = {};
  beforeAll(() => {
    ws = initWorkspace(makeTempDir('list'), 'ls');
    id.bug = createIssue(ws, 'Crash on save', '-p', '0', '-t', 'bug', '-a', 'alice', '-l', 'backend,urgent').id;
    id.feature = createIssue(ws, 'Dark mode', '-p', '3', '-t', 'feature', '-a', 'bob', '-l', 'ui').id;
    id.task = createIssue(ws, 'Write docs', '-l', 'docs').id;
    id.done = createIssue(ws, 'Old chore', '-t', 'chore', '-a', 'alice').id;
    runCliOk(['close', id.done], { cwd: ws });
  });
  afterAll(() => removeDir(ws));

  const listIds = (...filters: string[]) => {
    const r = runCliOk(['list', ...filters, '--json'], { cwd: ws });
    expect(Array.isArray(r.json)).toBe(true);
    return (r.json as Array<{ id: string }>).map((i) => i.id).sort();
  };

  it('should print every issue as a JSON array, closed ones with --all (bd hides them by default)', () => {
    expect(listIds('--all')).toEqual(Object.values(id).sort());
    expect(listIds()).toEqual([id.bug, id.feature, id.task].sort());
  });

  it('should filter by --status', () => {
    expect(listIds('--status', 'closed')).toEqual([id.done]);
    expect(listIds('--status', 'open')).toEqual([id.bug, id.feature, id.task].sort());
  });

  it('should filter by --priority', () => {
    expect(listIds('--priority', '0')).toEqual([id.bug]);
    expect(listIds('-p', '3')).toEqual([id.feature]);
  });

  it('should filter by --type', () => {
    expect(listIds('--type', 'feature')).toEqual([id.feature]);
  });

  it('should filter by --assignee', () => {
    expect(listIds('--assignee', 'alice', '--all')).toEqual([id.bug, id.done].sort());
    expect(listIds('--assignee', 'alice')).toEqual([id.bug]);
  });

  it('should filter by --label', () => {
    expect(listIds('--label', 'ui')).toEqual([id.feature]);
    expect(listIds('--label', 'backend', '--label', 'urgent')).toEqual([id.bug]);
    expect(listIds('--label', 'ui,urgent')).toEqual([]);
  });

  it('should combine filters', () => {
    expect(listIds('--assignee', 'alice', '--status', 'open')).toEqual([id.bug]);
  });

  it('should print one readable line per issue without --json', () => {
    const r = runCliOk(['list', '--status', 'open'], { cwd: ws });

    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain(id.bug);
    expect(lines[0]).toContain('Crash on save');
  });

  it('should refuse a priority that is not a number instead of listing nothing', () => {
    const r = runCli(['list', '--priority', 'high'], { cwd: ws });

    expect([1, 2]).toContain(r.code);
    expect(r.stderr).toContain('high');
  });
});

describe('bd-rx show', () => {
  it('should print an array holding the issue with labels, dependencies, dependents and comments', () => {
    const blocker = createIssue(shared, 'Set up database').id;
    const issue = createIssue(shared, 'Build API', '-l', 'backend', '--deps', blocker).id;
    const follower = createIssue(shared, 'Build UI', '--deps', `related:${issue}`).id;
    runCliOk(['comments', 'add', issue, 'Use REST'], { cwd: shared });

    const r = runCli(['show', issue, '--json'], { cwd: shared });

    expect(r.code).toBe(0);
    expect(Array.isArray(r.json)).toBe(true);
    expect(r.json).toHaveLength(1);
    const shown = r.json[0];
    expect(shown).toMatchObject({ id: issue, title: 'Build API', status: 'open', labels: ['backend'] });
    expect(shown.dependencies).toEqual([
      expect.objectContaining({ id: blocker, title: 'Set up database', status: 'open', dependency_type: 'blocks' }),
    ]);
    expect(shown.dependents).toEqual([
      expect.objectContaining({ id: follower, title: 'Build UI', dependency_type: 'related' }),
    ]);
    expect(shown.comments).toEqual([expect.objectContaining({ text: 'Use REST', author: 'tester' })]);
  });

  it('should show several issues in the order asked', () => {
    const a = createIssue(shared, 'First').id;
    const b = createIssue(shared, 'Second').id;

    const r = runCliOk(['show', b, a, '--json'], { cwd: shared });

    expect(r.json.map((i: { id: string }) => i.id)).toEqual([b, a]);
  });

  it('should name an unknown id on stderr and print nothing (bd skips it and exits 0)', () => {
    const r = runCli(['show', 'sh-nope'], { cwd: shared });

    expect(r.code).toBe(0);
    expect(r.stderr).toContain('sh-nope');
    expect(r.stdout).toBe('');
  });
});

describe('bd-rx update', () => {
  it('should print the resulting issue and have it in the JSONL', () => {
    const created = createIssue(shared, 'Draft title', '-p', '3');

    const r = runCli(['update', created.id, '--status', 'in_progress', '--priority', '0', '--title', 'Final title', '--assignee', 'carol', '--json'], {
      cwd: shared,
    });

    expect(r.code).toBe(0);
    // bd prints update's result as an array of issues.
    expect(r.json).toHaveLength(1);
    const [updated] = r.json;
    expect(updated).toMatchObject({ id: created.id, status: 'in_progress', priority: 0, title: 'Final title', assignee: 'carol' });
    expect(updated.created_at).toBe(created.created_at);
    expect(Date.parse(updated.updated_at)).toBeGreaterThan(Date.parse(created.updated_at));
    expect(inFile(shared, created.id)).toEqual(updated);
    expect(bdJsonlProblems(readJsonl(shared).text)).toEqual([]);
  });

  it('should exit 1 naming an unknown id', () => {
    const r = runCli(['update', 'sh-nope-up', '--status', 'closed'], { cwd: shared });

    expect(r.code).toBe(1);
    expect(r.stderr).toContain('sh-nope-up');
  });

  it('should refuse an unknown status or priority without changing the issue', () => {
    const created = createIssue(shared, 'Stable');
    const before = fs.readFileSync(jsonlPath(shared), 'utf8');

    const status = runCli(['update', created.id, '--status', 'finished'], { cwd: shared });
    const priority = runCli(['update', created.id, '--priority', 'urgent'], { cwd: shared });

    expect(status.code).toBe(1);
    expect(status.stderr).toContain('finished');
    expect([1, 2]).toContain(priority.code);
    expect(priority.stderr).toContain('urgent');
    expect(fs.readFileSync(jsonlPath(shared), 'utf8')).toBe(before);
  });
});

describe('bd-rx close', () => {
  it('should close with closed_at and the reason, in the output and the JSONL', () => {
    const created = createIssue(shared, 'Fix typo');

    const r = runCli(['close', created.id, '--reason', 'Fixed in abc123', '--json'], { cwd: shared });

    expect(r.code).toBe(0);
    // bd prints close's result as an array of issues.
    expect(r.json).toEqual([expect.objectContaining({ id: created.id, status: 'closed', close_reason: 'Fixed in abc123' })]);
    expect(r.json[0].closed_at).toMatch(UTC_MS);
    expect(inFile(shared, created.id)).toMatchObject({ status: 'closed', closed_at: r.json[0].closed_at, close_reason: 'Fixed in abc123' });
  });

  it('should exit 1 naming an unknown id', () => {
    const r = runCli(['close', 'sh-nope-cl'], { cwd: shared });

    expect(r.code).toBe(1);
    expect(r.stderr).toContain('sh-nope-cl');
  });
});

describe('bd-rx reopen', () => {
  it('should make a closed issue open again without closed_at or close_reason', () => {
    const created = createIssue(shared, 'Flaky test');
    runCliOk(['close', created.id, '--reason', 'Looked fixed'], { cwd: shared });

    const r = runCli(['reopen', created.id, '--json'], { cwd: shared });

    expect(r.code).toBe(0);
    // bd prints reopen's result as an array of issues.
    expect(r.json).toHaveLength(1);
    expect(r.json[0].status).toBe('open');
    expect(r.json[0].closed_at ?? '').toBe('');
    expect(r.json[0].close_reason ?? '').toBe('');
    const line = inFile(shared, created.id)!;
    expect(line.status).toBe('open');
    expect(line.closed_at ?? '').toBe('');
    expect(runCliOk(['ready', '--json'], { cwd: shared }).json.map((i: { id: string }) => i.id)).toContain(created.id);
  });
});

describe('bd-rx delete', () => {
  it('should remove the issue from the JSONL and from dependents before it returns', () => {
    const doomed = createIssue(shared, 'Obsolete').id;
    const kept = createIssue(shared, 'Kept').id;
    runCliOk(['dep', 'add', kept, doomed], { cwd: shared });

    // Without --force bd previews and changes nothing.
    const preview = runCli(['delete', doomed], { cwd: shared });
    expect(preview.code).toBe(0);
    expect(preview.stdout).toContain('DELETE PREVIEW');
    expect(readJsonl(shared).records.map((rec) => rec.id)).toContain(doomed);

    const r = runCli(['delete', doomed, '--force'], { cwd: shared });

    expect(r.code).toBe(0);
    const { text, records } = readJsonl(shared);
    expect(records.map((rec) => rec.id)).not.toContain(doomed);
    expect(inFile(shared, kept)!.dependencies ?? []).toEqual([]);
    expect(bdJsonlProblems(text)).toEqual([]);
    const show = runCli(['show', doomed], { cwd: shared });
    expect(show.stdout).toBe('');
    expect(show.stderr).toContain(doomed);
  });

  it('should exit 1 naming an unknown id', () => {
    const r = runCli(['delete', 'sh-nope-del', '--force'], { cwd: shared });

    expect(r.code).toBe(1);
    expect(r.stderr).toContain('sh-nope-del');
  });
});
