import { readDbIssues, useDaemons } from '../helpers/daemon-process';
import { waitFor } from '../helpers/wait-for';
import { GIT_TEST_ENV, gitOk, testEnv, useGitSandboxes } from './git-repos';
import { cli, connect, CONFLICT_MARKER, dbOf, jsonlRecords, readJsonl } from './git-clones';

const COMMIT_ONLY = ['--auto-commit', '--debounce-ms', '100', '--max-wait-ms', '400', '--log-format', 'json'];

/**
 * `git pull` run by hand in clones whose daemons auto-commit, with `bd-rx hooks install`'s
 * merge driver and hooks: B pulls with a merge, C (at the same commit as B) with a rebase,
 * which swaps the driver's sides. Both must come out with the same JSONL, imported by their
 * daemons (the post-merge / post-rewrite hooks, the watcher) and not committed over.
 */
describe('bd-rx merge as the driver of a git pull made beside running daemons', () => {
  const sandbox = useGitSandboxes();
  const { start } = useDaemons();
  jest.setTimeout(180_000);

  it('should give the same JSONL through git pull --no-rebase and git pull --rebase, both edits kept, imported and not re-committed', async () => {
    const s = sandbox('driver-daemons');
    const env = testEnv(s.bin);
    const a = s.clone('a');
    cli(a, ['init', '--prefix', 't', '--no-hooks']);
    cli(a, ['hooks', 'install']);
    const id = (title: string, extra: string[] = []) => (JSON.parse(cli(a, ['create', title, '--json', ...extra])) as { id: string }).id;
    const [x1, x2, x3] = [id('shared', ['--labels', 'ui,web']), id('B edits, A deletes'), id('A deletes')];
    gitOk(a, ['add', '-A']);
    gitOk(a, ['commit', '--quiet', '-m', 'issues']);
    gitOk(a, ['push', '--quiet', 'origin', 'HEAD:main']);

    const [b, c] = ['b', 'c'].map((name) => {
      const dir = s.clone(name);
      cli(dir, ['init', '--prefix', 't', '--no-hooks']);
      cli(dir, ['hooks', 'install']);
      return dir;
    });
    const [db, dc] = [b, c].map((cwd) => start({ cwd, args: COMMIT_ONLY, env: GIT_TEST_ENV }));
    await Promise.all([db, dc].map((d) => d.waitUntilWatching(60_000)));

    // B's edits, committed by its daemon; C takes B's commit (a reset its daemon imports).
    const client = await connect(b);
    try {
      await client.request('update', { id: x1, priority: 0, remove_labels: ['web'] });
      await client.request('update', { id: x2, title: 'edited on B' });
    } finally {
      client.close();
    }
    await waitFor(() => gitOk(b, ['log', '-1', '--format=%s']).startsWith('bd-rx: sync') && gitOk(b, ['status', '--porcelain']) === '', 30_000, "B's daemon to commit both edits");
    await waitFor(() => jsonlRecords(b).get(x2)?.title === 'edited on B' && jsonlRecords(b).get(x1)?.priority === 0, 30_000, 'both edits in the commit');
    gitOk(c, ['fetch', '--quiet', b, 'main']);
    gitOk(c, ['reset', '--quiet', '--hard', 'FETCH_HEAD']);
    await waitFor(() => readDbIssues(dbOf(c)).some((r) => r.title === 'edited on B'), 30_000, "C's daemon to import B's commit");

    // Meanwhile on A (no daemon: the CLI exports itself): the same issues changed otherwise.
    cli(a, ['update', x1, '--title', 'edited on A']);
    cli(a, ['label', 'add', x1, 'urgent']);
    cli(a, ['delete', x2, '--force']);
    cli(a, ['delete', x3, '--force']);
    gitOk(a, ['add', '-A']);
    gitOk(a, ['commit', '--quiet', '-m', 'A edits']);
    gitOk(a, ['push', '--quiet', 'origin', 'HEAD:main']);

    const marks = [db.mark(), dc.mark()];
    gitOk(b, ['pull', '--quiet', '--no-rebase', '--no-edit', 'origin', 'main'], env);
    gitOk(c, ['pull', '--quiet', '--rebase', 'origin', 'main'], env);
    const merged = readJsonl(b)!;
    expect(readJsonl(c)).toBe(merged);
    expect(merged).not.toMatch(CONFLICT_MARKER);
    const r = jsonlRecords(b);
    expect([...r.keys()].sort()).toEqual([x1, x2].sort());
    expect(r.get(x1)).toMatchObject({ title: 'edited on A', priority: 0 });
    expect([...(r.get(x1)!.labels as string[])].sort()).toEqual(['ui', 'urgent']);
    expect(r.get(x2)).toMatchObject({ title: 'edited on B' });

    // Each daemon imports the pulled file, and commits nothing over it.
    const heads = [gitOk(b, ['rev-parse', 'HEAD']), gitOk(c, ['rev-parse', 'HEAD'])];
    const byId = (rows: Array<{ id: unknown; title: unknown }>) => JSON.stringify(rows.map((i) => `${String(i.id)} ${String(i.title)}`).sort());
    const inDb = (dir: string) => byId(readDbIssues(dbOf(dir)));
    const want = byId([...r.values()] as Array<{ id: unknown; title: unknown }>);
    await waitFor(() => inDb(b) === want && inDb(c) === want, 30_000, 'both DBs to hold the merged issues');
    await Promise.all([db, dc].map((d) => d.waitForQuiet((e) => /^(import|export|git)\//.test(e.type), 1500, 30_000)));
    expect([gitOk(b, ['rev-parse', 'HEAD']), gitOk(c, ['rev-parse', 'HEAD'])]).toEqual(heads);
    for (const dir of [b, c]) expect(gitOk(dir, ['status', '--porcelain'])).toBe('');
    expect([db, dc].map((d, i) => d.count('git/committed', marks[i]))).toEqual([0, 0]);
    expect(readJsonl(b)).toBe(merged);
  });
});
