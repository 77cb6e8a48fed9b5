import { type DaemonProcess, useDaemons } from '../helpers/daemon-process';
import { waitFor } from '../helpers/wait-for';
import { GIT_TEST_ENV, gitOk, useGitSandboxes } from './git-repos';
import { CONFLICT_MARKER, connect, dbIds, jsonlIds, jsonlOf, readJsonl, remoteHistory, sameJsonl, workspaceClones } from './git-clones';

const PER_CLONE = 50;
/** Agents per clone, each creating its share one after the other: writes spread over seconds, not one burst. */
const AGENTS = 5;
const SYNC = ['--auto-sync', '--remote-sync-interval', '1s', '--debounce-ms', '100', '--max-wait-ms', '400', '--log-format', 'json'];
/** The git events that change something: after quiescence none of them comes any more. */
const GIT_WORK = (e: { type: string }) => e.type === 'git/committed' || e.type === 'git/pulled' || e.type === 'git/pushed';

describe('three clones with a daemon each, creating 50 issues each at the same time (--auto-sync)', () => {
  const sandbox = useGitSandboxes();
  const { start } = useDaemons();
  jest.setTimeout(240_000);

  it('should converge to byte-identical JSONL holding all 150 once, with no conflict marker, no forced update and no commit after quiescence', async () => {
    const s = sandbox('converge50');
    const dirs = workspaceClones(s, ['b', 'c']);
    const ds: DaemonProcess[] = dirs.map((cwd) => start({ cwd, args: SYNC, env: GIT_TEST_ENV }));
    await Promise.all(ds.map((d) => d.waitUntilWatching(60_000)));

    const made = (
      await Promise.all(
        dirs.map(async (dir, clone) => {
          const clients = await Promise.all(Array.from({ length: AGENTS }, (_, a) => connect(dir, `agent-${clone}-${a}`)));
          try {
            const perAgent = await Promise.all(
              clients.map(async (client, a) => {
                const ids: string[] = [];
                for (let i = 0; i < PER_CLONE / AGENTS; i++) {
                  const issue = (await client.request('create', { title: `clone ${clone} agent ${a} #${i}` })) as { id: string };
                  ids.push(issue.id);
                }
                return ids;
              }),
            );
            return perAgent.flat();
          } finally {
            for (const c of clients) c.close();
          }
        }),
      )
    ).flat();
    expect(made).toHaveLength(3 * PER_CLONE);

    await waitFor(
      () => sameJsonl(dirs, (records) => made.every((id) => records.has(id))),
      150_000,
      'the three JSONL files to hold every issue and be byte-identical',
      200,
    );
    // Quiescence: three remote-sync intervals and more with no commit, pull or push anywhere
    // (a ping-pong of merge commits, or a push retried for ever, would keep one coming).
    const work = () => ds.reduce((n, d) => n + d.count(GIT_WORK), 0);
    let last = work();
    let since = Date.now();
    await waitFor(
      () => {
        const now = work();
        if (now !== last) [last, since] = [now, Date.now()];
        return Date.now() - since >= 4000;
      },
      60_000,
      'no git commit, pull or push on any clone for 4 s',
      100,
    );

    const text = readJsonl(dirs[0])!;
    const ids = jsonlIds(jsonlOf(dirs[0]));
    expect(ids).toHaveLength(3 * PER_CLONE);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...made].sort());
    expect(text).not.toMatch(CONFLICT_MARKER);
    for (const d of dirs) {
      expect(readJsonl(d)).toBe(text);
      expect(dbIds(d).sort()).toEqual([...made].sort());
      // Every clone's work is on the remote, and nothing is left uncommitted.
      expect(gitOk(d, ['rev-parse', 'HEAD']).trim()).toBe(gitOk(s.remote, ['rev-parse', 'main']).trim());
      expect(gitOk(d, ['status', '--porcelain', '--', '.beads/issues.jsonl'])).toBe('');
    }
    const remoteFile = gitOk(s.remote, ['show', 'main:.beads/issues.jsonl']);
    expect(remoteFile).toBe(text);
    const history = remoteHistory(s);
    expect(history.updates.length).toBeGreaterThan(1);
    expect(history.forced).toEqual([]);
    for (const d of ds) expect(d.all('git/failed')).toEqual([]);
  });
});
