import { conflictMarkerError, invalidJsonError, missingIdError } from './jsonl-errors';

/** One issue line as read: the exact text (for byte-exact re-export) and its parsed object. */
export interface JsonlRecord {
  /** 1-based line number in the file. */
  lineNo: number;
  /** The line exactly as read, without its line terminator. */
  line: string;
  record: IssueRecord;
}

/** An issue as a JSON object: every field the file carries, in the file's key order. */
export type IssueRecord = { id: string } & Record<string, unknown>;

const CONFLICT_MARKER = /^(<{7}|={7}|>{7})(\s|$)/;

/**
 * Parses a whole JSONL file, refusing it at the first line that is a git conflict marker,
 * not JSON, or not an object with a string `id`. Blank lines are skipped.
 */
export function parseJsonl(text: string, file = 'issues.jsonl'): JsonlRecord[] {
  const out: JsonlRecord[] = [];
  let start = 0;
  let lineNo = 0;
  const n = text.length;
  while (start < n) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = n;
    lineNo++;
    let line = text.slice(start, end);
    start = end + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') continue;
    if (CONFLICT_MARKER.test(line)) throw conflictMarkerError(file, lineNo, line);
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (err) {
      throw invalidJsonError(file, lineNo, (err as Error).message);
    }
    if (
      record === null ||
      typeof record !== 'object' ||
      Array.isArray(record) ||
      typeof (record as { id?: unknown }).id !== 'string' ||
      (record as { id: string }).id === ''
    ) {
      throw missingIdError(file, lineNo);
    }
    out.push({ lineNo, line, record: record as IssueRecord });
  }
  return out;
}
