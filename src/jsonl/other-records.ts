/**
 * # Records that are not issues
 *
 * Newer bd writes other kinds of record into the same JSONL, told apart by a `_type` key:
 * `bd export --include-memories` appends `{"_type":"memory","key":…,"value":…}` lines after the
 * issues (sorted by key), and marks its issue lines `{"_type":"issue","id":…}`. bd-rx reads
 * none of the other kinds; it keeps each such line byte for byte and writes them back after the
 * issues, in the order read, so a repository shared with newer bd round-trips unchanged.
 *
 * The one rule: a JSON object whose `_type` is a string other than `"issue"` is another record.
 * Anything else must be an issue (an object with a non-empty string `id`).
 */

/** One line holding another record, as read. */
export interface OtherRecordLine {
  /** 1-based line number in the file. */
  lineNo: number;
  /** The line exactly as read, without its line terminator. */
  line: string;
  /** The same line as the file's bytes, when parsed from a Buffer. */
  bytes?: Buffer;
  /** Its `_type` (`"memory"`, …). */
  type: string;
  /**
   * What makes two records "the same record" (for the git merge): `_type` plus the string `key`
   * (a memory's name), or, for a record without one, the whole line.
   */
  key: string;
}

export const ISSUE_TYPE_TAG = 'issue';

/** The `_type` of a parsed line that is another record, else undefined (it must be an issue). */
export function otherRecordType(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const type = (value as { _type?: unknown })._type;
  return typeof type === 'string' && type !== ISSUE_TYPE_TAG ? type : undefined;
}

/** See {@link OtherRecordLine.key}. */
export function otherRecordKey(type: string, value: object, line: string): string {
  const key = (value as { key?: unknown }).key;
  return typeof key === 'string' ? `${type}\u0000${key}` : `${type}\u0001${line}`;
}

const OTHER_PREFIX = Buffer.from('{"_type":"');
const ISSUE_PREFIX = Buffer.from('{"_type":"issue"');

/**
 * Whether a line in the shape bd writes (`{"_type":"…"` first, compact) is another record, from
 * its bytes alone: for the readers that skip such lines without parsing them (the lean export's
 * scan, the incremental import's walk of the base), and only ever of a file already imported.
 */
export function isOtherRecordLine(buf: Buffer, start: number, end: number): boolean {
  if (end - start < OTHER_PREFIX.length + 2) return false;
  if (buf.compare(OTHER_PREFIX, 0, OTHER_PREFIX.length, start, start + OTHER_PREFIX.length) !== 0) return false;
  const issue = end - start >= ISSUE_PREFIX.length && buf.compare(ISSUE_PREFIX, 0, ISSUE_PREFIX.length, start, start + ISSUE_PREFIX.length) === 0;
  return !issue;
}

const NEWLINE = 0x0a;

/** The lines as the file's tail: each line's bytes followed by `\n`. */
export function joinOtherRecords(lines: ReadonlyArray<Pick<OtherRecordLine, 'line' | 'bytes'>>): Buffer {
  if (lines.length === 0) return EMPTY;
  const parts: Buffer[] = [];
  for (const l of lines) parts.push(l.bytes ?? Buffer.from(l.line, 'utf8'), NEWLINE_BUF);
  return Buffer.concat(parts);
}

/**
 * The tail written by {@link joinOtherRecords}, split back into lines (the store keeps the tail as
 * one value). Keys are recomputed from each line, which was valid JSON when it was read.
 */
export function splitOtherRecords(tail: Buffer): OtherRecordLine[] {
  const out: OtherRecordLine[] = [];
  let start = 0;
  let lineNo = 0;
  while (start < tail.length) {
    let end = tail.indexOf(NEWLINE, start);
    if (end === -1) end = tail.length;
    lineNo++;
    const bytes = tail.subarray(start, end);
    start = end + 1;
    if (bytes.length === 0) continue;
    const line = bytes.toString('utf8');
    const value = JSON.parse(line) as object;
    const type = otherRecordType(value) ?? '';
    out.push({ lineNo, line, bytes, type, key: otherRecordKey(type, value, line) });
  }
  return out;
}

/**
 * `into` with the records of `from` merged in by key: a record of `from` replaces the one of
 * `into` with its key, in place, and one with a new key is appended. For an import of another
 * file (`import -i`), which merges and never deletes.
 */
export function mergeOtherRecordsByKey(into: OtherRecordLine[], from: OtherRecordLine[]): OtherRecordLine[] {
  const out = [...into];
  const at = new Map<string, number>();
  out.forEach((r, i) => at.set(r.key, i));
  for (const r of from) {
    const i = at.get(r.key);
    if (i === undefined) {
      at.set(r.key, out.length);
      out.push(r);
    } else {
      out[i] = r;
    }
  }
  return out;
}

const EMPTY = Buffer.alloc(0);
const NEWLINE_BUF = Buffer.from('\n');
