import type { LoggedEvent } from '../../src/events/daemon-event';
import type { RpcClient } from '../../src/rpc/rpc-client';
import { type DaemonProcess, useDaemons } from '../helpers/daemon-process';
import { waitFor } from '../helpers/wait-for';
import { GIT_TEST_ENV, useGitSandboxes } from './git-repos';
import { CONFLICT_MARKER, connect, dbIds, readJsonl, remoteHistory, sameJsonl, workspaceClones } from './git-clones';

const SYNC = ['--auto-sync', '--remote-sync-interval', '1s', '--debounce-ms', '100', '--max-wait-ms', '400', '--log-format', 'json'];
const CONVERGE_MS = 60_000;

type Rec = Record<string, unknown>;

/** The ids a merge kept over a deletion, as `git/pulled` (alone, or inside `git/pushed`) reports them. */
function keptOverDelete(e: LoggedEvent): string[] {
  const pulled = (e.type === 'git/pulled' ? e : e.type === 'git/pushed' ? (e as { pulled?: unknown }).pulled : null) as { merged?: { kept_over_delete?: string[] } } | null;
  return pulled?.merged?.kept_over_delete ?? [];
}

/**
 * Three clones of one remote, a daemon each with --auto-sync, an agent's RPC connection to
 * each. Edits "at the same time" go out over connections already open, so both land within
 * milliseconds, well before either daemon's debounce has even exported them.
 */
describe('concurrent edits on two clones (three clones, a daemon each, --auto-sync)', () => {
  const sandbox = useGitSandboxes();
  const { start } = useDaemons();
  jest.setTimeout(120_000);

  let dirs: string[];
  let ds: DaemonProcess[];
  let clients: RpcClient[];
  afterEach(() => {
    for (const c of clients ?? []) c.close();
  });

  /** The cluster, with `seed` issues created on A and synced to all three. */
  async function cluster(label: string, seed: Rec[]): Promise<string[]> {
    const s = sandbox(label);
    dirs = workspaceClones(s, ['b', 'c']);
    ds = dirs.map((cwd) => start({ cwd, args: SYNC, env: GIT_TEST_ENV }));
    await Promise.all(ds.map((d) => d.waitUntilWatching(60_000)));
    clients = await Promise.all(dirs.map((d, i) => connect(d, `agent-${'abc'[i]}`)));
    const ids: string[] = [];
    for (const fields of seed) ids.push(((await clients[0].request('create', fields as { title: string })) as { id: string }).id);
    await converged((r) => ids.every((id) => r.has(id)), 'the seed issues in all three JSONL files');
    // git writes the file before the daemon imports it: the edits below need the issues in every DB.
    await waitFor(() => dirs.every((d) => ids.every((id) => dbIds(d).includes(id))), CONVERGE_MS, 'the seed issues in all three DBs');
    remote = () => remoteHistory(s);
    return ids;
  }
  let remote: () => { forced: string[] };

  async function converged(check: (records: Map<string, Rec>) => boolean, what: string): Promise<Map<string, Rec>> {
    let last = new Map<string, Rec>();
    await waitFor(
      () => {
        if (!sameJsonl(dirs, check)) return false;
        last = new Map(readJsonl(dirs[0])!.trim().split('\n').map((l) => [String((JSON.parse(l) as Rec).id), JSON.parse(l) as Rec]));
        return true;
      },
      CONVERGE_MS,
      what,
      100,
    );
    return last;
  }

  /** Each DB imports what its clone's JSONL got a moment after git wrote it. */
  async function dbsHold(ids: string[]): Promise<void> {
    const want = JSON.stringify([...ids].sort());
    await waitFor(() => dirs.every((d) => JSON.stringify(dbIds(d).sort()) === want), CONVERGE_MS, `every DB to hold exactly ${want}`);
  }

  function expectCleanEnd(): void {
    const text = readJsonl(dirs[0])!;
    expect(text).not.toMatch(CONFLICT_MARKER);
    for (const d of dirs) expect(readJsonl(d)).toBe(text);
    expect(remote().forced).toEqual([]);
  }

  it('should keep both the title edited on A and the priority edited on B', async () => {
    const [x] = await cluster('title-prio', [{ title: 'original', priority: 2 }]);
    await Promise.all([clients[0].request('update', { id: x, title: 'retitled on A' }), clients[1].request('update', { id: x, priority: 0 })]);
    const r = await converged((m) => m.get(x)?.title === 'retitled on A' && m.get(x)?.priority === 0, 'A title and B priority on all three');
    expect(r.get(x)).toMatchObject({ title: 'retitled on A', priority: 0 });
    expectCleanEnd();
  });

  it('should apply a label added on A and a label removed on B', async () => {
    const [x] = await cluster('labels', [{ title: 'labelled', labels: ['ui', 'web'] }]);
    await Promise.all([clients[0].request('label_add', { id: x, label: 'urgent' }), clients[1].request('label_remove', { id: x, label: 'web' })]);
    const sameSet = (v: unknown) => JSON.stringify([...((v as string[]) ?? [])].sort()) === JSON.stringify(['ui', 'urgent']);
    const r = await converged((m) => sameSet(m.get(x)?.labels), 'labels ui + urgent on all three');
    expect([...(r.get(x)!.labels as string[])].sort()).toEqual(['ui', 'urgent']);
    expectCleanEnd();
  });

  it('should keep both outcomes when A deletes one issue while B edits another', async () => {
    const [gone, edited] = await cluster('delete-other', [{ title: 'to delete on A' }, { title: 'to edit on B' }]);
    await Promise.all([clients[0].request('delete', { id: gone }), clients[1].request('update', { id: edited, title: 'edited on B' })]);
    const r = await converged((m) => !m.has(gone) && m.get(edited)?.title === 'edited on B', 'the deletion and the edit on all three');
    expect(r.has(gone)).toBe(false);
    expect(r.get(edited)).toMatchObject({ title: 'edited on B' });
    await dbsHold([edited]);
    for (const d of dirs) expect(dbIds(d)).toEqual([edited]);
    expectCleanEnd();
  });

  it('should keep the edit B made to the issue A deleted, and report it', async () => {
    const [x] = await cluster('delete-edited', [{ title: 'deleted on A, edited on B' }]);
    const marks = ds.map((d) => d.mark());
    await Promise.all([clients[0].request('delete', { id: x }), clients[1].request('update', { id: x, title: 'kept: edited on B', priority: 1 })]);
    const r = await converged((m) => m.get(x)?.title === 'kept: edited on B', "B's edit on all three");
    expect(r.get(x)).toMatchObject({ title: 'kept: edited on B', priority: 1 });
    await dbsHold([x]);
    for (const d of dirs) expect(dbIds(d)).toEqual([x]);
    // Whichever daemon merged the other's push says what it kept.
    await waitFor(() => ds.some((d, i) => d.events.slice(marks[i]).some((e) => keptOverDelete(e).includes(x))), 15_000, `a git/pulled reporting ${x} kept over the deletion`);
    const reports = ds.flatMap((d, i) => d.events.slice(marks[i]).filter((e) => keptOverDelete(e).includes(x)));
    expect(reports.length).toBeGreaterThan(0);
    expectCleanEnd();
  });
});
