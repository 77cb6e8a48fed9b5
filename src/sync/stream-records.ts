import { repeatedIdKeyError } from '../jsonl/jsonl-errors';
import type { OtherRecordLine } from '../jsonl/other-records';
import { isIssueLine, parseJsonlLine, type JsonlRecord } from '../jsonl/parse-jsonl';
import { compareTimestamps } from '../jsonl/rfc3339';
import { idOfLine, utf8Id } from './line-index';

/** The records an import merges, by id: a Map, or {@link streamRecords}' one-at-a-time view. */
export interface IncomingRecords {
  readonly size: number;
  has(id: string): boolean;
  [Symbol.iterator](): Iterator<[string, JsonlRecord]>;
}

export interface StreamedRecords {
  records: IncomingRecords;
  duplicates: Duplicate[];
  /** Filled as `records` is iterated. */
  others: OtherRecordLine[];
  /**
   * The file is, byte for byte, what an export of its issues writes: lines in the export's
   * shape, ids strictly ascending in byte order (so no duplicates), newline-terminated.
   */
  inExportOrder: boolean;
  /** Line `lineNo`'s id (1-based), as this first pass read it from the line's bytes. */
  idOfLine(lineNo: number): string;
}

export interface Duplicate {
  id: string;
  lines: number[];
  kept_line: number;
}

const NEWLINE = 0x0a;

/**
 * The records of a whole JSONL file as a full import merges them (one per id; of the same id
 * twice, the newest `updated_at`, a tie to the later line), parsed one at a time as they are
 * merged instead of all up front: at 100k issues the parsed records were ~200 MB of the
 * import's ~500 MB. A first pass reads only each line's id from its bytes (as the line index
 * does), so ids, count and duplicates are known before any merge; a line of another record
 * (`{"_type":…` first) sends the file to the full parse. Undefined when a line is not
 * in the export's shape (`{"id":"…"` first, no `\r`, no blank line): the caller parses in full,
 * which also reports a bad line exactly as before. Iterating may throw a JSONL line error (bad
 * JSON; an object with two "id" keys, which only a full parse would read as its last), from
 * inside the caller's transaction, which then rolls back.
 */
export function streamRecords(
  data: Buffer,
  file: string,
): StreamedRecords | undefined {
  const ids = new Set<string>();
  /** Line k's id: the second pass reads it here instead of from the bytes again. */
  const order: string[] = [];
  let repeated: Set<string> | undefined;
  // The raw ids are latin1 decodings of their bytes, so `<` is byte order (see line-index.ts).
  let last = '';
  let inExportOrder = true;
  for (let at = 0; at < data.length; ) {
    let nl = data.indexOf(NEWLINE, at);
    if (nl < 0) nl = data.length;
    const raw = idOfLine(data, at, nl);
    if (raw === undefined) return undefined;
    if (inExportOrder && at > 0 && !(last < raw)) inExportOrder = false;
    last = raw;
    const id = utf8Id(raw);
    order.push(id);
    if (ids.has(id)) (repeated ??= new Set()).add(id);
    else ids.add(id);
    at = nl + 1;
  }
  // Every line an issue line in the export's shape, ids strictly ascending, a newline after the
  // last: the bytes an export of exactly these rows writes (unless a line turns out to be
  // another record, which only its parse can tell; the caller checks `others`).
  inExportOrder &&= data.length > 0 && data[data.length - 1] === NEWLINE;
  const winners = new Map<string, JsonlRecord>();
  const duplicates: Duplicate[] = [];
  if (repeated) {
    // Rare: every line of a repeated id parsed now, the winner kept for its first line's place.
    const lines = new Map<string, JsonlRecord[]>();
    try {
      eachLine(data, (start, end, lineNo) => {
        const raw = idOfLine(data, start, end)!;
        const id = utf8Id(raw);
        if (!repeated!.has(id)) return;
        const parsed = parseJsonlLine(data, start, end, lineNo, file)!;
        if (!isIssueLine(parsed)) throw new Error('not an issue');
        let list = lines.get(id);
        if (!list) lines.set(id, (list = []));
        list.push(parsed);
      });
    } catch {
      return undefined; // a bad line, or another record: the full parse reads the file
    }
    for (const [id, list] of [...lines].sort((a, b) => a[1][1].lineNo - b[1][1].lineNo)) {
      let kept = list[0];
      for (const r of list.slice(1)) if (compareTimestamps(r.record.updated_at, kept.record.updated_at) >= 0) kept = r;
      winners.set(id, kept);
      duplicates.push({ id, lines: list.map((r) => r.lineNo), kept_line: kept.lineNo });
    }
  }
  const others: OtherRecordLine[] = [];
  const records: IncomingRecords = {
    size: ids.size,
    has: (id) => ids.has(id),
    *[Symbol.iterator]() {
      const done = new Set<string>();
      let at = 0;
      let lineNo = 0;
      while (at < data.length) {
        let nl = data.indexOf(NEWLINE, at);
        if (nl < 0) nl = data.length;
        const start = at;
        at = nl + 1;
        lineNo++;
        const id = order[lineNo - 1];
        const winner = repeated && winners.get(id);
        if (winner) {
          if (done.has(id)) continue;
          done.add(id);
          yield [id, winner] as [string, JsonlRecord];
          continue;
        }
        const parsed = parseJsonlLine(data, start, nl, lineNo, file)!;
        if (!isIssueLine(parsed)) {
          // Another record whose first key is "id" (see other-records.ts): kept aside, as the full parse does.
          others.push(parsed);
          continue;
        }
        if (parsed.record.id !== id) throw repeatedIdKeyError(file, lineNo);
        yield [id, parsed] as [string, JsonlRecord];
      }
    },
  };
  return { records, duplicates, others, inExportOrder, idOfLine: (lineNo) => order[lineNo - 1] };
}

function eachLine(data: Buffer, fn: (start: number, end: number, lineNo: number) => void): void {
  let lineNo = 0;
  for (let at = 0; at < data.length; ) {
    let nl = data.indexOf(NEWLINE, at);
    if (nl < 0) nl = data.length;
    fn(at, nl, ++lineNo);
    at = nl + 1;
  }
}
