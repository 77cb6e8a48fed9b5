import { parseArgs, parseRequest } from '../../src/rpc/parse-request';
import { describeValue } from '../../src/rpc/zod-message';

const nested = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));

describe('describeValue', () => {
  it('should render small values as JSON.stringify does', () => {
    for (const value of ['high', 42, null, true, [1, 'a', null], { a: 1, b: [2, { c: 'd' }] }, [], {}]) {
      expect(describeValue(value)).toBe(JSON.stringify(value));
    }
    expect(describeValue(undefined)).toBe('nothing');
  });

  it('should cut a long value at 60 characters with an ellipsis', () => {
    const text = describeValue('x'.repeat(1_000_000));
    expect(text).toBe(`"${'x'.repeat(59)}…`);
    expect(describeValue(Array.from({ length: 100_000 }, (_, i) => i))).toBe(`${JSON.stringify([...Array(40).keys()]).slice(0, 60)}…`);
  });

  it('should render 100,000 nested arrays without overflowing the stack', () => {
    expect(describeValue(nested(100_000))).toBe(`${'['.repeat(60)}…`);
  });

  it('should not end the cut on half a surrogate pair', () => {
    const text = describeValue(`${'x'.repeat(59)}😀😀`);
    expect(text).toBe(`"${'x'.repeat(59)}…`);
  });
});

describe('zodMessage (through parseArgs)', () => {
  it('should name the first five problems of a list with a million bad elements, and count the rest', () => {
    const parsed = parseArgs('create', { title: 'x', labels: Array.from({ length: 1_000_000 }, () => 1) });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error).toBe(
      'invalid args for create: ' +
        [0, 1, 2, 3, 4].map((i) => `labels.${i}: expected a non-empty label, got 1`).join('; ') +
        '; and 999995 more problems',
    );
  });

  it('should answer a request line that is 100,000 nested arrays with an error', () => {
    const line = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(parseRequest(line)).toEqual({
      ok: false,
      error: `invalid request: expected a JSON object {operation, args}, got ${'['.repeat(60)}…`,
    });
  });
});
