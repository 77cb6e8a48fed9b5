import { NOT_UTF8, NdjsonLines } from '../../src/rpc/ndjson-lines';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('NdjsonLines', () => {
  it('should split one chunk holding several lines', () => {
    const lines = new NdjsonLines(100);
    expect(lines.push(bytes('{"a":1}\n{"b":2}\n'))).toEqual(['{"a":1}', '{"b":2}']);
    expect(lines.bufferedBytes).toBe(0);
  });

  it('should hold an unfinished line until its newline arrives', () => {
    const lines = new NdjsonLines(100);
    expect(lines.push(bytes('{"oper'))).toEqual([]);
    expect(lines.bufferedBytes).toBe(6);
    expect(lines.push(bytes('ation":"ping"}\n{"x"'))).toEqual(['{"operation":"ping"}']);
    expect(lines.bufferedBytes).toBe(4);
  });

  it('should decode a multi-byte character cut across two chunks', () => {
    const whole = bytes('{"title":"héllo ✓"}\n');
    const cut = whole.indexOf(0xe2) + 1; // inside the 3-byte ✓
    const lines = new NdjsonLines(100);
    expect(lines.push(whole.subarray(0, cut))).toEqual([]);
    expect(lines.push(whole.subarray(cut))).toEqual(['{"title":"héllo ✓"}']);
  });

  it('should accept a line of exactly the limit', () => {
    const lines = new NdjsonLines(5);
    expect(lines.push(bytes('12345\n'))).toEqual(['12345']);
    expect(lines.tooLong).toBe(false);
  });

  it('should flag a finished line over the limit and return the lines before it', () => {
    const lines = new NdjsonLines(5);
    expect(lines.push(bytes('ok\n123456\nafter\n'))).toEqual(['ok']);
    expect(lines.tooLong).toBe(true);
    expect(lines.push(bytes('more\n'))).toEqual([]);
  });

  it('should flag an unfinished line as soon as it passes the limit, never holding more', () => {
    const max = 1024 * 1024;
    const lines = new NdjsonLines(max);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let mostHeld = 0;
    for (let sent = 0; sent < 20 * max; sent += chunk.length) {
      lines.push(chunk);
      mostHeld = Math.max(mostHeld, lines.bufferedBytes);
    }
    expect(lines.tooLong).toBe(true);
    expect(mostHeld).toBeLessThanOrEqual(max);
    expect(lines.bufferedBytes).toBe(0);
  });

  it('should yield an empty string for an empty line', () => {
    expect(new NdjsonLines(10).push(bytes('\n'))).toEqual(['']);
  });

  it('should yield NOT_UTF8 from pushChecked for a line that is not valid UTF-8, and go on', () => {
    const lines = new NdjsonLines(100);
    const bad = Buffer.from([0x7b, 0xc3, 0x28, 0x7d, 0x0a]); // a 2-byte lead followed by '('
    const cut = Buffer.from('{"t":"✓"}\n', 'utf8');
    expect(lines.pushChecked(Buffer.concat([bytes('{"a":1}\n'), bad, cut.subarray(0, 7)]))).toEqual(['{"a":1}', NOT_UTF8]);
    expect(lines.pushChecked(cut.subarray(7))).toEqual(['{"t":"✓"}']);
    // A lone surrogate encoded as UTF-8 (CESU) is not UTF-8 either.
    expect(lines.pushChecked(Buffer.from([0xed, 0xa0, 0x80, 0x0a]))).toEqual([NOT_UTF8]);
  });
});
