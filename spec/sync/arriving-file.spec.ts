import * as fs from 'node:fs';
import * as path from 'node:path';
import { contentHash } from '../../src/jsonl/content-hash';
import { serializeRecord } from '../../src/jsonl/serialize-record';
import { BYTES, DONE, openArriving } from '../../src/sync/arriving-file';
import { OWN_LINE, preparse, type PreparsedBatch } from '../../src/sync/preparse';
import { preparsedRows, type PreparsedRows } from '../../src/sync/preparsed-rows';
import { makeTempDir, removeDir } from '../helpers/run-cli';

/** The compiled parse thread (`npm test` builds before jest runs): the one `import -i` starts before its read. */
const THREAD_SCRIPT = path.resolve(__dirname, '../../dist/sync/preparse-worker.js');

const plain = (b: PreparsedBatch) => ({ nums: Array.from(b.nums), text: b.text, rows: b.rows, bytes: b.bytes, next: b.next, lines: b.linesBefore, warnings: b.warnings });

function drain(rows: PreparsedRows): ReturnType<typeof plain>[] {
  const out = [];
  for (let b = rows.next(); b; b = rows.next()) out.push(plain(b));
  return out;
}

/** `n` issue lines of ~300 bytes: several of the thread's 1,000-line batches. */
function jsonl(n: number): Buffer {
  const lines = Array.from({ length: n }, (_, i) =>
    serializeRecord({ id: `ar-${String(i).padStart(5, '0')}`, title: `Issue ${i}`, description: 'x'.repeat(200), status: 'open', priority: i % 5, issue_type: 'task', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-02T00:00:00Z', labels: i % 3 ? ['a'] : [] }),
  );
  return Buffer.from(lines.join('\n') + '\n');
}

function shared(bytes: Buffer): Buffer {
  const data = Buffer.from(new SharedArrayBuffer(bytes.length));
  bytes.copy(data);
  return data;
}

describe('a file read while its parse thread already parses what has arrived (arriving-file.ts)', () => {
  let dir: string;
  beforeAll(() => {
    dir = makeTempDir('arriving');
  });
  afterAll(() => removeDir(dir));
  const horizon = Date.parse('2026-06-01T00:00:00Z');

  it('should read the whole file, say so in its progress, and give the thread the same batches and hash as a parse of the bytes', () => {
    const bytes = jsonl(3500);
    const file = path.join(dir, 'whole.jsonl');
    fs.writeFileSync(file, bytes);
    const arriving = openArriving(file)!;
    expect(Atomics.load(arriving.progress, DONE)).toBe(0);
    const rows = preparsedRows(arriving.data, 'whole.jsonl', horizon, THREAD_SCRIPT, arriving.progress);
    try {
      expect(rows.threaded).toBe(true);
      const read = arriving.finish();

      expect(read.equals(bytes)).toBe(true);
      expect([Atomics.load(arriving.progress, BYTES), Atomics.load(arriving.progress, DONE)]).toEqual([bytes.length, 1]);
      expect(drain(rows)).toEqual([...preparse(bytes, 'whole.jsonl', horizon)].map(plain));
      expect(rows.hash()).toBe(contentHash(bytes));
    } finally {
      rows.close();
    }
  });

  it('should parse only complete lines while bytes arrive, and stop at what was read when the read ends short (a file cut while read)', () => {
    const bytes = jsonl(2500);
    const data = shared(bytes);
    const progress = new Int32Array(new SharedArrayBuffer(8));
    // Published in pieces that end mid-line, then the read ends 100 bytes into a line.
    const cut = bytes.indexOf(0x0a, Math.floor(bytes.length * 0.7)) + 101;
    const rows = preparsedRows(data, 'cut.jsonl', horizon, THREAD_SCRIPT, progress);
    try {
      const publish = (at: number): void => {
        Atomics.store(progress, BYTES, at);
        Atomics.notify(progress, BYTES);
      };
      let line1000 = -1;
      for (let k = 0; k < 1000; k++) line1000 = bytes.indexOf(0x0a, line1000 + 1);
      publish(4097);
      publish(line1000 + 50); // past line 1,000: the first batch can be made, and the thread then waits mid-line
      const first = rows.next()!;
      expect(first.linesBefore).toBe(1000);
      publish(line1000 + 200_003);
      publish(cut);
      Atomics.store(progress, DONE, 1);
      Atomics.notify(progress, BYTES);

      const got = [plain(first), ...drain(rows)];
      const expected = [...preparse(bytes.subarray(0, cut), 'cut.jsonl', horizon)].map(plain);
      expect(got).toEqual(expected);
      // The cut line is left to the importing thread (it does not parse), as any bad line is:
      // the last entry is OWN_LINE, its start, its end (the cut) and its line number.
      const last = got.at(-1)!.nums.slice(-4);
      expect([last[0], last[2], last[3]]).toEqual([OWN_LINE, cut, bytes.subarray(0, cut).toString().split('\n').length]);
      expect(rows.hash()).toBe(contentHash(bytes.subarray(0, cut)));
    } finally {
      rows.close();
    }
  });
});
