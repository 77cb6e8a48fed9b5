import { isIssueLine, parseJsonlLine } from '../jsonl/parse-jsonl';
import { rowColumns, rowDependencies, rowLabels } from '../store/row-values';
import { countWarnings, noWarnings, type ImportWarnings } from './import-warnings';
import { idOfLine, utf8Id } from './line-index';

/**
 * # The bulk load's parse, apart from its inserts
 *
 * A whole JSONL file into an empty DB (`import -i` into a fresh workspace) is two jobs of about
 * the same size: parsing every line (JSON.parse, the checks of parse-jsonl.ts, the warnings,
 * the values each row stores) and SQLite's inserts. This is the first job, as batches of plain
 * values a consumer inserts without parsing anything: on a thread of its own
 * (preparse-worker.ts) while the import's thread inserts, or inline (bulk-load.ts).
 *
 * Each line becomes an entry of its batch's `values`, back to back:
 * - `ISSUE_ROW, start, stop, id, <the 7 rowColumns>, labelCount, ...labels, depCount, ...(dependsOn, type)`
 *   for an issue line that parsed and whose id is the one the import's first pass read from its
 *   bytes (`stop`: the end of its bytes, as parseJsonlLine keeps them);
 * - `OWN_LINE, start, end, lineNo` for any other line (not JSON, another record, two "id" keys,
 *   …): the consumer parses it itself and does what the ordinary import does with it (throws
 *   the same error, keeps the other record), so no error is made or worded twice.
 */
export const ISSUE_ROW = 0;
export const OWN_LINE = 1;

export interface PreparsedBatch {
  values: unknown[];
  /** ISSUE_ROW entries in this batch, and their bytes with a newline each (for the progress meter). */
  rows: number;
  bytes: number;
  /** The ISSUE_ROW records' warnings (OWN_LINE lines are the consumer's). */
  warnings: ImportWarnings;
  /** Where the batch after this one starts: a byte offset and the number of lines before it. */
  next: number;
  linesBefore: number;
}

const NEWLINE = 0x0a;
const LINES_PER_BATCH = 1000;

/**
 * The batches of `data` (a whole file, every line in the export's shape: see streamRecords)
 * from byte `from`, the start of line `linesBefore + 1`. `horizon`: see countWarnings.
 */
export function* preparse(data: Buffer, file: string, horizon: number, from = 0, linesBefore = 0): Generator<PreparsedBatch> {
  let at = from;
  let lineNo = linesBefore;
  while (at < data.length) {
    const batch: PreparsedBatch = { values: [], rows: 0, bytes: 0, warnings: noWarnings(), next: at, linesBefore: lineNo };
    const v = batch.values;
    for (let n = 0; n < LINES_PER_BATCH && at < data.length; n++) {
      let nl = data.indexOf(NEWLINE, at);
      if (nl < 0) nl = data.length;
      const start = at;
      at = nl + 1;
      lineNo++;
      let parsed;
      try {
        parsed = parseJsonlLine(data, start, nl, lineNo, file);
      } catch {
        parsed = undefined;
      }
      const raw = parsed && isIssueLine(parsed) ? idOfLine(data, start, nl) : undefined;
      if (!parsed || !isIssueLine(parsed) || raw === undefined || parsed.record.id !== utf8Id(raw)) {
        v.push(OWN_LINE, start, nl, lineNo);
        continue;
      }
      const { record, bytes } = parsed;
      countWarnings(record, batch.warnings, horizon);
      v.push(ISSUE_ROW, start, start + bytes!.length, record.id, ...rowColumns(record));
      const labels = rowLabels(record);
      v.push(labels.length, ...labels);
      const deps = rowDependencies(record);
      v.push(deps.length);
      for (const [dependsOn, type] of deps) v.push(dependsOn, type);
      batch.rows++;
      batch.bytes += bytes!.length + 1;
    }
    batch.next = at;
    batch.linesBefore = lineNo;
    yield batch;
  }
}
