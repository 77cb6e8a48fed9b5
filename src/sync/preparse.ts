import { isIssueLine, parseJsonlLine } from '../jsonl/parse-jsonl';
import { rowColumns, rowDependencies, rowLabels } from '../store/row-values';
import { arrived } from './arriving-file';
import { countWarnings, noWarnings, type ImportWarnings } from './import-warnings';

/**
 * # The bulk load's parse, apart from its inserts
 *
 * A whole JSONL file into an empty DB (`import -i` into a fresh workspace) is two jobs of about
 * the same size: parsing every line (JSON.parse, the checks of parse-jsonl.ts, the warnings,
 * the values each row stores) and SQLite's inserts. This is the first job, as batches of plain
 * values a consumer inserts without parsing anything: on a thread of its own
 * (preparse-worker.ts) while the import's thread inserts, or inline (bulk-load.ts).
 *
 * Each line becomes an entry of its batch, numbers in `nums` and text in `text` (each string as
 * its length in `nums`, -1 for null, and its characters appended to `text`): structured clone
 * copies a typed array and one string at memcpy speed, where ~13 values a row as an array of
 * JS values cost the thread ~0.1–0.5 s and the importing thread ~0.1 s to pass at 100k issues.
 * - `ISSUE_ROW, start, stop, <id>, <title>, <status>, priority (NaN for null), <issue_type>,
 *   <assignee>, <created_at>, <updated_at>, labelCount, <label>…, depCount, (<dependsOn>, <type>)…`
 *   (the `rowColumns` of the record, in their order) for an issue line that parsed (`stop`: the
 *   end of its bytes, as parseJsonlLine keeps them). The consumer checks that its id is the one
 *   the import's first pass read from its bytes (two "id" keys parse as the last one);
 * - `OWN_LINE, start, end, lineNo` for any other line (not JSON, another record, two "id" keys,
 *   …): the consumer parses it itself and does what the ordinary import does with it (throws
 *   the same error, keeps the other record), so no error is made or worded twice.
 */
export const ISSUE_ROW = 0;
export const OWN_LINE = 1;

export interface PreparsedBatch {
  nums: Float64Array;
  text: string;
  /** ISSUE_ROW entries in this batch, and their bytes with a newline each (for the progress meter). */
  rows: number;
  bytes: number;
  /** The ISSUE_ROW records' warnings (OWN_LINE lines are the consumer's). */
  warnings: ImportWarnings;
  /** Where the batch after this one starts: a byte offset and the number of lines before it. */
  next: number;
  linesBefore: number;
}

/** Reads a batch's entries back (see above). */
export class BatchReader {
  private at = 0;
  private textAt = 0;

  constructor(private readonly batch: PreparsedBatch) {}

  get done(): boolean {
    return this.at >= this.batch.nums.length;
  }

  num(): number {
    return this.batch.nums[this.at++];
  }

  str(): string | null {
    const n = this.batch.nums[this.at++];
    if (n < 0) return null;
    const s = this.batch.text.slice(this.textAt, this.textAt + n);
    this.textAt += n;
    return s;
  }
}

const NEWLINE = 0x0a;
const LINES_PER_BATCH = 1000;

/**
 * The batches of `data` (a whole file, every line in the export's shape: see streamRecords)
 * from byte `from`, the start of line `linesBefore + 1`. `horizon`: see countWarnings.
 * With `progress`, `data` is still arriving (arriving-file.ts): only complete lines of what has
 * arrived are read, and the parse waits for more.
 */
export function* preparse(data: Buffer, file: string, horizon: number, from = 0, linesBefore = 0, progress?: Int32Array): Generator<PreparsedBatch> {
  let at = from;
  let lineNo = linesBefore;
  let limit = 0;
  let done = false;
  let view = data;
  /** What has arrived, waiting a while for more than `have` bytes. */
  const refresh = (have: number): void => {
    ({ bytes: limit, done } = arrived(progress, data.length, have));
    view = data.subarray(0, limit);
  };
  refresh(from);
  /** The end of the line starting at `at` (its newline, or the end of the file), once it has all arrived. */
  const lineEnd = (): number => {
    for (;;) {
      const nl = view.indexOf(NEWLINE, at);
      if (nl >= 0) return nl;
      if (done) return limit;
      refresh(limit);
    }
  };
  const more = (): boolean => {
    while (at >= limit && !done) refresh(limit);
    return at < limit;
  };
  while (more()) {
    const nums: number[] = [];
    const parts: string[] = [];
    const str = (s: string | null): void => {
      if (s === null) nums.push(-1);
      else {
        nums.push(s.length);
        parts.push(s);
      }
    };
    const warnings = noWarnings();
    let rows = 0;
    let bytes = 0;
    for (let n = 0; n < LINES_PER_BATCH && more(); n++) {
      const nl = lineEnd();
      const start = at;
      at = nl + 1;
      lineNo++;
      let parsed;
      try {
        parsed = parseJsonlLine(data, start, nl, lineNo, file);
      } catch {
        parsed = undefined;
      }
      if (!parsed || !isIssueLine(parsed)) {
        nums.push(OWN_LINE, start, nl, lineNo);
        continue;
      }
      const { record } = parsed;
      const length = parsed.bytes!.length;
      countWarnings(record, warnings, horizon);
      nums.push(ISSUE_ROW, start, start + length);
      str(record.id);
      const [title, status, priority, issueType, assignee, createdAt, updatedAt] = rowColumns(record);
      str(title);
      str(status);
      nums.push(priority ?? NaN);
      str(issueType);
      str(assignee);
      str(createdAt);
      str(updatedAt);
      const labels = rowLabels(record);
      nums.push(labels.length);
      for (const label of labels) str(label);
      const deps = rowDependencies(record);
      nums.push(deps.length);
      for (const [dependsOn, type] of deps) {
        str(dependsOn);
        str(type);
      }
      rows++;
      bytes += length + 1;
    }
    yield { nums: new Float64Array(nums), text: parts.join(''), rows, bytes, warnings, next: at, linesBefore: lineNo };
  }
}
