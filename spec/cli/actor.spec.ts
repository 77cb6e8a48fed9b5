import { initWorkspace, makeTempDir, readJsonl, removeDir, runCliOk } from '../helpers/run-cli';

describe('bd-rx --actor', () => {
  let ws: string;
  beforeAll(() => {
    ws = initWorkspace(makeTempDir('actor'), 'act');
  });
  afterAll(() => removeDir(ws));

  const inFile = (id: string) => readJsonl(ws).records.find((r) => r.id === id);

  it('should record who created an issue, a dependency and a comment, in the JSONL', () => {
    runCliOk(['create', 'Target', '--id', 'act-target', '--actor', 'alice'], { cwd: ws });
    runCliOk(['create', 'Waiting', '--id', 'act-waiting', '--deps', 'act-target', '--actor', 'alice'], { cwd: ws });
    runCliOk(['dep', 'add', 'act-waiting', 'act-target', '--type', 'related', '--actor', 'bob'], { cwd: ws });
    runCliOk(['comments', 'add', 'act-target', 'By the actor', '--actor', 'carol'], { cwd: ws });
    runCliOk(['comments', 'add', 'act-target', 'By a named author', '--actor', 'carol', '--author', 'dave'], { cwd: ws });

    expect(inFile('act-target')).toMatchObject({
      created_by: 'alice',
      comments: [
        { id: 1, author: 'carol', text: 'By the actor' },
        { id: 2, author: 'dave', text: 'By a named author' },
      ],
    });
    expect(inFile('act-waiting')).toMatchObject({
      created_by: 'alice',
      dependencies: [
        { depends_on_id: 'act-target', type: 'blocks', created_by: 'alice' },
        { depends_on_id: 'act-target', type: 'related', created_by: 'bob' },
      ],
    });
  });

  it('should default to $BD_ACTOR when no --actor is given', () => {
    runCliOk(['create', 'By env', '--id', 'act-env'], { cwd: ws, env: { BD_ACTOR: 'erin' } });
    runCliOk(['comments', 'add', 'act-env', 'Also by env'], { cwd: ws, env: { BD_ACTOR: 'erin' } });
    expect(inFile('act-env')).toMatchObject({ created_by: 'erin', comments: [{ author: 'erin', text: 'Also by env' }] });
  });
});
