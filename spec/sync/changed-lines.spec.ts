import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import fc from 'fast-check';
import { serializeRecord } from '../../src/jsonl/serialize-record';
import { changedLines, type ScannedJsonl } from '../../src/sync/changed-lines';
import { TempWorkspace, issueLine } from '../helpers/temp-workspace';

const NEWER = '2030-01-01T00:00:00Z';

/** What the merge gets from a scan (not `present`: it names the lines read one by one, which depends on the read size). */
function summary(s: ScannedJsonl | undefined) {
  if (!s) return 'read in full';
  const { changed } = s;
  return {
    incoming: [...changed.incoming].map(([id, r]) => [id, r.lineNo, (r.bytes ?? Buffer.from(r.line)).toString('hex'), r.record]),
    unchanged: changed.unchanged,
    gone: changed.gone,
    others: changed.others.map((o) => [o.lineNo, o.line]),
    hash: s.hash,
    bytes: s.bytes,
    key: s.key,
  };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `bd-${String(i).padStart(3, '0')}`);

describe('changedLines', () => {
  let ws: TempWorkspace;
  beforeEach(() => {
    ws = new TempWorkspace();
  });
  afterEach(() => ws.dispose());

  it('should find the same changed lines whatever the read size, lines and comparisons straddling reads', () => {
    const edit = fc.record({
      changed: fc.uniqueArray(fc.nat(59), { maxLength: 6 }),
      removed: fc.uniqueArray(fc.nat(59), { maxLength: 3 }),
      added: fc.uniqueArray(fc.nat(99), { maxLength: 3 }),
      memory: fc.boolean(),
      localUpdate: fc.option(fc.nat(59), { nil: undefined }),
      localDelete: fc.option(fc.nat(59), { nil: undefined }),
      // Descriptions of varied length (a few longer than the smaller reads), non-ASCII on some.
      sizes: fc.array(fc.nat(700), { minLength: 60, maxLength: 60 }),
    });
    fc.assert(
      fc.property(edit, (e) => {
        const local = new TempWorkspace();
        try {
          const all = ids(60);
          const description = (i: number) => (i % 7 === 0 ? 'é'.repeat(e.sizes[i] >> 1) : 'x'.repeat(e.sizes[i]));
          local.writeJsonl(all.map((id, i) => issueLine({ id, description: description(i) })));
          local.import();
          if (e.localUpdate !== undefined) local.store.update(all[e.localUpdate], { title: 'local' }, 't');
          if (e.localDelete !== undefined && e.localDelete !== e.localUpdate) local.store.delete(all[e.localDelete], 't');
          const lines: string[] = [];
          const extra = new Set(e.added.map((n) => `bd-${String(n).padStart(3, '0')}a`));
          all.forEach((id, i) => {
            if (e.removed.includes(i)) return;
            const changed = e.changed.includes(i);
            lines.push(issueLine({ id, description: description(i), ...(changed ? { title: `upstream ${i}`, updated_at: NEWER } : {}) }));
            for (const x of extra) if (x.startsWith(id)) lines.push(issueLine({ id: x, title: 'new upstream' }));
          });
          if (e.memory) lines.push(serializeRecord({ _type: 'memory', key: 'build', value: 'npm test' }));
          local.writeJsonl(lines);

          const whole = fs.readFileSync(local.jsonlPath);
          const reference = changedLines(local.store, local.jsonlPath);
          expect(reference).toBeDefined();
          expect(reference!.hash).toBe(createHash('sha256').update(whole).digest('hex'));
          expect(reference!.bytes).toBe(whole.length);
          for (const chunk of [7, 64, 333, 1500]) {
            expect(summary(changedLines(local.store, local.jsonlPath, { chunk }))).toEqual(summary(reference));
          }
        } finally {
          local.dispose();
        }
      }),
      { numRuns: 40 },
    );
  });

  it('should count the lines the base holds byte for byte without parsing them, and parse the changed ones', () => {
    const all = ids(300);
    ws.writeJsonl(all.map((id) => issueLine({ id, description: 'd'.repeat(200) })));
    ws.import();
    ws.writeJsonl(all.map((id) => issueLine({ id, description: 'd'.repeat(200), ...(id === 'bd-150' ? { title: 'upstream', updated_at: NEWER } : {}) })));
    const spy = jest.spyOn(JSON, 'parse');
    try {
      const r = changedLines(ws.store, ws.jsonlPath, { chunk: 4096 });
      expect(r?.changed.unchanged).toBe(299);
      expect([...r!.changed.incoming.keys()]).toEqual(['bd-150']);
      expect(spy.mock.calls.length).toBe(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('should leave the file to the full import when another file is renamed over it while it is read', () => {
    const all = ids(20);
    ws.writeJsonl(all.map((id) => issueLine({ id })));
    ws.import();
    ws.writeJsonl(all.map((id) => issueLine({ id, title: `t ${id}` })));
    // A git checkout landing once the scan has opened the file (it asks the store for the local
    // changes next): the bytes it reads are no longer the file's.
    const real = ws.store.locallyChangedIds.bind(ws.store);
    let landed = false;
    const spy = jest.spyOn(ws.store, 'locallyChangedIds').mockImplementation(() => {
      landed = true;
      ws.writeJsonl(all.map((id) => issueLine({ id, title: `checked out ${id}` })));
      return real();
    });
    try {
      expect(changedLines(ws.store, ws.jsonlPath)).toBeUndefined();
      expect(landed).toBe(true);
    } finally {
      spy.mockRestore();
    }
    // Read in full, the import takes the file now there.
    expect(ws.import().updated).toBe(20);
    expect(ws.store.get('bd-003')?.title).toBe('checked out bd-003');
  });

  it('should leave the file to the full import when there is no base', () => {
    ws.writeJsonl(ids(5).map((id) => issueLine({ id })));
    expect(changedLines(ws.store, ws.jsonlPath)).toBeUndefined();
  });
});
