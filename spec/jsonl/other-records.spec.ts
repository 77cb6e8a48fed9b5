import { JsonlLineError } from '../../src/jsonl/jsonl-errors';
import { isOtherRecordLine, joinOtherRecords, mergeOtherRecordsByKey, splitOtherRecords } from '../../src/jsonl/other-records';
import { parseJsonl } from '../../src/jsonl/parse-jsonl';
import { MEMORIES, memoryLine, newerBdExport, typedIssueLine } from '../helpers/newer-bd';

function refusal(text: string): JsonlLineError {
  try {
    parseJsonl(text, 'issues.jsonl');
  } catch (err) {
    expect(err).toBeInstanceOf(JsonlLineError);
    return err as JsonlLineError;
  }
  throw new Error('expected parseJsonl to refuse the file');
}

describe('parseJsonl with newer bd records', () => {
  it('should read a bd 1.0 export with memories: every _type:"issue" line an issue, every memory kept as read, in order', () => {
    const text = newerBdExport();
    const parsed = parseJsonl(Buffer.from(text, 'utf8'));
    expect(parsed.issues).toHaveLength(18);
    expect(parsed.issues[0].record).toMatchObject({ _type: 'issue', id: 'bd-1' });
    expect(parsed.others.map((o) => o.line)).toEqual(MEMORIES);
    expect(parsed.others.map((o) => [o.lineNo, o.type, o.key])).toEqual([
      [19, 'memory', 'memory\u0000build'],
      [20, 'memory', 'memory\u0000deploy-target'],
      [21, 'memory', 'memory\u0000style'],
    ]);
    for (const o of parsed.others) expect(o.bytes!.toString('utf8')).toBe(o.line);
  });

  it('should keep a record of any other _type, with or without a key, wherever it is in the file', () => {
    const odd = '{"title":"x","_type":"wisp-log","n":1}';
    const parsed = parseJsonl(`${odd}\n{"id":"x-1"}\n${memoryLine('k', 'v')}\n{"id":"x-2"}\n`);
    expect(parsed.issues.map((r) => r.record.id)).toEqual(['x-1', 'x-2']);
    expect(parsed.others.map((o) => [o.lineNo, o.line, o.key])).toEqual([
      [1, odd, `wisp-log\u0001${odd}`],
      [3, memoryLine('k', 'v'), 'memory\u0000k'],
    ]);
  });

  it('should still refuse a line that is neither: no id, a non-string _type, or _type "issue" without an id', () => {
    for (const bad of ['{"title":"no id"}', '{"_type":7,"title":"t"}', '{"_type":"issue","title":"t"}']) {
      const err = refusal(`{"id":"x-1"}\n${bad}\n`);
      expect(err.reason).toBe('missing-id');
      expect(err.line).toBe(2);
      expect(err.message).toContain('"_type"');
    }
  });
});

describe('diff3 conflict markers', () => {
  it('should refuse a `||||||| base` line as a git conflict marker naming its line, not as invalid JSON', () => {
    const err = refusal(`{"id":"x-1"}\n||||||| base\n{"id":"x-2"}\n`);
    expect(err.reason).toBe('conflict-marker');
    expect(err.line).toBe(2);
    expect(err.message).toContain('line 2 is a git conflict marker ("||||||| base")');
    expect(err.message).toContain('resolve the merge');
  });

  it('should name the first marker of a whole diff3 conflict, and accept a bare `|||||||` (zdiff3) too', () => {
    const ok = '{"id":"x-1"}';
    const diff3 = [ok, '<<<<<<< ours', '{"id":"x-2","title":"a"}', '||||||| base', '{"id":"x-2"}', '=======', '{"id":"x-2","title":"b"}', '>>>>>>> theirs'];
    expect(refusal(diff3.join('\n') + '\n').line).toBe(2);
    expect(refusal(`${ok}\n|||||||\n`).reason).toBe('conflict-marker');
    expect(refusal(`${ok}\n|||||||\n`).line).toBe(2);
    // Six bars is not git's marker: that line is plain bad JSON.
    expect(refusal(`${ok}\n|||||| base\n`).reason).toBe('invalid-json');
  });
});

describe('other record lines', () => {
  it('should tell another record from an issue by its first bytes, as bd writes both', () => {
    const at = (l: string) => isOtherRecordLine(Buffer.from(l), 0, Buffer.byteLength(l));
    expect(at(memoryLine('k', 'v'))).toBe(true);
    expect(at(typedIssueLine('{"id":"x-1"}'))).toBe(false);
    expect(at('{"id":"x-1","_type":"memory"}')).toBe(false);
    expect(at('{"_type":"issues-not","id":"x"}')).toBe(true);
  });

  it('should join lines into the tail the export writes and split it back, keys and bytes intact', () => {
    const parsed = parseJsonl(Buffer.from(`{"id":"x-1"}\n${MEMORIES.join('\n')}\n`));
    const tail = joinOtherRecords(parsed.others);
    expect(tail.toString('utf8')).toBe(MEMORIES.map((l) => `${l}\n`).join(''));
    expect(splitOtherRecords(tail).map((o) => [o.line, o.key])).toEqual(parsed.others.map((o) => [o.line, o.key]));
    expect(joinOtherRecords([])).toEqual(Buffer.alloc(0));
  });

  it('should merge another file’s records in by key: replaced in place, new ones appended', () => {
    const mine = splitOtherRecords(Buffer.from(`${memoryLine('a', '1')}\n${memoryLine('b', '1')}\n`));
    const incoming = splitOtherRecords(Buffer.from(`${memoryLine('c', '3')}\n${memoryLine('a', '2')}\n`));
    expect(mergeOtherRecordsByKey(mine, incoming).map((o) => o.line)).toEqual([memoryLine('a', '2'), memoryLine('b', '1'), memoryLine('c', '3')]);
  });
});
