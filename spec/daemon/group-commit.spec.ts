import { GroupCommit } from '../../src/daemon/server/group-commit';
import { BeadsStore, type StoreMutation } from '../../src/store/beads-store';
import { TempWorkspace } from '../helpers/temp-workspace';

describe('GroupCommit (real SQLite)', () => {
  let ws: TempWorkspace;
  let other: BeadsStore;
  beforeEach(() => {
    ws = new TempWorkspace();
    other = new BeadsStore(ws.dbPath);
  });
  afterEach(() => {
    other.dispose();
    ws.dispose();
  });

  it('should commit the writes of one event-loop turn together and report them only after the commit', async () => {
    const writes = new GroupCommit(ws.store);
    const seen: Array<{ m: StoreMutation; visibleElsewhere: number }> = [];
    ws.store.onMutation((m) => seen.push({ m, visibleElsewhere: other.count() }));
    const created = await Promise.all(
      [1, 2, 3].map((i) => writes.submit(() => ws.store.create({ title: `Issue ${i}` }, 'tester'))),
    );
    expect(created.map((r) => r.title)).toEqual(['Issue 1', 'Issue 2', 'Issue 3']);
    // Every mutation is reported after all three are committed: another connection sees 3.
    expect(seen.map((s) => s.visibleElsewhere)).toEqual([3, 3, 3]);
    expect(seen.map((s) => s.m.id)).toEqual(created.map((r) => r.id));
  });

  it('should fail a bad write alone: the others are kept, and it reports no mutation', async () => {
    const writes = new GroupCommit(ws.store);
    const seen: string[] = [];
    ws.store.onMutation((m) => seen.push(m.op));
    const results = await Promise.allSettled([
      writes.submit(() => ws.store.create({ title: 'Kept' }, 'tester')),
      writes.submit(() => {
        ws.store.create({ title: 'Rolled back with its savepoint' }, 'tester');
        return ws.store.create({ title: '   ' }, 'tester');
      }),
      writes.submit(() => ws.store.create({ title: 'Also kept' }, 'tester')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toContain('title is required');
    expect(other.list().map((r) => r.title).sort()).toEqual(['Also kept', 'Kept']);
    expect(seen).toEqual(['create', 'create']);
  });

  it('should roll back a lone failing write in a batch of one, and report no mutation', async () => {
    const writes = new GroupCommit(ws.store);
    const seen: string[] = [];
    ws.store.onMutation((m) => seen.push(m.op));
    const failed = writes.submit(() => {
      ws.store.create({ title: 'Rolled back with its transaction' }, 'tester');
      return ws.store.create({ title: '' }, 'tester');
    });
    await expect(failed).rejects.toThrow('title is required');
    expect(other.count()).toBe(0);
    expect(seen).toEqual([]);
  });

  it('should resolve settled() only once the writes submitted before it have committed', async () => {
    const writes = new GroupCommit(ws.store);
    await expect(writes.settled()).resolves.toBeUndefined(); // nothing pending: at once
    const created = writes.submit(() => ws.store.create({ title: 'Pending' }, 'tester'));
    expect(writes.pending).toBe(true);
    const visibleAfterSettled = writes.settled().then(() => other.count());
    expect(await visibleAfterSettled).toBe(1);
    expect(writes.pending).toBe(false);
    await created;
  });

  it('should start a new batch for writes submitted after the last one settled', async () => {
    const batches: number[] = [];
    const writes = new GroupCommit(ws.store, (flush) =>
      setImmediate(() => {
        batches.push(1);
        flush();
      }),
    );
    await writes.submit(() => ws.store.create({ title: 'First' }, 'tester'));
    await Promise.all([
      writes.submit(() => ws.store.create({ title: 'Second' }, 'tester')),
      writes.submit(() => ws.store.create({ title: 'Third' }, 'tester')),
    ]);
    expect(batches).toHaveLength(2);
    expect(other.count()).toBe(3);
  });

  it('should reject every write of a batch the database refuses (locked), keeping nothing', async () => {
    ws.store.setBusyTimeout(50);
    ws.sql().exec('BEGIN IMMEDIATE');
    const writes = new GroupCommit(ws.store);
    const seen: string[] = [];
    ws.store.onMutation((m) => seen.push(m.op));
    const results = await Promise.allSettled([
      writes.submit(() => ws.store.create({ title: 'A' }, 'tester')),
      writes.submit(() => ws.store.create({ title: 'B' }, 'tester')),
    ]);
    ws.sql().exec('ROLLBACK');
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/locked|busy/i);
    expect(other.count()).toBe(0);
    expect(seen).toEqual([]);
  });
});
