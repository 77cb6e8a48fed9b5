import fc from 'fast-check';
import type { IssueRecord } from '../../src/jsonl/parse-jsonl';
import { serializeRecord } from '../../src/jsonl/serialize-record';

// Arbitraries shared by the round-trip properties (spec/sync/*.property.spec.ts).

/** Characters that stress the codec: Go's escapes, JSON escapes, non-BMP, control chars. */
export const tricky = fc.constantFrom('<', '>', '&', '\u2028', '\u2029', '"', '\\', '\n', '\t', '\u0000', '\u007f', 'é', 'Ａ', '😀', '𝄞', '/');
export const unit = fc.oneof({ weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) }, { weight: 2, arbitrary: tricky });
export const text = fc.string({ unit, maxLength: 24 });
export const id = fc.tuple(fc.constantFrom('bd', 'x', 'proj-a'), fc.string({ unit, minLength: 1, maxLength: 8 })).map(([p, s]) => `${p}-${s}`);
export const json = fc.jsonValue({ maxDepth: 3, stringUnit: unit });
export const key = fc.string({ unit, minLength: 1, maxLength: 10 }).filter((k) => k !== 'id' && k !== '_type' && k !== '__proto__');
export const timestamp = fc
  .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

/** JSON has no -0 (it is written as 0), so a record that is JSON cannot hold one. */
export function noNegativeZero(value: unknown): unknown {
  if (Object.is(value, -0)) return 0;
  if (Array.isArray(value)) return value.map(noNegativeZero);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, noNegativeZero(v)]));
  }
  return value;
}

export const record: fc.Arbitrary<IssueRecord> = fc
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

/** Records of newer bd that are not issues: memories (bd's byte style) and other kinds, any text. */
export const otherRecord: fc.Arbitrary<string> = fc.oneof(
  fc.record({ key: text, value: text }).map(({ key, value }) => serializeRecord({ _type: 'memory', key, value })),
  fc.tuple(fc.constantFrom('wisp-log', 'note', 'memory'), fc.dictionary(key, json, { maxKeys: 3 })).map(([type, rest]) => serializeRecord({ _type: type, ...(noNegativeZero(rest) as object) })),
);
