import { JsonlLineError } from '../../src/jsonl/jsonl-errors';
import { streamRecords } from '../../src/sync/stream-records';

const line = (id: string, updated: string, title = id): string => JSON.stringify({ id, title, updated_at: updated });

describe('streamRecords', () => {
  it('should give one record per id, the newest of a repeated id (a tie to the later line) in its first line\'s place', () => {
    const file = Buffer.from(
      [
        line('bd-a', '2025-01-01T00:00:00Z', 'a old'),
        line('bd-b', '2025-01-02T00:00:00Z', 'b kept'),
        line('bd-a', '2025-01-03T00:00:00Z', 'a new'),
        line('bd-c', '2025-01-01T00:00:00Z'),
        line('bd-b', '2025-01-01T00:00:00Z', 'b older'),
        line('bd-c', '2025-01-01T00:00:00Z', 'c tie, later line'),
      ].join('\n') + '\n',
    );
    const streamed = streamRecords(file, 'issues.jsonl')!;
    const records = [...streamed.records].map(([id, r]) => [id, r.record.title, r.lineNo]);
    expect(records).toEqual([
      ['bd-a', 'a new', 3],
      ['bd-b', 'b kept', 2],
      ['bd-c', 'c tie, later line', 6],
    ]);
    expect(streamed.records.size).toBe(3);
    expect(streamed.records.has('bd-c')).toBe(true);
    expect(streamed.records.has('bd-d')).toBe(false);
    expect(streamed.duplicates).toEqual([
      { id: 'bd-a', lines: [1, 3], kept_line: 3 },
      { id: 'bd-b', lines: [2, 5], kept_line: 2 },
      { id: 'bd-c', lines: [4, 6], kept_line: 6 },
    ]);
  });

  it('should decline a file not in the export shape (blank line, CRLF, another key first), for the full parse to read', () => {
    const a = line('bd-a', '2025-01-01T00:00:00Z');
    expect(streamRecords(Buffer.from(`${a}\n\n${line('bd-b', '2025-01-01T00:00:00Z')}\n`), 'f')).toBeUndefined();
    expect(streamRecords(Buffer.from(`${a}\r\n`), 'f')).toBeUndefined();
    expect(streamRecords(Buffer.from(`{"title":"x","id":"bd-a"}\n`), 'f')).toBeUndefined();
  });

  it('should refuse, naming the line, an object whose "id" key is repeated', () => {
    const file = Buffer.from(`${line('bd-a', '2025-01-01T00:00:00Z')}\n{"id":"bd-b","title":"t","id":"bd-z"}\n`);
    const streamed = streamRecords(file, 'issues.jsonl')!;
    let error: unknown;
    try {
      for (const _ of streamed.records) void _;
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(JsonlLineError);
    expect(error).toMatchObject({ line: 2, reason: 'repeated-id-key' });
  });
});
