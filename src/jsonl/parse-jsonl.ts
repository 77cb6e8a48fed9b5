import { isUtf8 } from 'node:buffer';
import { findLoneSurrogate, loneSurrogateAt } from '../text/lone-surrogate';
import { conflictMarkerError, invalidJsonError, invalidTextError, missingIdError } from './jsonl-errors';
import { otherRecordKey, otherRecordType, type OtherRecordLine } from './other-records';

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

/** A whole file as read: its issue lines, and the lines of other records (see other-records.ts), each in file order. */
export interface ParsedJsonl {
  issues: JsonlRecord[];
  others: OtherRecordLine[];
}

/** One non-blank line: an issue or another record. */
export type JsonlLine = JsonlRecord | OtherRecordLine;

export function isIssueLine(l: JsonlLine): l is JsonlRecord {
  return 'record' in l;
}

/** git's markers, diff3's `||||||| base` included (`merge.conflictStyle = diff3` or `zdiff3`). */
const CONFLICT_MARKER = /^(<{7}|\|{7}|={7}|>{7})(\s|$)/;
/** A `\uD800`–`\uDFFF` escape: the only way a lone surrogate gets into a line of valid UTF-8. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * Parses a whole JSONL file, refusing it at the first line that is a git conflict marker,
 * not JSON, or neither an issue (an object with a string `id`) nor another record (see
 * other-records.ts), or whose text is not valid UTF-8 (bytes that decode only to U+FFFD, a
 * lone surrogate escape): RFC 8259 JSON text is UTF-8, and such a line could not be stored,
 * shown and exported unchanged. Blank lines are skipped.
 *
 * Given the file's bytes, each line is decoded on its own: a file with one non-ASCII character
 * decodes, as a whole, to a two-byte string, and then every line of it is two-byte too, which
 * JSON.parse and SQLite's UTF-8 binding both handle more slowly (~35 % on a 100k file).
 */
export function parseJsonl(data: string | Buffer, file = 'issues.jsonl'): ParsedJsonl {
  const out: ParsedJsonl = { issues: [], others: [] };
  const add = (l: JsonlLine | undefined): void => {
    if (!l) return;
    if (isIssueLine(l)) out.issues.push(l);
    else out.others.push(l);
  };
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
      add(parseLine(line, undefined, lineNo, file));
    }
    return out;
  }
  const n = data.length;
  while (start < n) {
    let end = data.indexOf(0x0a, start);
    if (end === -1) end = n;
    lineNo++;
    add(parseJsonlLine(data, start, end, lineNo, file));
    start = end + 1;
  }
  return out;
}

/**
 * One line of a file's bytes, as `parseJsonl` reads it (a `\r` before the newline dropped):
 * for a reader that parses only some lines (the incremental import). Undefined for a blank line.
 */
export function parseJsonlLine(data: Buffer, start: number, end: number, lineNo: number, file = 'issues.jsonl'): JsonlLine | undefined {
  const stop = end > start && data[end - 1] === 0x0d ? end - 1 : end;
  const bytes = data.subarray(start, stop);
  assertUtf8(bytes, lineNo, file);
  return parseLine(bytes.toString('utf8'), bytes, lineNo, file);
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
  // A conflict marker is one whatever bytes follow it (a branch name in another encoding): the
  // merge is what the user must resolve, so that is what the refusal names.
  if (CONFLICT_MARKER.test(bytes.toString('latin1', 0, 8))) throw conflictMarkerError(file, lineNo, bytes.toString('utf8'));
  const at = Math.max(0, firstBadByte(bytes));
  throw invalidTextError(file, lineNo, `byte ${at + 1} (0x${bytes[at].toString(16).padStart(2, '0')}) is not valid UTF-8`);
}

/** The record on one line; undefined for a blank line; throws for anything else. */
function parseLine(line: string, bytes: Buffer | undefined, lineNo: number, file: string): JsonlLine | undefined {
  if (line.trim() === '') return undefined;
  if (CONFLICT_MARKER.test(line)) throw conflictMarkerError(file, lineNo, line);
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch (err) {
    throw invalidJsonError(file, lineNo, (err as Error).message);
  }
  // Decoded from bytes that are UTF-8, a line can hold a lone surrogate only as an escape.
  // `includes` first: a native search, where the expression costs ~1.5 µs on a 1 kB line.
  if ((line.includes('\\u') && SURROGATE_ESCAPE.test(line)) || (!bytes && loneSurrogateAt(line) !== -1)) {
    const lone = findLoneSurrogate(record);
    if (lone) throw invalidTextError(file, lineNo, `it holds ${lone}, half of a UTF-16 surrogate pair, which is no Unicode character`);
  }
  const type = otherRecordType(record);
  if (type !== undefined) {
    const key = otherRecordKey(type, record as object, line);
    return bytes ? { lineNo, line, bytes, type, key } : { lineNo, line, type, key };
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
  const issue = record as IssueRecord;
  return bytes ? { lineNo, line, bytes, record: issue } : { lineNo, line, record: issue };
}
