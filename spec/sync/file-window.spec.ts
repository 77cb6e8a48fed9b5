import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { FileWindow } from '../../src/sync/file-window';

describe('FileWindow', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bd-rx-window-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Opens a real file holding `bytes`, runs `fn` on its descriptor, closes it. */
  function withFile<T>(bytes: Buffer, fn: (fd: number) => T): T {
    const file = path.join(dir, `f-${Math.random().toString(36).slice(2)}`);
    fs.writeFileSync(file, bytes);
    const fd = fs.openSync(file, 'r');
    try {
      return fn(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  it('should find every line of a file, whatever the read size, and hand each byte once, in order, to onRead', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 40 }).map((s) => s.replace(/\n/g, ' ')), { maxLength: 30 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 50 }),
        (lines, trailingNewline, chunk) => {
          const text = lines.join('\n') + (trailingNewline && lines.length ? '\n' : '');
          const bytes = Buffer.from(text, 'utf8');
          const got = withFile(bytes, (fd) => {
            const hash = createHash('sha256');
            let seen = 0;
            const w = new FileWindow(fd, chunk, (b) => {
              seen += b.length;
              hash.update(b);
            });
            const found: string[] = [];
            let at = 0;
            while (w.fill(at, 1) > 0) {
              const nl = w.newline(at);
              const end = nl < 0 ? w.end : nl;
              found.push(w.buf.toString('utf8', at - w.base, end - w.base));
              at = end + 1;
            }
            return { found, seen, hash: hash.digest('hex'), end: w.end, atEnd: w.atEnd };
          });
          // A newline ends a line; the bytes after the last one, if any, are one more.
          const expected = text === '' ? [] : (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
          expect(got.found).toEqual(expected);
          expect(got).toMatchObject({ seen: bytes.length, end: bytes.length, atEnd: true });
          expect(got.hash).toBe(createHash('sha256').update(bytes).digest('hex'));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('should make a range longer than its buffer readable, and say how much of it the file holds', () => {
    const bytes = Buffer.from('0123456789'.repeat(10));
    withFile(bytes, (fd) => {
      const w = new FileWindow(fd, 4);
      expect(w.fill(10, 60)).toBe(60);
      expect(w.buf.toString('latin1', 10 - w.base, 70 - w.base)).toBe(bytes.toString('latin1', 10, 70));
      expect(w.fill(95, 20)).toBe(5);
      expect(w.buf.toString('latin1', 95 - w.base, 100 - w.base)).toBe('56789');
    });
  });

  it('should refuse to go back behind the bytes it dropped', () => {
    withFile(Buffer.from('a\nb\nc\n'.repeat(20)), (fd) => {
      const w = new FileWindow(fd, 4);
      w.fill(100, 4);
      expect(() => w.fill(0, 1)).toThrow(/reads forward only/);
    });
  });

  it('should read the same file again from its start through a rewound window, without telling onRead', () => {
    withFile(Buffer.from('one\ntwo\n'), (fd) => {
      let told = 0;
      const w = new FileWindow(fd, 2, (b) => void (told += b.length));
      w.fill(0, 8);
      w.newline(7);
      const again = w.rewound();
      expect(again.fill(0, 3)).toBe(3);
      expect(again.buf.toString('latin1', 0, 3)).toBe('one');
      expect(told).toBe(8);
    });
  });
});
