import { repeatedIdKeyError } from '../jsonl/jsonl-errors';
import type { OtherRecordLine } from '../jsonl/other-records';
import { isIssueLine, parseJsonlLine } from '../jsonl/parse-jsonl';
import type { BeadsStore, WriteFlags } from '../store/beads-store';
import { ROW_COLUMNS } from '../store/row-values';
import { addWarnings, countWarnings, type ImportWarnings } from './import-warnings';
import { idOfLine, utf8Id } from './line-index';
import { ISSUE_ROW } from './preparse';
import type { PreparsedRows } from './preparsed-rows';
import type { ProgressMeter } from './sync-progress';

/**
 * A whole file's issues into a DB that holds none (and has no deletions pending): what
 * `mergeRecords` does there, every record a create, from batches parsed ahead (preparse.ts,
 * often on another thread) and inserted many rows a statement (`BeadsStore.newRows`). The
 * caller has checked, by the import's first pass, that every line is in the export's shape
 * and no id is repeated. A line the parse left to this thread is parsed here, as the
 * streamed import does: another record is kept aside in `others`, a bad line throws (inside
 * the caller's transaction, which rolls back).
 */
export function loadIntoEmpty(
  store: BeadsStore,
  batches: PreparsedRows,
  data: Buffer,
  file: string,
  flags: WriteFlags,
  horizon: number,
  out: { created: number; warnings: ImportWarnings },
  others: OtherRecordLine[],
  meter: ProgressMeter,
): void {
  const rows = store.newRows(flags);
  for (let batch = batches.next(); batch; batch = batches.next()) {
    addWarnings(out.warnings, batch.warnings);
    out.created += batch.rows;
    meter.advance(batch.rows, batch.bytes);
    const v = batch.values;
    for (let i = 0; i < v.length; ) {
      const start = v[i + 1] as number;
      if (v[i] === ISSUE_ROW) {
        const id = v[i + 3] as string;
        rows.issue(id, data.subarray(start, v[i + 2] as number), v, i + 4);
        i += 4 + ROW_COLUMNS;
        for (let n = v[i++] as number; n > 0; n--) rows.label(id, v[i++] as string);
        for (let n = v[i++] as number; n > 0; n--, i += 2) rows.dependency(id, v[i] as string, v[i + 1] as string);
        continue;
      }
      const end = v[i + 2] as number;
      const lineNo = v[i + 3] as number;
      i += 4;
      const parsed = parseJsonlLine(data, start, end, lineNo, file);
      if (!parsed) continue;
      if (!isIssueLine(parsed)) {
        others.push(parsed);
        continue;
      }
      if (parsed.record.id !== utf8Id(idOfLine(data, start, end) ?? '')) throw repeatedIdKeyError(file, lineNo);
      countWarnings(parsed.record, out.warnings, horizon);
      meter.tick((parsed.bytes ?? parsed.line).length + 1);
      rows.flush();
      store.writeIssue(parsed.record, parsed.bytes ?? parsed.line, flags, true);
      out.created++;
    }
  }
  rows.flush();
}
