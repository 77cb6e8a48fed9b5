import fc from 'fast-check';
import type { IssueRecord } from '../../src/jsonl/parse-jsonl';
import { serializeRecord } from '../../src/jsonl/serialize-record';
import { TempWorkspace, byIdBytes, keyOrder, linesOf } from '../helpers/temp-workspace';

/** Characters that stress the codec: Go's escapes, JSON escapes, non-BMP, control chars. */
const tricky = fc.constantFrom('<', '>', '&', '\u2028', '\u2029', '"', '\\', '\n', '\t', '\u0000', '\u007f', 'é', 'Ａ', '😀', '𝄞', '/');
const unit = fc.oneof({ weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) }, { weight: 2, arbitrary: tricky });
const text = fc.string({ unit, maxLength: 24 });
const id = fc.tuple(fc.constantFrom('bd', 'x', 'proj-a'), fc.string({ unit, minLength: 1, maxLength: 8 })).map(([p, s]) => `${p}-${s}`);
const json = fc.jsonValue({ maxDepth: 3, stringUnit: unit });
const key = fc.string({ unit, minLength: 1, maxLength: 10 }).filter((k) => k !== 'id' && k !== '__proto__');
const timestamp = fc
  .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

/** JSON has no -0 (it is written as 0), so a record that is JSON cannot hold one. */
function noNegativeZero(value: unknown): unknown {
  if (Object.is(value, -0)) return 0;
  if (Array.isArray(value)) return value.map(noNegativeZero);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, noNegativeZero(v)]));
  }
  return value;
}

const record: fc.Arbitrary<IssueRecord> = fc
  .record(
    {
      id,
      title: text,
      description: text,
      status: fc.constantFrom('open', 'closed', 'in_progress', 'tombstone', 'hooked', 'weird'),
      priority: fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
      issue_type: text,
      assignee: text,
      created_at: timestamp,
      updated_at: timestamp,
      labels: fc.array(text, { maxLength: 4 }),
      dependencies: fc.array(fc.record({ issue_id: text, depends_on_id: text, type: fc.constantFrom('blocks', 'related', 'child') }), { maxLength: 3 }),
      extra: fc.dictionary(key, json, { maxKeys: 4 }),
    },
    { requiredKeys: ['id'] },
  )
  .map(({ extra, ...fields }) => {
    const out: Record<string, unknown> = { id: fields.id };
    for (const [k, v] of Object.entries({ ...fields, ...(extra ?? {}) })) if (k !== 'id') out[k] = v;
    return noNegativeZero(out) as IssueRecord;
  });

describe('serialize → import → export', () => {
  let ws: TempWorkspace;
  beforeAll(() => {
    ws = new TempWorkspace();
  });
  afterAll(() => ws.dispose());

  it('should give back the same bytes, sorted by id, and records equal to the input, key order included', () => {
    fc.assert(
      fc.property(fc.uniqueArray(record, { selector: (r) => r.id, maxLength: 8 }), (records) => {
        ws.clearDb();
        ws.writeJsonl(records.map(serializeRecord));
        const imported = ws.import();
        expect(imported.created).toBe(records.length);
        ws.export({ force: true });

        const sorted = [...records].sort((a, b) => byIdBytes(a.id, b.id));
        expect(ws.readJsonl()).toBe(sorted.map((r) => `${serializeRecord(r)}\n`).join(''));
        const back = linesOf(ws.readJsonl()).map((l) => JSON.parse(l) as IssueRecord);
        expect(back).toEqual(sorted);
        back.forEach((r, i) => expect(keyOrder(r)).toEqual(keyOrder(sorted[i])));
        for (const r of records) expect(ws.store.get(r.id)).toEqual(r);
      }),
      { numRuns: 100 },
    );
  });
});
