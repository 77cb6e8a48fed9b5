import { bdEscape } from '../../src/jsonl/bd-escape';
import { serializeRecord } from '../../src/jsonl/serialize-record';
import { linesOf, readFixture } from '../helpers/temp-workspace';

/** Files bd itself wrote (the others come from other tools and do not follow Go's escaping). */
const BD_WRITTEN = [
  'steveyegge__beads__issues__20251012-8d3bbbc.jsonl',
  'steveyegge__beads__issues__20251120-8e05847.jsonl',
  'steveyegge__beads__issues__20260113-ab4fba2.jsonl',
  'jdillon__vscode-beads__issues.jsonl',
  'lprior-repo__meal-planner__issues.jsonl',
];

describe('bdEscape', () => {
  it('should escape <, >, &, U+2028 and U+2029 as Go does', () => {
    expect(bdEscape('"a<b>c&d\u2028e\u2029f"')).toBe('"a\\u003cb\\u003ec\\u0026d\\u2028e\\u2029f"');
  });

  it('should leave other characters, including non-ASCII, untouched', () => {
    expect(bdEscape('"héllo 😀 \\"q\\" \\n"')).toBe('"héllo 😀 \\"q\\" \\n"');
  });
});

describe('serializeRecord', () => {
  it('should write compact JSON in the record key order with Go escaping', () => {
    const line = serializeRecord({ id: 'bd-1', title: '<b> & </b>', priority: 1, labels: ['a&b'] });
    expect(line).toBe('{"id":"bd-1","title":"\\u003cb\\u003e \\u0026 \\u003c/b\\u003e","priority":1,"labels":["a\\u0026b"]}');
    expect(JSON.parse(line)).toEqual({ id: 'bd-1', title: '<b> & </b>', priority: 1, labels: ['a&b'] });
  });

  it.each(BD_WRITTEN)('should reproduce every line of the bd-written %s from its parsed record', (name) => {
    const lines = linesOf(readFixture(name));
    const differing = lines.filter((l) => serializeRecord(JSON.parse(l)) !== l);
    expect(differing).toEqual([]);
  });
});
