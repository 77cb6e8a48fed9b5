import * as fs from 'node:fs';
import * as path from 'node:path';
import { type DaemonProcess, useDaemons } from '../helpers/daemon-process';
import { waitFor } from '../helpers/wait-for';
import { GIT_TEST_ENV, gitOk, useGitSandboxes } from './git-repos';
import { CLONE_ENV as ENV, cli, createIssue as create, dbIds, jsonlIds, jsonlOf, workspaceClones as clones } from './git-clones';

const INTERVAL_MS = 1000;
const DEBOUNCE_MS = 100;
const SYNC = ['--auto-sync', '--remote-sync-interval', '1s', '--debounce-ms', String(DEBOUNCE_MS), '--max-wait-ms', '400', '--log-format', 'json'];
/** interval + 2 × debounce is the promise; the rest is slack for a loaded CI machine (2 cores, 7 jobs). */
const PROPAGATION_MS = INTERVAL_MS + 2 * DEBOUNCE_MS + 12_000;

describe('bd-rx daemon --auto-sync (real git, a bare remote, a daemon per clone)', () => {
  const sandbox = useGitSandboxes();
  const { start, workspace } = useDaemons();
  jest.setTimeout(60_000);

  async function daemons(dirs: string[], args = SYNC): Promise<DaemonProcess[]> {
    const ds = dirs.map((cwd) => start({ cwd, args, env: GIT_TEST_ENV }));
    await Promise.all(ds.map((d) => d.waitUntilWatching(60_000)));
    return ds;
  }

  it('should bring an issue created on A into B and C (DB and JSONL) within the remote-sync interval', async () => {
    const [a, b, c] = clones(sandbox('sync'), ['b', 'c']);
    await daemons([a, b, c]);
    const t0 = Date.now();
    const id = await create(a, 'made on A');
    await waitFor(() => [b, c].every((d) => jsonlIds(jsonlOf(d)).includes(id) && dbIds(d).includes(id)), PROPAGATION_MS, `${id} in B and C`);
    expect(Date.now() - t0).toBeLessThan(PROPAGATION_MS);
    expect(dbIds(b)).toContain(id);
    expect(dbIds(c)).toContain(id);
    // A's status shows the git state its daemon folded from the git/* events.
    const status = JSON.parse(cli(a, ['daemon', 'status', '--json'])) as { git: { last_push: { sha: string } | null; ahead: number | null; last_error: unknown } };
    expect(status.git.last_push?.sha).toBe(gitOk(a, ['rev-parse', 'origin/main']).trim());
    expect(status.git).toMatchObject({ ahead: 0, last_error: null });
  });

  it('should import a `git reset --hard HEAD~1` made while it runs, and not commit over it', async () => {
    const [a] = clones(sandbox('reset'), []);
    const [d] = await daemons([a], ['--auto-commit', '--debounce-ms', String(DEBOUNCE_MS), '--max-wait-ms', '400']);
    const id = await create(a, 'to be reset away');
    await d.waitForEvent((e) => e.type === 'git/committed', 15_000);
    const target = gitOk(a, ['rev-parse', 'HEAD~1']).trim();
    gitOk(a, ['reset', '--quiet', '--hard', 'HEAD~1']);
    await waitFor(() => !dbIds(a).includes(id), 15_000, `${id} gone from A's DB after the reset`);
    // A few debounces and a commit attempt's worth of quiet: nothing is committed over the reset.
    await d.waitForQuiet((e) => e.type.startsWith('import/') || e.type.startsWith('export/') || e.type.startsWith('git/'), 1500, 15_000);
    expect(gitOk(a, ['rev-parse', 'HEAD']).trim()).toBe(target);
    expect(jsonlIds(jsonlOf(a))).not.toContain(id);
    expect(gitOk(a, ['status', '--porcelain', '--', '.beads/issues.jsonl'])).toBe('');
  });

  it('should neither write nor commit the JSONL while a rebase is in progress, and commit once it is done', async () => {
    const [a] = clones(sandbox('rebase'), []);
    const [d] = await daemons([a], ['--auto-commit', '--debounce-ms', String(DEBOUNCE_MS), '--max-wait-ms', '400']);
    const head = gitOk(a, ['rev-parse', 'HEAD']).trim();
    // A real interactive rebase stopped at a `break`: rebase-merge/ exists, HEAD is detached.
    gitOk(a, ['rebase', '--quiet', '-i', 'HEAD~1'], { ...ENV, GIT_SEQUENCE_EDITOR: "sed -i '1i break'" });
    expect(fs.existsSync(path.join(a, '.git', 'rebase-merge'))).toBe(true);
    // Stopped before the beads commit is picked: the JSONL is not in the work tree at all.
    const before = fs.existsSync(jsonlOf(a)) ? fs.readFileSync(jsonlOf(a), 'utf8') : null;
    const mark = d.mark();
    const id = await create(a, 'made during the rebase');
    await d.waitForEvent((e) => e.type === 'export/skipped' && String(e.reason).startsWith('git busy: rebase'), 15_000, mark);
    expect(fs.existsSync(jsonlOf(a)) ? fs.readFileSync(jsonlOf(a), 'utf8') : null).toBe(before);
    expect(d.events.slice(mark).some((e) => e.type === 'git/committed')).toBe(false);
    gitOk(a, ['rebase', '--continue']);
    await d.waitForEvent((e) => e.type === 'git/committed', 15_000, mark);
    expect(jsonlIds(jsonlOf(a))).toContain(id);
    expect(gitOk(a, ['log', '-1', '--format=%s']).trim()).toMatch(/^bd-rx: sync 1 issues$/);
    expect(gitOk(a, ['rev-parse', 'HEAD~1']).trim()).toBe(head);
  });

  it('should run with one git/disabled line in a workspace not in git, and keep syncing locally', async () => {
    const ws = workspace();
    const d = start({ cwd: ws.root, args: SYNC, env: GIT_TEST_ENV });
    await d.waitUntilWatching(60_000);
    const disabled = await d.waitForEvent('git/disabled', 15_000);
    expect(disabled).toMatchObject({ reason: 'not a git repository' });
    const id = await create(ws.root, 'local only');
    await waitFor(() => jsonlIds(ws.jsonlPath).includes(id), 15_000, `${id} exported`);
    // Several remote-sync intervals go by: the line is not repeated.
    await d.waitForQuiet('git/disabled', 3 * INTERVAL_MS, 15_000);
    expect(d.events.filter((e) => e.type === 'git/disabled')).toHaveLength(1);
    expect(d.exit).toBeUndefined();
  });

  it('should commit locally with one git/disabled line in a repository without a remote', async () => {
    const ws = workspace({ git: true });
    const d = start({ cwd: ws.root, args: SYNC, env: GIT_TEST_ENV });
    await d.waitUntilWatching(60_000);
    const id = await create(ws.root, 'no remote');
    await waitFor(() => jsonlIds(ws.jsonlPath).includes(id), 15_000, `${id} exported`);
    await d.waitForEvent('git/disabled', 15_000);
    await d.waitForQuiet('git/disabled', 3 * INTERVAL_MS, 15_000);
    expect(d.events.filter((e) => e.type === 'git/disabled')).toHaveLength(1);
    expect(gitOk(ws.root, ['log', '--format=%s', '--', '.beads/issues.jsonl'])).toMatch(/bd-rx: sync/);
    expect(d.exit).toBeUndefined();
  });
});
