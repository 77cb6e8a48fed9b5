import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { idAt, idEquals, LineIndexBuilder, lowerBound, scanJsonl } from '../../src/sync/line-index';

const ids = ['bd-a', 'bd-b', 'bd-\uFF21', 'bd-\u{1D11E}'];
const bytes = (s: string) => Buffer.from(s, 'utf8');

function built(capacity = ids.length) {
  const b = new LineIndexBuilder(capacity);
  ids.forEach((id, i) => b.addId(id, i * 10, 9));
  return b.build('stat', 'hash', ids.length * 10);
}

describe('LineIndexBuilder', () => {
  it('should keep each id as its UTF-8 bytes, found again by a binary search in byte order', () => {
    const index = built();
    expect(ids.map((_, i) => idAt(index, i))).toEqual(ids);
    expect(lowerBound(index, bytes('bd-\uFF21'))).toBe(2);
    expect(idEquals(index, 2, bytes('bd-\uFF21'))).toBe(true);
    // Between two ids: where it would go; past the last: count.
    expect(lowerBound(index, bytes('bd-c'))).toBe(2);
    expect(idEquals(index, 2, bytes('bd-c'))).toBe(false);
    expect(lowerBound(index, bytes('bd-\u{1F600}'))).toBe(4);
    expect(lowerBound(index, bytes('bd-a'), 1)).toBe(1);
  });

  it('should add a run of an older index shifted, ids and lengths as they were', () => {
    const old = built();
    const b = new LineIndexBuilder(8);
    b.addId('bd-0', 0, 4);
    b.addRun(old, 1, 4, 100);
    const index = b.build('', '', 0);
    expect(Array.from({ length: index.count }, (_, i) => [idAt(index, i), index.offsets[i], index.lengths[i]])).toEqual([
      ['bd-0', 0, 4],
      ['bd-b', 110, 9],
      ['bd-\uFF21', 120, 9],
      ['bd-\u{1D11E}', 130, 9],
    ]);
  });

  it('should reuse recycled storage when the file has grown by a line since it was allocated', () => {
    const recycled = built(1000);
    const next = new LineIndexBuilder(1001, recycled, recycled.idStarts[recycled.count] + 8);
    next.addId('bd-z', 0, 1);
    // The same arrays: before, storage sized for 1000 lines was refused for 1001, and every
    // export of a growing file allocated a new set (~2.8 MB at 100k).
    expect(next.build('', '', 0).idBytes).toBe(recycled.idBytes);
  });

  it('should grow past its capacity without losing what it holds', () => {
    const b = new LineIndexBuilder(0);
    for (let i = 0; i < 3000; i++) b.addId(`bd-${String(i).padStart(5, '0')}-${'x'.repeat(i % 40)}`, i, 1);
    const index = b.build('', '', 0);
    expect(index.count).toBe(3000);
    expect(idAt(index, 2999)).toBe(`bd-02999-${'x'.repeat(2999 % 40)}`);
    expect(lowerBound(index, bytes('bd-01500'))).toBe(1500);
  });
});

describe('scanJsonl', () => {
  const write = (lines: string[]) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bd-rx-li-'));
    const file = path.join(dir, 'issues.jsonl');
    fs.writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
    return { file, done: () => fs.rmSync(dir, { recursive: true, force: true }) };
  };

  it('should index each issue line by id, offset and length, leaving other records out', () => {
    const lines = ['{"id":"bd-a","title":"x"}', '{"_type":"memory","key":"k","value":"v"}', '{"_type":"issue","id":"bd-\uFF21","title":"y"}'];
    const f = write(lines);
    try {
      const index = scanJsonl(f.file, 'key')!;
      const at1 = Buffer.byteLength(`${lines[0]}\n${lines[1]}\n`);
      expect([index.count, idAt(index, 0), idAt(index, 1), index.offsets[1], index.lengths[1]]).toEqual([
        2, 'bd-a', 'bd-\uFF21', at1, Buffer.byteLength(lines[2]),
      ]);
    } finally {
      f.done();
    }
  });

  it('should refuse a file whose ids repeat or go backwards, or whose id holds an escape', () => {
    for (const lines of [
      ['{"id":"bd-b"}', '{"id":"bd-a"}'],
      ['{"id":"bd-a"}', '{"id":"bd-a"}'],
      ['{"id":"bd-\\u0041"}'],
    ]) {
      const f = write(lines);
      try {
        expect(scanJsonl(f.file, 'key')).toBeUndefined();
      } finally {
        f.done();
      }
    }
  });
});
