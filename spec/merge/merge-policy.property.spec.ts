import fc from 'fast-check';
import type { IssueRecord } from '../../src/jsonl/parse-jsonl';
import { serializeRecord } from '../../src/jsonl/serialize-record';
import { compareUtf8 } from '../../src/merge/byte-order';
import { STATE_FIELDS } from '../../src/merge/merge-fields';
import { mergeJsonl } from '../../src/merge/merge-policy';

const ids = ['a', 'b', 'c', 'd', 'e', 'bd-10', 'bd-2', 'x-\uffff', 'x-😀'];
const times = ['2025-01-01T00:00:00Z', '2025-01-02T00:00:00Z', '2025-01-02T09:00:00+09:00', '2025-01-03T00:00:00.5Z', '2025-01-04T00:00:00Z'];
const labelPool = ['ui', 'web', 'urgent', '<&>'];
const depPool = ['a', 'b', 'c'];

/** Fields a side may change; each value drawn from a small pool so both sides often collide. */
const edit = fc.record(
  {
    title: fc.constantFrom('t1', 't2', 'Crash <on> save & quit', 'é😀'),
    priority: fc.integer({ min: 0, max: 4 }),
    assignee: fc.constantFrom('ann', 'bob'),
    state: fc.constantFrom(
      { status: 'open' },
      { status: 'closed', closed_at: times[1], close_reason: 'done' },
      { status: 'in_progress' },
      { status: 'tombstone', deleted_at: times[3], deleted_by: 'ann', delete_reason: 'dup', original_type: 'task' },
    ),
    labels: fc.subarray(labelPool),
    dependencies: fc.subarray(depPool).map((to) => to.map((d) => ({ depends_on_id: d, type: 'blocks', created_at: times[0] }))),
    extra: fc.jsonValue({ maxDepth: 1 }),
    updated_at: fc.constantFrom(...times),
  },
  { requiredKeys: ['updated_at'] },
);

type Edit = typeof edit extends fc.Arbitrary<infer E> ? E : never;

function applyEdit(record: IssueRecord, e: Edit): IssueRecord {
  const out: Record<string, unknown> = { ...record };
  for (const [k, v] of Object.entries(e)) {
    if (k === 'state') {
      for (const f of STATE_FIELDS) delete out[f];
      Object.assign(out, v);
    } else if (Array.isArray(v) && v.length === 0) delete out[k];
    else out[k] = v;
  }
  return out as IssueRecord;
}

const fresh = (id: string): IssueRecord => ({ id, title: `Issue ${id}`, status: 'open', priority: 2, issue_type: 'task', created_at: times[0], updated_at: times[0] });

/** What one side does to each id: keep it, delete it, edit it (or add it, when the base lacks it). */
const action = fc.oneof(fc.constant<'keep'>('keep'), fc.constant<'delete'>('delete'), edit);

/** Newer bd's memories (`{"_type":"memory",…}` after the issues): per side, a few keys, values from a small pool. */
const memoryKeys = ['build', 'deploy', 'style', 'x-😀'];
const memories = fc.uniqueArray(fc.tuple(fc.constantFrom(...memoryKeys), fc.constantFrom('v1', 'v2', '<&>')), { selector: ([k]) => k, maxLength: 4 });
const memoryAction = fc.oneof(fc.constant<'same'>('same'), memories);

const scenario = fc
  .record({
    base: fc.dictionary(fc.constantFrom(...ids), fc.option(edit, { nil: undefined }), { maxKeys: ids.length }),
    ours: fc.dictionary(fc.constantFrom(...ids), action, { maxKeys: ids.length }),
    theirs: fc.dictionary(fc.constantFrom(...ids), action, { maxKeys: ids.length }),
    baseMemories: memories,
    oursMemories: memoryAction,
    theirsMemories: memoryAction,
  })
  .map(({ base, ours, theirs, baseMemories, oursMemories, theirsMemories }) => {
    const b = new Map<string, IssueRecord>();
    for (const [id, e] of Object.entries(base)) b.set(id, e ? applyEdit(fresh(id), e) : fresh(id));
    const side = (acts: Record<string, 'keep' | 'delete' | Edit>): Map<string, IssueRecord> => {
      const out = new Map(b);
      for (const [id, act] of Object.entries(acts)) {
        if (act === 'delete') out.delete(id);
        else if (act !== 'keep') out.set(id, applyEdit(b.get(id) ?? fresh(id), act));
      }
      return out;
    };
    const memoryLines = (m: Array<[string, string]>) => m.map(([key, value]) => serializeRecord({ _type: 'memory', key, value }));
    const bm = memoryLines(baseMemories);
    const sideMemories = (m: typeof oursMemories) => (m === 'same' ? bm : memoryLines(m));
    return {
      base: Object.assign(b, { memories: bm }),
      ours: Object.assign(side(ours), { memories: sideMemories(oursMemories) }),
      theirs: Object.assign(side(theirs), { memories: sideMemories(theirsMemories) }),
    };
  });

/** A JSONL file as bd writes it: sorted by id (compared as bytes), one line each; then its memories. */
function jsonl(records: Map<string, IssueRecord> & { memories?: string[] }): string {
  return [...records.values()]
    .sort((x, y) => Buffer.compare(Buffer.from(x.id), Buffer.from(y.id)))
    .map((r) => serializeRecord(r) + '\n')
    .concat((records.memories ?? []).map((l) => `${l}\n`))
    .join('');
}

const isMemory = (l: string) => l.startsWith('{"_type":"memory"');

function parse(data: Buffer): Map<string, { line: string; record: IssueRecord }> {
  const text = data.toString('utf8');
  const out = new Map<string, { line: string; record: IssueRecord }>();
  for (const line of text.split('\n').filter((l) => l !== '' && !isMemory(l))) out.set(JSON.parse(line).id, { line, record: JSON.parse(line) });
  return out;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const RUNS = { numRuns: 400 };

describe('mergeJsonl properties', () => {
  it('should give byte-identical output when ours and theirs are swapped', () => {
    fc.assert(
      fc.property(scenario, ({ base, ours, theirs }) => {
        const x = mergeJsonl({ base: jsonl(base), ours: jsonl(ours), theirs: jsonl(theirs) });
        const y = mergeJsonl({ base: jsonl(base), ours: jsonl(theirs), theirs: jsonl(ours) });
        expect(y.data.equals(x.data)).toBe(true);
      }),
      RUNS,
    );
  });

  it('should return X for merge(B, X, X) and for merge(B, B, X)', () => {
    fc.assert(
      fc.property(scenario, ({ base, ours }) => {
        const b = jsonl(base);
        const x = jsonl(ours);
        expect(mergeJsonl({ base: b, ours: x, theirs: x }).data.toString('utf8')).toBe(x);
        expect(mergeJsonl({ base: b, ours: b, theirs: x }).data.toString('utf8')).toBe(x);
      }),
      RUNS,
    );
  });

  it('should write each id once, sorted in UTF-8 byte order, and every line in bd style', () => {
    fc.assert(
      fc.property(scenario, ({ base, ours, theirs }) => {
        const out = mergeJsonl({ base: jsonl(base), ours: jsonl(ours), theirs: jsonl(theirs) }).data.toString('utf8');
        const all = out.split('\n').filter((l) => l !== '');
        // Issues first, then the memories.
        const firstMemory = all.findIndex(isMemory);
        if (firstMemory >= 0) expect(all.slice(firstMemory).every(isMemory)).toBe(true);
        const lines = all.filter((l) => !isMemory(l));
        const got = lines.map((l) => JSON.parse(l).id as string);
        expect(new Set(got).size).toBe(got.length);
        expect([...got].sort((p, q) => Buffer.compare(Buffer.from(p), Buffer.from(q)))).toEqual(got);
        for (const l of lines) expect(serializeRecord(JSON.parse(l))).toBe(l);
      }),
      RUNS,
    );
  });

  it('should keep the exact line of an issue both sides hold unchanged, or one side left as in the base', () => {
    fc.assert(
      fc.property(scenario, ({ base, ours, theirs }) => {
        const out = parse(mergeJsonl({ base: jsonl(base), ours: jsonl(ours), theirs: jsonl(theirs) }).data);
        for (const [id, o] of ours) {
          const t = theirs.get(id);
          const b = base.get(id);
          if (t && serializeRecord(t) === serializeRecord(o)) expect(out.get(id)?.line).toBe(serializeRecord(o));
          if (t && b && same(o, b)) expect(out.get(id)?.line).toBe(serializeRecord(t));
        }
      }),
      RUNS,
    );
  });

  it('should lose no edit: every changed issue survives, and a field or label changed on one side only keeps that change', () => {
    fc.assert(
      fc.property(scenario, ({ base, ours, theirs }) => {
        const out = parse(mergeJsonl({ base: jsonl(base), ours: jsonl(ours), theirs: jsonl(theirs) }).data);
        for (const [mine, other] of [[ours, theirs], [theirs, ours]]) {
          for (const [id, m] of mine) {
            const b = base.get(id);
            if (b && same(m, b)) continue;
            const merged = out.get(id)?.record;
            expect(merged).toBeDefined();
            if (!merged) continue;
            const o = other.get(id) ?? b;
            for (const key of ['title', 'priority', 'assignee', 'extra']) {
              if (!same(m[key], b?.[key]) && (o === undefined || same(o[key], b?.[key]))) expect(JSON.stringify(merged[key])).toBe(JSON.stringify(m[key])); // JSON has no -0
            }
            const had = new Set((b?.labels as string[]) ?? []);
            const labels = new Set((merged.labels as string[]) ?? []);
            for (const l of (m.labels as string[]) ?? []) if (!had.has(l)) expect(labels.has(l)).toBe(true);
            if (other.has(id)) for (const l of had) if (!((m.labels as string[]) ?? []).includes(l)) expect(labels.has(l)).toBe(false);
          }
        }
      }),
      RUNS,
    );
  });
});

describe('mergeJsonl properties of the memories', () => {
  const memoriesOf = (data: Buffer) => new Map(data.toString('utf8').split('\n').filter(isMemory).map((l) => [JSON.parse(l).key as string, l]));
  const keyed = (m: string[]) => new Map(m.map((l) => [JSON.parse(l).key as string, l]));

  it('should write each memory key once, keep one side’s change (edit, addition, removal), and keep whatever both sides agree on', () => {
    fc.assert(
      fc.property(scenario, ({ base, ours, theirs }) => {
        const r = mergeJsonl({ base: jsonl(base), ours: jsonl(ours), theirs: jsonl(theirs) });
        const lines = r.data.toString('utf8').split('\n').filter(isMemory);
        const got = memoriesOf(r.data);
        expect(got.size).toBe(lines.length);
        expect(r.report.other_records).toBe(lines.length);
        const [b, o, t] = [keyed(base.memories), keyed(ours.memories), keyed(theirs.memories)];
        for (const key of new Set([...b.keys(), ...o.keys(), ...t.keys()])) {
          const [was, mine, other] = [b.get(key), o.get(key), t.get(key)];
          if (mine === other) expect(got.get(key)).toBe(mine);
          else if (other === was) expect(got.get(key)).toBe(mine);
          else if (mine === was) expect(got.get(key)).toBe(other);
          else if (mine !== undefined && other !== undefined) expect([mine, other]).toContain(got.get(key));
          else expect(got.get(key)).toBe(mine ?? other); // an edit over the other side's removal
        }
      }),
      RUNS,
    );
  });
});

describe('compareUtf8', () => {
  it('should order strings as their UTF-8 bytes do', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        expect(Math.sign(compareUtf8(a, b))).toBe(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
      }),
      { numRuns: 2000 },
    );
  });
});
