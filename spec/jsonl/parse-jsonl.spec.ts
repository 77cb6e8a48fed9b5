import { JsonlLineError } from '../../src/jsonl/jsonl-errors';
import { parseJsonl } from '../../src/jsonl/parse-jsonl';
import { CONFLICT_FIXTURE, readFixture } from '../helpers/temp-workspace';

function refusal(text: string): JsonlLineError {
  try {
    parseJsonl(text, 'issues.jsonl');
  } catch (err) {
    expect(err).toBeInstanceOf(JsonlLineError);
    return err as JsonlLineError;
  }
  throw new Error('expected parseJsonl to refuse the file');
}

describe('parseJsonl', () => {
  it('should refuse a file with git conflict markers, naming the first marker line (224) and telling to resolve the merge', () => {
    const err = refusal(readFixture(CONFLICT_FIXTURE));
    expect(err.line).toBe(224);
    expect(err.reason).toBe('conflict-marker');
    expect(err.message).toContain('line 224');
    expect(err.message).toContain('resolve the merge');
    expect(err.message).toContain('<<<<<<< HEAD');
  });

  it('should recognise all three kinds of conflict marker', () => {
    const ok = '{"id":"x-1"}';
    expect(refusal(`${ok}\n<<<<<<< HEAD\n`).line).toBe(2);
    expect(refusal(`${ok}\n${ok}\n=======\n`).line).toBe(3);
    expect(refusal(`>>>>>>> 44f05ad (Close bd-306)\n`).line).toBe(1);
  });

  it('should report a conflict marker whose branch name is not UTF-8 as a conflict, not as bad text', () => {
    const bytes = Buffer.concat([Buffer.from('{"id":"x-1"}\n<<<<<<< '), Buffer.from([0xc8, 0x45]), Buffer.from('AD\n')]);
    let err: unknown;
    try {
      parseJsonl(bytes);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(JsonlLineError);
    expect(err).toMatchObject({ line: 2, reason: 'conflict-marker' });
  });

  it('should name the line that is not JSON', () => {
    const text = ['{"id":"x-1"}', '{"id":"x-2"}', '{"id":"x-3","title":', '{"id":"x-4"}'].join('\n') + '\n';
    const err = refusal(text);
    expect(err.reason).toBe('invalid-json');
    expect(err.line).toBe(3);
    expect(err.message).toContain('line 3');
    expect(err.message).toContain('Nothing was imported');
  });

  it.each([
    ['an object without id', '{"title":"no id"}'],
    ['a numeric id', '{"id":7,"title":"n"}'],
    ['an empty id', '{"id":"","title":"e"}'],
    ['an array', '["x-2"]'],
    ['a bare string', '"x-2"'],
    ['null', 'null'],
  ])('should refuse %s as an issue, naming its line', (_what, bad) => {
    const err = refusal(`{"id":"x-1"}\n${bad}\n{"id":"x-3"}\n`);
    expect(err.reason).toBe('missing-id');
    expect(err.line).toBe(2);
    expect(err.message).toContain('line 2');
    expect(err.message).toContain('string "id"');
  });

  it('should keep each line exactly as read with its 1-based line number, skipping blank lines', () => {
    const spaced = '{"id": "x-2", "title": "spaced"}';
    const parsed = parseJsonl(`{"id":"x-1"}\n\n${spaced}\r\n   \n{"id":"x-3"}`).issues;
    expect(parsed.map((r) => [r.lineNo, r.line, r.record.id])).toEqual([
      [1, '{"id":"x-1"}', 'x-1'],
      [3, spaced, 'x-2'],
      [5, '{"id":"x-3"}', 'x-3'],
    ]);
    expect(parsed[1].record).toEqual({ id: 'x-2', title: 'spaced' });
  });

  it('should read an empty file as no issues', () => {
    expect(parseJsonl('')).toEqual({ issues: [], others: [] });
    expect(parseJsonl('\n\n')).toEqual({ issues: [], others: [] });
  });

  it('should read the file’s bytes line by line exactly as it reads the decoded text, keeping each line’s bytes', () => {
    const text = `{"id":"x-1","title":"caf\u00e9 😀"}\n\n{"id": "x-2"}\r\n   \n{"id":"x-3","t":"\\u003c"}`;
    const buf = Buffer.from(text, 'utf8');
    const fromBytes = parseJsonl(buf).issues;
    const fromText = parseJsonl(text).issues;
    expect(fromBytes.map(({ lineNo, line, record }) => ({ lineNo, line, record }))).toEqual(fromText);
    for (const r of fromBytes) expect(r.bytes).toEqual(Buffer.from(r.line, 'utf8'));
    expect(fromBytes[1].bytes!.toString()).toBe('{"id": "x-2"}');
  });

  it('should name the same line for a conflict marker or bad JSON when given bytes', () => {
    const marker = Buffer.from('{"id":"x-1"}\n<<<<<<< HEAD\n{"id":"x-2"}\n');
    expect(() => parseJsonl(marker)).toThrow(/line 2/);
    const bad = Buffer.from('{"id":"x-1"}\r\n\n{"id":\n');
    expect(() => parseJsonl(bad)).toThrow(/line 3/);
  });

  it('should refuse bytes that are not UTF-8, naming the line and the byte, whether or not the rest of the file is valid', () => {
    const ok = Buffer.from('{"id":"x-1","title":"café 😀"}\n');
    for (const bad of [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf0, 0x9f, 0x98], [0xc0, 0xaf]]) {
      const file = Buffer.concat([ok, Buffer.from('{"id":"x-2","title":"ab'), Buffer.from(bad), Buffer.from('"}\n'), ok]);
      let err: JsonlLineError | undefined;
      try {
        parseJsonl(file);
      } catch (e) {
        err = e as JsonlLineError;
      }
      expect(err).toBeInstanceOf(JsonlLineError);
      expect(err!).toMatchObject({ line: 2, reason: 'invalid-text' });
      expect(err!.message).toContain(`byte 24 (0x${bad[0].toString(16)}) is not valid UTF-8`);
    }
  });

  it('should refuse a lone surrogate, as an escape or (given text) raw, and keep a surrogate pair', () => {
    expect(refusal('{"id":"x-1","title":"\\ud800"}\n')).toMatchObject({ line: 1, reason: 'invalid-text' });
    expect(refusal('{"id":"x-1"}\n{"id":"x-2","labels":["ok","\\uDC00x"]}\n')).toMatchObject({ line: 2, reason: 'invalid-text' });
    expect(refusal('{"id":"x-1","\ud800":1}\n').message).toContain('\\ud800, half of a UTF-16 surrogate pair');
    expect(parseJsonl(Buffer.from('{"id":"x-1","title":"\\ud83d\\ude00"}\n')).issues[0].record.title).toBe('😀');
  });
});
