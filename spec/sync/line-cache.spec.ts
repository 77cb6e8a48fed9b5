import fc from 'fast-check';
import { BeadsStore } from '../../src/store/beads-store';
import { renderJsonl } from '../../src/sync/export-jsonl';
import { LineCache } from '../../src/sync/line-cache';
import { TempWorkspace, issueLine } from '../helpers/temp-workspace';

/** What the cache must always equal: every row read afresh, in SQLite's id order. */
function fullRender(store: BeadsStore): string {
  return renderJsonl(store).data.toString('utf8');
}

/** A write the cache cannot see coming: another connection (a `--no-daemon` CLI) commits it. */
function createFromAnotherConnection(dbPath: string, title: string): void {
  const other = new BeadsStore(dbPath);
  try {
    other.create({ title }, 'outside');
  } finally {
    other.dispose();
  }
}

function cachedRender(store: BeadsStore, cache: LineCache): { text: string; mode: string } {
  const r = store.inTransaction(() => cache.render(store));
  return { text: r.data.toString('utf8'), mode: r.mode };
}

/** Renders through the cache, checks how, and that it matches a full read exactly. */
function expectRender(store: BeadsStore, cache: LineCache, mode: 'full' | 'incremental', ...contains: string[]): string {
  const r = cachedRender(store, cache);
  expect(r.mode).toBe(mode);
  for (const c of contains) expect(r.text).toContain(c);
  expect(r.text).toBe(fullRender(store));
  return r.text;
}

describe('LineCache', () => {
  let ws: TempWorkspace;
  beforeEach(() => {
    ws = new TempWorkspace();
  });
  afterEach(() => ws.dispose());

  it('should read every row the first time, then only what this connection changed', () => {
    const cache = new LineCache();
    for (let i = 0; i < 40; i++) ws.store.create({ title: `Issue ${i}` }, 'tester');
    expectRender(ws.store, cache, 'full');

    const [a, b] = ws.store.list().map((r) => r.id);
    ws.store.update(a, { title: 'Renamed <&>' }, 'tester');
    ws.store.delete(b, 'tester');
    ws.store.create({ title: 'Newcomer' }, 'tester');
    const second = expectRender(ws.store, cache, 'incremental', 'Renamed \\u003c\\u0026\\u003e');
    expect(second).not.toContain(`"id":"${b}"`);
  });

  it('should read every row again after another connection commits (data_version moved)', () => {
    const cache = new LineCache();
    ws.store.create({ title: 'Mine' }, 'tester');
    cachedRender(ws.store, cache);
    createFromAnotherConnection(ws.dbPath, 'Written by a --no-daemon CLI');
    expectRender(ws.store, cache, 'full', 'Written by a --no-daemon CLI');
  });

  it('should see rows an import rewrote, not only those the write methods changed', () => {
    const cache = new LineCache();
    const ids = Array.from({ length: 100 }, (_, i) => `bd-${String(i).padStart(3, '0')}`);
    ws.writeJsonl(ids.map((id) => issueLine({ id })));
    ws.import();
    cachedRender(ws.store, cache);
    ws.writeJsonl(ids.map((id, i) => (i === 7 ? issueLine({ id, title: 'Changed upstream', updated_at: '2026-01-01T00:00:00Z' }) : issueLine({ id }))));
    ws.import();
    expectRender(ws.store, cache, 'incremental', 'Changed upstream');
  });

  it('should start over after a render that failed half-way', () => {
    const cache = new LineCache();
    ws.store.create({ title: 'One' }, 'tester');
    cachedRender(ws.store, cache);
    ws.store.create({ title: 'Two' }, 'tester');
    // An injected fault: the changed ids were already taken from the store when the read fails.
    const spy = jest.spyOn(ws.store, 'lineBytesOf').mockImplementationOnce(() => {
      throw new Error('disk I/O error');
    });
    expect(() => cachedRender(ws.store, cache)).toThrow('disk I/O error');
    spy.mockRestore();
    expectRender(ws.store, cache, 'full', '"title":"Two"');
  });

  it('should keep byte order of ids (UTF-8), as SQLite sorts them, when inserting', () => {
    const cache = new LineCache();
    // U+FF21 sorts after U+1D11E in UTF-16 code units but before it in UTF-8 bytes. Such ids
    // come only from files (create accepts ASCII ids), so they arrive by import.
    ws.writeJsonl([issueLine({ id: 'bd-\uFF21' })]);
    ws.import();
    cachedRender(ws.store, cache);
    ws.writeJsonl([issueLine({ id: 'bd-a' }), issueLine({ id: 'bd-\uFF21' }), issueLine({ id: 'bd-\u{1D11E}' })]);
    ws.import();
    expectRender(ws.store, cache, 'incremental');
  });

  type Op =
    | { kind: 'create'; title: string }
    | { kind: 'update'; pick: number; title: string }
    | { kind: 'delete'; pick: number }
    | { kind: 'outside'; title: string }
    | { kind: 'render' };

  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('create' as const), title: fc.string({ minLength: 1, maxLength: 12 }).filter((t) => t.trim() !== '') }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('update' as const), pick: fc.nat(), title: fc.string({ minLength: 1, maxLength: 12 }).filter((t) => t.trim() !== '') }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('outside' as const), title: fc.string({ minLength: 1, maxLength: 12 }).filter((t) => t.trim() !== '') }) },
    { weight: 3, arbitrary: fc.constant({ kind: 'render' as const }) },
  );

  it('should always render exactly what a full read renders, whatever the sequence of writes', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const local = new TempWorkspace();
        const cache = new LineCache();
        try {
          for (const o of ops) {
            const ids = local.store.list().map((r) => r.id);
            if (o.kind === 'create') local.store.create({ title: o.title }, 'p');
            else if (o.kind === 'update' && ids.length > 0) local.store.update(ids[o.pick % ids.length], { title: o.title }, 'p');
            else if (o.kind === 'delete' && ids.length > 0) local.store.delete(ids[o.pick % ids.length], 'p');
            else if (o.kind === 'outside') createFromAnotherConnection(local.dbPath, o.title);
            else if (o.kind === 'render') {
              expect(cachedRender(local.store, cache).text).toBe(fullRender(local.store));
            }
          }
          expect(cachedRender(local.store, cache).text).toBe(fullRender(local.store));
        } finally {
          local.dispose();
        }
      }),
      { numRuns: 40 },
    );
  });
});
