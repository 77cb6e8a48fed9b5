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

const ids = (json: unknown) => (json as Array<{ id: string }>).map((i) => i.id).sort();
const inFile = (root: string, id: string) => readJsonl(root).records.find((r) => r.id === id)!;

/** label and comments tests each work on issues of their own: one workspace serves both. */
let shared: string;
beforeAll(() => {
  shared = initWorkspace(makeTempDir('annotate'), 'an');
});
afterAll(() => removeDir(shared));

describe('bd-rx dep', () => {
  let ws: string;
  beforeAll(() => {
    ws = initWorkspace(makeTempDir('dep'), 'dp');
  });
  afterAll(() => removeDir(ws));

  const ready = () => ids(runCliOk(['ready', '--json'], { cwd: ws }).json);
  const blocked = () => runCliOk(['blocked', '--json'], { cwd: ws }).json as Array<{ id: string; blocked_by: string[] }>;

  it('should make ISSUE blocked by DEPENDS_ON until DEPENDS_ON is closed', () => {
    const schema = createIssue(ws, 'Design schema').id;
    const api = createIssue(ws, 'Build API').id;
    expect(ready()).toEqual([api, schema].sort());

    const add = runCli(['dep', 'add', api, schema], { cwd: ws });

    expect(add.code).toBe(0);
    expect(inFile(ws, api).dependencies).toEqual([
      expect.objectContaining({ issue_id: api, depends_on_id: schema, type: 'blocks', created_by: 'tester' }),
    ]);
    expect(bdJsonlProblems(readJsonl(ws).text)).toEqual([]);
    expect(ready()).toEqual([schema]);
    expect(blocked()).toEqual([expect.objectContaining({ id: api, blocked_by: [schema] })]);

    runCliOk(['close', schema], { cwd: ws });

    expect(ready()).toEqual([api]);
    expect(blocked()).toEqual([]);
  });

  it('should not block on a related dependency', () => {
    const a = createIssue(ws, 'Tidy logs').id;
    const b = createIssue(ws, 'Tidy metrics').id;

    runCliOk(['dep', 'add', a, b, '--type', 'related'], { cwd: ws });

    expect(inFile(ws, a).dependencies).toEqual([expect.objectContaining({ depends_on_id: b, type: 'related' })]);
    expect(ready()).toEqual(expect.arrayContaining([a, b]));
  });

  it('should unblock ISSUE when the dependency is removed', () => {
    const blocker = createIssue(ws, 'Get approval').id;
    const work = createIssue(ws, 'Ship it').id;
    runCliOk(['dep', 'add', work, blocker], { cwd: ws });
    expect(ready()).not.toContain(work);

    const r = runCli(['dep', 'remove', work, blocker], { cwd: ws });

    expect(r.code).toBe(0);
    expect(inFile(ws, work).dependencies ?? []).toEqual([]);
    expect(ready()).toContain(work);
  });

  it('should refuse a dependency cycle and an unknown id, changing nothing', () => {
    const first = createIssue(ws, 'Chicken').id;
    const second = createIssue(ws, 'Egg').id;
    runCliOk(['dep', 'add', second, first], { cwd: ws });
    const before = fs.readFileSync(jsonlPath(ws), 'utf8');

    const cycle = runCli(['dep', 'add', first, second], { cwd: ws });
    const unknown = runCli(['dep', 'add', first, 'dp-nope'], { cwd: ws });

    expect(cycle.code).toBe(1);
    expect(cycle.stderr).toContain('cycle');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('dp-nope');
    expect(fs.readFileSync(jsonlPath(ws), 'utf8')).toBe(before);
  });
});

describe('bd-rx ready', () => {
  let ws: string;
  beforeAll(() => {
    ws = initWorkspace(makeTempDir('ready'), 'rd');
  });
  afterAll(() => removeDir(ws));

  it('should list only open issues with no open blocker', () => {
    const open = createIssue(ws, 'Open and free').id;
    const busy = createIssue(ws, 'Being worked on').id;
    const closed = createIssue(ws, 'Done already').id;
    const blocked = createIssue(ws, 'Waiting').id;
    runCliOk(['update', busy, '--status', 'in_progress'], { cwd: ws });
    runCliOk(['close', closed], { cwd: ws });
    runCliOk(['dep', 'add', blocked, open], { cwd: ws });

    const r = runCli(['ready', '--json'], { cwd: ws });

    expect(r.code).toBe(0);
    expect(ids(r.json)).toEqual([open]);
  });
});

describe('bd-rx blocked', () => {
  let ws: string;
  beforeAll(() => {
    ws = initWorkspace(makeTempDir('blocked'), 'bl');
  });
  afterAll(() => removeDir(ws));

  it('should list each waiting issue with all its open blockers', () => {
    const a = createIssue(ws, 'Blocker A').id;
    const b = createIssue(ws, 'Blocker B').id;
    const waiting = createIssue(ws, 'Needs both', '--deps', `${a},${b}`).id;

    const r = runCli(['blocked', '--json'], { cwd: ws });
    const human = runCliOk(['blocked'], { cwd: ws });

    expect(r.code).toBe(0);
    expect(r.json).toEqual([expect.objectContaining({ id: waiting, blocked_by: [a, b].sort() })]);
    expect(human.stdout).toContain(waiting);
  });
});

describe('bd-rx label', () => {
  it('should add and remove a label, in the JSONL and the --label filter', () => {
    const id = createIssue(shared, 'Needs triage').id;

    const add = runCli(['label', 'add', id, 'needs-review'], { cwd: shared });

    expect(add.code).toBe(0);
    expect(inFile(shared, id).labels).toEqual(['needs-review']);
    expect(ids(runCliOk(['list', '--label', 'needs-review', '--json'], { cwd: shared }).json)).toEqual([id]);

    const remove = runCli(['label', 'remove', id, 'needs-review'], { cwd: shared });

    expect(remove.code).toBe(0);
    expect(inFile(shared, id).labels ?? []).toEqual([]);
    expect(runCliOk(['list', '--label', 'needs-review', '--json'], { cwd: shared }).json).toEqual([]);
  });

  it('should exit 1 naming an unknown id', () => {
    const r = runCli(['label', 'add', 'an-nope-lb', 'x'], { cwd: shared });

    expect(r.code).toBe(1);
    expect(r.stderr).toContain('an-nope-lb');
  });
});

describe('bd-rx comments', () => {
  it('should add a comment by the actor, keep it in the JSONL and list it', () => {
    const id = createIssue(shared, 'Slow query').id;

    const add = runCli(['comments', 'add', id, 'EXPLAIN shows a <seq scan> & no index', '--json'], { cwd: shared });

    expect(add.code).toBe(0);
    expect(add.json).toMatchObject({ issue_id: id, author: 'tester', text: 'EXPLAIN shows a <seq scan> & no index' });
    const { text } = readJsonl(shared);
    expect(bdJsonlProblems(text)).toEqual([]);
    expect(text).toContain('EXPLAIN shows a \\u003cseq scan\\u003e \\u0026 no index');
    const list = runCli(['comments', id, '--json'], { cwd: shared });
    expect(list.code).toBe(0);
    expect(list.json).toEqual([expect.objectContaining({ author: 'tester', text: 'EXPLAIN shows a <seq scan> & no index' })]);
  });

  it('should exit 1 naming an unknown id', () => {
    const r = runCli(['comments', 'an-nope-cm'], { cwd: shared });

    expect(r.code).toBe(1);
    expect(r.stderr).toContain('an-nope-cm');
  });
});

describe('bd-rx stats', () => {
  let ws: string;
  beforeAll(() => {
    ws = initWorkspace(makeTempDir('stats'), 'st');
  });
  afterAll(() => removeDir(ws));

  it('should count issues by state', () => {
    const blocker = createIssue(ws, 'Blocker').id;
    const waiting = createIssue(ws, 'Waiting').id;
    const busy = createIssue(ws, 'Busy').id;
    const done = createIssue(ws, 'Done').id;
    runCliOk(['dep', 'add', waiting, blocker], { cwd: ws });
    runCliOk(['update', busy, '--status', 'in_progress'], { cwd: ws });
    runCliOk(['close', done], { cwd: ws });

    const r = runCli(['stats', '--json'], { cwd: ws });

    expect(r.code).toBe(0);
    // bd's stats --json: {summary: Statistics, recent_activity?}.
    expect(r.json.summary).toMatchObject({
      total_issues: 4,
      open_issues: 2,
      in_progress_issues: 1,
      closed_issues: 1,
      blocked_issues: 1,
      ready_issues: 1,
    });
  });
});
