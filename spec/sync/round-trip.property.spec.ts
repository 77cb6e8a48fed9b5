import fc from 'fast-check';
import type { IssueRecord } from '../../src/jsonl/parse-jsonl';
import { serializeRecord } from '../../src/jsonl/serialize-record';
import { otherRecord, record } from '../helpers/record-arbitraries';
import { TempWorkspace, byIdBytes, keyOrder, linesOf } from '../helpers/temp-workspace';

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
