import fc from 'fast-check';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { serializeRecord } from '../../src/jsonl/serialize-record';
import * as bulkLoad from '../../src/sync/bulk-load';
import { streamRecords } from '../../src/sync/stream-records';
import type { ImportOptions, ImportReport } from '../../src/sync/import-jsonl';
import { otherRecord, record } from '../helpers/record-arbitraries';
import { TempWorkspace } from '../helpers/temp-workspace';

/** The compiled parse thread (`npm test` builds before jest runs): the path `import -i` takes. */
const THREAD_SCRIPT = path.resolve(__dirname, '../../dist/sync/preparse-worker.js');

type Mode = NonNullable<ImportOptions['bulkLoad']>;
const MODES: Array<[string, Mode]> = [
  ['record by record', false],
  ['bulk, parsed inline', { script: false }],
  ['bulk, parsed on the thread', { script: THREAD_SCRIPT }],
];

/**
 * What an import leaves: the report (less its time), every row, the other records, and the JSONL
 * after an export. `writeJsonl`: see ImportOptions; 'workspace': the file imported as the
 * workspace's own JSONL (a fresh clone's first import).
 */
function outcome(ws: TempWorkspace, file: string, mode: Mode, writeJsonl: boolean | 'workspace'): unknown {
  ws.clearDb();
  if (writeJsonl === 'workspace') fs.copyFileSync(file, ws.jsonlPath);
  else fs.writeFileSync(ws.jsonlPath, '');
  let report: Omit<ImportReport, 'ms'> | { error: string };
  try {
    const opts = writeJsonl === 'workspace' ? { bulkLoad: mode } : { source: file, bulkLoad: mode, writeJsonl };
    const { ms: _ms, ...rest } = ws.import(opts);
    report = rest;
  } catch (err) {
    report = { error: `${(err as Error).name}: ${(err as Error).message}` };
  }
  const snap = ws.snapshot();
  const tables = { issues: snap.issues.sort(), labels: snap.labels.sort(), dependencies: snap.dependencies.sort(), deletions: snap.deletions };
  let exported: string;
  try {
    ws.export();
    exported = fs.readFileSync(ws.jsonlPath, 'utf8');
  } catch (err) {
    exported = `${(err as Error).name}: ${(err as Error).message}`; // the workspace's own bad file, refused again
  }
  return { report, tables, others: ws.store.otherRecords().toString('utf8'), exported };
}

describe('importJsonl of a whole file into an empty DB: the bulk load (bulk-load.ts)', () => {
  let ws: TempWorkspace;
  /** How the bulk loads of the test went: that the property compares what it claims to. */
  const loads = { bulk: 0, threaded: 0 };
  beforeAll(() => {
    ws = new TempWorkspace();
    const load = bulkLoad.loadIntoEmpty;
    jest.spyOn(bulkLoad, 'loadIntoEmpty').mockImplementation((...args) => {
      loads.bulk++;
      if (args[1].threaded) loads.threaded++;
      return load(...args);
    });
  });
  afterAll(() => {
    jest.restoreAllMocks();
    ws.dispose();
  });

  it('should leave the same rows, report and JSONL as the record-by-record import, inline and on the thread', () => {
    // Lines the bulk parse leaves to the importing thread (another record with "id" first, two
    // "id" keys, bad JSON, a lone surrogate), and lines that keep a file from the bulk load at all
    // (another record, a conflict marker).
    const oddLine = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(
        '{"id":"bd-memo","_type":"memory","key":"k","value":"v"}',
        '{"id":"bd-twice","title":"x","id":"bd-other"}',
        '{"id":"bd-bad","title":1,}',
        '{"id":"bd-half","title":"\\ud800"}',
      ) },
      { weight: 1, arbitrary: otherRecord },
      { weight: 1, arbitrary: fc.constant('<<<<<<< HEAD') },
    );
    // Ids a line's bytes give as they are (no escape): the bulk load's case; sometimes any id.
    const plainId = fc.string({ unit: fc.constantFrom('a', 'b', 'z', '0', '9', '-', '.', 'é', 'Ａ', '😀'), minLength: 1, maxLength: 6 }).map((t) => `bd-${t}`);
    const issue = fc.tuple(record, plainId, fc.nat(9)).map(([r, plain, dice]) => {
      if (dice === 0) return r;
      const { id: _id, ...rest } = r;
      return { id: plain, ...rest };
    });
    let streamed = 0;
    fc.assert(
      fc.property(
        fc.uniqueArray(issue, { selector: (r) => r.id, maxLength: 10 }),
        fc.array(fc.tuple(oddLine, fc.nat()), { maxLength: 3 }),
        fc.boolean(),
        fc.constantFrom<boolean | 'workspace'>(false, true, 'workspace'),
        (records, odd, sorted, writeJsonl) => {
          const lines = records.map(serializeRecord);
          if (sorted) lines.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
          for (const [line, at] of odd) lines.splice(at % (lines.length + 1), 0, line);
          const file = path.join(ws.root, 'incoming.jsonl');
          fs.writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
          const before = { ...loads };
          const [expected, ...others] = MODES.map(([, mode]) => outcome(ws, file, mode, writeJsonl));
          for (const got of others) expect(got).toEqual(expected);
          // A file in the export's shape (streamRecords) without a repeated id went through the
          // bulk load in both bulk modes, once on a thread (twice each when a source to be written
          // as the JSONL turned out to hold another record, and was imported again).
          const shape = streamRecords(fs.readFileSync(file), 'incoming.jsonl');
          const bulk = shape !== undefined && shape.duplicates.length === 0;
          const [all, threaded] = [loads.bulk - before.bulk, loads.threaded - before.threaded];
          if (writeJsonl === 'workspace') {
            // The workspace file is read with its stat key, not into shared memory: parsed inline.
            expect([all, threaded]).toEqual([bulk ? 2 : 0, 0]);
          } else {
            expect(all).toBe(2 * threaded);
            expect(threaded > 0).toBe(bulk);
          }
          if (bulk) streamed++;
        },
      ),
      { numRuns: 100 },
    );
    // Enough runs in the shape the bulk load takes (about 40 of 100).
    expect(streamed).toBeGreaterThan(20);
  });
});

describe('the bulk load when its parse thread fails', () => {
  let ws: TempWorkspace;
  beforeAll(() => {
    ws = new TempWorkspace();
  });
  afterAll(() => ws.dispose());

  it('should parse the rest of the file itself from the last batch taken, write the JSONL itself, and leave what the record-by-record import leaves', () => {
    // A stand-in for preparse-worker.js: the real first batch, then a failure.
    const script = path.join(ws.root, 'failing-worker.js');
    fs.writeFileSync(
      script,
      `const { workerData } = require('node:worker_threads');
       const { preparse } = require(${JSON.stringify(path.resolve(__dirname, '../../dist/sync/preparse.js'))});
       const counters = new Int32Array(workerData.counters);
       const post = (m) => { workerData.port.postMessage(m); Atomics.add(counters, 0, 1); Atomics.notify(counters, 0); };
       const data = Buffer.from(workerData.shared, 0, workerData.length);
       post(preparse(data, workerData.file, workerData.horizon).next().value);
       post({ failed: 'stopped on purpose' });`,
    );
    const lines = Array.from({ length: 2500 }, (_, i) =>
      serializeRecord({ id: `bd-${String(i).padStart(5, '0')}`, title: `t${i}`, status: 'open', priority: i % 5, labels: i % 7 === 0 ? ['l'] : [] }),
    );
    const file = path.join(ws.root, 'incoming.jsonl');
    fs.writeFileSync(file, lines.map((l) => `${l}\n`).join(''));

    for (const writeJsonl of [false, true]) {
      const failing = outcome(ws, file, { script }, writeJsonl) as { report: ImportReport; exported: string };
      const ordinary = outcome(ws, file, false, writeJsonl);

      expect(failing).toEqual(ordinary);
      expect(failing.report.created).toBe(2500);
      // Written as the JSONL (by this thread, the parse thread having failed): the source's bytes.
      expect(failing.exported).toBe(fs.readFileSync(file, 'utf8'));
    }
  });
});
