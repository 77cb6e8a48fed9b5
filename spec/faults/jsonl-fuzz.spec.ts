import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { JsonlLineError } from '../../src/jsonl/jsonl-errors';
import { TempWorkspace } from '../helpers/temp-workspace';

/**
 * Issue 10: a JSONL-parser fuzz. Random and mutated real lines (spec/fixtures, real bd exports)
 * are written as the workspace JSONL and imported into a real SQLite file. The import either
 * succeeds or refuses with the named `JsonlLineError`; a refusal leaves every table unchanged.
 */

const FIXTURES = path.resolve(__dirname, '../fixtures');

/** Up to 40 lines from each fixture: enough variety, small enough for a fast CI run. */
const REAL_LINES: Buffer[] = fs
  .readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.jsonl'))
  .flatMap((f) => fs.readFileSync(path.join(FIXTURES, f), 'utf8').split('\n').filter((l) => l !== '').slice(0, 40))
  .map((l) => Buffer.from(l, 'utf8'));

type Mutation = (file: Buffer) => Buffer;

const at = (file: Buffer, where: number): number => (file.length === 0 ? 0 : where % (file.length + 1));

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([where, mask]): Mutation => (file) => {
    if (file.length === 0) return file;
    const out = Buffer.from(file);
    out[where % out.length] ^= mask;
    return out;
  }),
  fc.nat().map((where): Mutation => (file) => file.subarray(0, at(file, where))),
  fc
    .tuple(fc.nat(), fc.constantFrom('<<<<<<< HEAD', '=======', '>>>>>>> theirs', '||||||| base'))
    .map(([where, marker]): Mutation => (file) => {
      const lines = file.toString('latin1').split('\n');
      lines.splice(where % (lines.length + 1), 0, marker);
      return Buffer.from(lines.join('\n'), 'latin1');
    }),
  fc.nat().map((where): Mutation => (file) => {
    const lines = file.toString('latin1').split('\n');
    const i = where % lines.length;
    lines.splice(i, 0, lines[i]);
    return Buffer.from(lines.join('\n'), 'latin1');
  }),
  fc
    .tuple(fc.nat(), fc.constantFrom([0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf0, 0x9f], [0x80], [0x00]))
    .map(([where, bytes]): Mutation => (file) => {
      const i = at(file, where);
      return Buffer.concat([file.subarray(0, i), Buffer.from(bytes), file.subarray(i)]);
    }),
);

const randomLine: fc.Arbitrary<Buffer> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
  fc.string({ unit: 'binary', maxLength: 60 }).map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 60 }).map((a) => Buffer.from(a)),
  fc.string({ maxLength: 12 }).map((id) => Buffer.from(JSON.stringify({ id, title: id }))),
  // Newer bd's lines: memories, other record kinds, `_type:"issue"` before the id.
  fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 12 })).map(([key, value]) => Buffer.from(JSON.stringify({ _type: 'memory', key, value }))),
  fc.tuple(fc.constantFrom('memory', 'issue', 'note', ''), fc.jsonValue({ maxDepth: 1 })).map(([t, v]) => Buffer.from(JSON.stringify({ _type: t, v }))),
  fc.constantFrom(...REAL_LINES).map((l) => Buffer.concat([Buffer.from('{"_type":"issue",'), l.subarray(1)])),
);

/** git's conflict markers, diff3's `|||||||` included: a refusal names one of these lines as a conflict, and no other. */
const MARKER = /^(<{7}|\|{7}|={7}|>{7})(\s|$)/;

const lineList: fc.Arbitrary<Buffer[]> = fc.array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...REAL_LINES) }, { weight: 1, arbitrary: randomLine }), {
      minLength: 1,
  maxLength: 12,
});

const file: fc.Arbitrary<Buffer> = fc
  .tuple(lineList, fc.array(mutation, { maxLength: 3 }))
  .map(([lines, mutations]) =>
    mutations.reduce<Buffer>((f, m) => m(f), Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]))),
  );

/** The lines of `file` that are JSON objects with a string `_type` other than "issue", as bytes (no `\r`). */
function otherLinesOf(file: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  while (start < file.length) {
    let end = file.indexOf(0x0a, start);
    if (end < 0) end = file.length;
    const line = file.subarray(start, end > start && file[end - 1] === 0x0d ? end - 1 : end);
    start = end + 1;
    try {
      const v = JSON.parse(line.toString('utf8'));
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && typeof v._type === 'string' && v._type !== 'issue') out.push(line);
    } catch {
      // not JSON: not one of them
    }
  }
  return out;
}

/** Every row of every table, in rowid order: what "the DB did not change" compares. */
function dump(dbPath: string): string {
  const db = new Database(dbPath, { readonly: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .all() as Array<{ name: string }>;
    const out: Record<string, unknown[]> = {};
    for (const { name } of tables) {
      out[name] = db.prepare(`SELECT * FROM "${name.replace(/"/g, '""')}"`).raw().all();
    }
    return JSON.stringify(out, (_k, v) => (v && v.type === 'Buffer' ? Buffer.from(v.data).toString('hex') : v));
  } finally {
    db.close();
  }
}

describe('JSONL import fuzz', () => {
  let ws: TempWorkspace;

  beforeAll(() => {
    ws = new TempWorkspace();
    // A populated DB, so a wrongly applied refusal would show as a changed or missing row.
    fs.writeFileSync(ws.jsonlPath, Buffer.concat(REAL_LINES.slice(0, 20).flatMap((l) => [l, Buffer.from('\n')])));
    ws.import({ force: true });
  });

  afterAll(() => ws.dispose());

  it('should import a mutated real file or refuse it with a JsonlLineError, leaving the DB unchanged on refusal', () => {
    let refused = 0;
    let imported = 0;
    let withOthers = 0;
    fc.assert(
      fc.property(file, (bytes) => {
        fs.writeFileSync(ws.jsonlPath, bytes);
        const before = dump(ws.dbPath);
        try {
          const r = ws.import({ force: true });
          imported++;
          // The lines of other kinds are kept byte for byte, in file order, for the export to write back.
          const others = otherLinesOf(bytes);
          expect(ws.store.otherRecords().equals(Buffer.concat(others.flatMap((l) => [l, Buffer.from('\n')])))).toBe(true);
          expect(r.other_records ?? 0).toBe(others.length);
          if (others.length > 0) withOthers++;
        } catch (err) {
          if (!(err instanceof JsonlLineError)) throw err;
          expect(err.message).toMatch(/line \d+ .*Nothing was imported\.$/);
          const named = bytes.toString('utf8').split('\n')[err.line - 1].replace(/\r$/, '');
          expect(MARKER.test(named)).toBe(err.reason === 'conflict-marker');
          expect(dump(ws.dbPath)).toBe(before);
          refused++;
        }
      }),
      { numRuns: 250 },
    );
    // Both outcomes were exercised, so neither half of the property is vacuous.
    expect(refused).toBeGreaterThan(10);
    expect(imported).toBeGreaterThan(10);
    expect(withOthers).toBeGreaterThan(3);
  });
});
