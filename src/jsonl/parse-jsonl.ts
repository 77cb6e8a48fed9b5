import { isUtf8 } from 'node:buffer';
import { findLoneSurrogate, loneSurrogateAt } from '../text/lone-surrogate';
import { conflictMarkerError, invalidJsonError, invalidTextError, missingIdError } from './jsonl-errors';

/** One issue line as read: the exact text (for byte-exact re-export) and its parsed object. */
export interface JsonlRecord {
  /** 1-based line number in the file. */
  lineNo: number;
  /** The line exactly as read, without its line terminator. */
  line: string;
  /** The same line as the file's bytes, when parsed from a Buffer (stored without re-encoding). */
  bytes?: Buffer;
  record: IssueRecord;
}

/** An issue as a JSON object: every field the file carries, in the file's key order. */
export type IssueRecord = { id: string } & Record<string, unknown>;

const CONFLICT_MARKER = /^(<{7}|={7}|>{7})(\s|$)/;
/** A `\uD800`–`\uDFFF` escape: the only way a lone surrogate gets into a line of valid UTF-8. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * Parses a whole JSONL file, refusing it at the first line that is a git conflict marker,
 * not JSON, or not an object with a string `id`, or whose text is not valid UTF-8 (bytes that
 * decode only to U+FFFD, a lone surrogate escape): RFC 8259 JSON text is UTF-8, and such a line
 * could not be stored, shown and exported unchanged. Blank lines are skipped.
 *
 * Given the file's bytes, each line is decoded on its own: a file with one non-ASCII character
 * decodes, as a whole, to a two-byte string, and then every line of it is two-byte too, which
 * JSON.parse and SQLite's UTF-8 binding both handle more slowly (~35 % on a 100k file).
 */
export function parseJsonl(data: string | Buffer, file = 'issues.jsonl'): JsonlRecord[] {
  const out: JsonlRecord[] = [];
  let start = 0;
  let lineNo = 0;
  if (typeof data === 'string') {
    const n = data.length;
    while (start < n) {
      let end = data.indexOf('\n', start);
      if (end === -1) end = n;
      lineNo++;
      let line = data.slice(start, end);
      start = end + 1;
      if (line.endsWith('\r')) line = line.slice(0, -1);
      const parsed = parseLine(line, lineNo, file, true);
      if (parsed) out.push({ lineNo, line, record: parsed });
    }
    return out;
  }
  const n = data.length;
  // One pass over the whole file (simdutf, GB/s); only a file that fails it checks line by line.
  const checkLines = !isUtf8(data);
  while (start < n) {
    let end = data.indexOf(0x0a, start);
    if (end === -1) end = n;
    lineNo++;
    const stop = end > start && data[end - 1] === 0x0d ? end - 1 : end;
    const bytes = data.subarray(start, stop);
    start = end + 1;
    if (checkLines) assertUtf8(bytes, lineNo, file);
    const line = bytes.toString('utf8');
    const parsed = parseLine(line, lineNo, file);
    if (parsed) out.push({ lineNo, line, bytes, record: parsed });
  }
  return out;
}

/**
 * One line of a file's bytes, as `parseJsonl` reads it (a `\r` before the newline dropped):
 * for a reader that parses only some lines (the incremental import). Undefined for a blank line.
 */
export function parseJsonlLine(data: Buffer, start: number, end: number, lineNo: number, file = 'issues.jsonl'): JsonlRecord | undefined {
  const stop = end > start && data[end - 1] === 0x0d ? end - 1 : end;
  const bytes = data.subarray(start, stop);
  assertUtf8(bytes, lineNo, file);
  const line = bytes.toString('utf8');
  const record = parseLine(line, lineNo, file);
  return record ? { lineNo, line, bytes, record } : undefined;
}

/** Where a line's bytes stop being UTF-8: the first byte of the first character that does not decode. */
function firstBadByte(bytes: Buffer): number {
  for (let i = 0; i < bytes.length; ) {
    const c = bytes[i];
    const len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    // isUtf8 on the one character also refuses overlong forms, surrogates and cut sequences.
    if (len === 0 || !isUtf8(bytes.subarray(i, i + len)) || i + len > bytes.length) return i;
    i += len;
  }
  return -1;
}

function assertUtf8(bytes: Buffer, lineNo: number, file: string): void {
  if (isUtf8(bytes)) return;
  const at = Math.max(0, firstBadByte(bytes));
  throw invalidTextError(file, lineNo, `byte ${at + 1} (0x${bytes[at].toString(16).padStart(2, '0')}) is not valid UTF-8`);
}

/** The record on one line; undefined for a blank line; throws for anything else. */
function parseLine(line: string, lineNo: number, file: string, fromString = false): IssueRecord | undefined {
  if (line.trim() === '') return undefined;
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
  // A line decoded from bytes that are UTF-8 can hold a lone surrogate only as an escape.
  if (SURROGATE_ESCAPE.test(line) || (fromString && loneSurrogateAt(line) !== -1)) {
    const lone = findLoneSurrogate(record);
    if (lone) throw invalidTextError(file, lineNo, `it holds ${lone}, half of a UTF-16 surrogate pair, which is no Unicode character`);
  }
  return record as IssueRecord;
}
