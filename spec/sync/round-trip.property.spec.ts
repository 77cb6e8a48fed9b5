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
const key = fc.string({ unit, minLength: 1, maxLength: 10 }).filter((k) => k !== 'id' && k !== '_type' && k !== '__proto__');
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

/** Records of newer bd that are not issues: memories (bd's byte style) and other kinds, any text. */
const otherRecord: fc.Arbitrary<string> = fc.oneof(
  fc.record({ key: text, value: text }).map(({ key, value }) => serializeRecord({ _type: 'memory', key, value })),
  fc.tuple(fc.constantFrom('wisp-log', 'note', 'memory'), fc.dictionary(key, json, { maxKeys: 3 })).map(([type, rest]) => serializeRecord({ _type: type, ...(noNegativeZero(rest) as object) })),
);

describe('serialize → import → export, with newer bd’s lines', () => {
  let ws: TempWorkspace;
  beforeAll(() => {
    ws = new TempWorkspace();
  });
  afterAll(() => ws.dispose());

  it('should give back the issues sorted (each _type:"issue" line’s bytes kept) and then every other record, verbatim and in order', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(record, { selector: (r) => r.id, maxLength: 6 }),
        fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
        fc.array(fc.tuple(otherRecord, fc.nat()), { maxLength: 4 }),
        (records, typed, others) => {
          ws.clearDb();
          const issueLines = records.map((r, i) => (typed[i] ? serializeRecord({ _type: 'issue', ...r }) : serializeRecord(r)));
          // The other records go anywhere among the issues; the export writes them after the issues.
          const file = [...issueLines];
          for (const [line, at] of others) file.splice(at % (file.length + 1), 0, line);
          const inFileOrder = file.filter((l) => !issueLines.includes(l));
          ws.writeJsonl(file);
          const imported = ws.import();
          expect(imported.created).toBe(records.length);
          expect(imported.other_records ?? 0).toBe(others.length);
          ws.export({ force: true });

          const sortedIssues = records
            .map((r, i) => ({ id: r.id, line: issueLines[i] }))
            .sort((a, b) => byIdBytes(a.id, b.id))
            .map((r) => r.line);
          expect(ws.readJsonl()).toBe([...sortedIssues, ...inFileOrder].map((l) => `${l}\n`).join(''));
          // And once more, from the file just written: a fixed point.
          ws.clearDb();
          const again = ws.readJsonl();
          ws.writeJsonl(again);
          ws.import();
          ws.export({ force: true });
          expect(ws.readJsonl()).toBe(again);
        },
      ),
      { numRuns: 100 },
    );
  });
});
