import { repeatedIdKeyError } from '../jsonl/jsonl-errors';
import type { OtherRecordLine } from '../jsonl/other-records';
import { isIssueLine, parseJsonlLine } from '../jsonl/parse-jsonl';
import type { BeadsStore, WriteFlags } from '../store/beads-store';
import { ROW_COLUMNS } from '../store/row-values';
import { addWarnings, countWarnings, type ImportWarnings } from './import-warnings';
import { idOfLine, utf8Id } from './line-index';
import { BatchReader, ISSUE_ROW } from './preparse';
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
  /** Line k's id as the import's first pass read it from its bytes (`StreamedRecords.idOfLine`). */
  firstPassId: (lineNo: number) => string,
): void {
  const rows = store.newRows(flags);
  const columns: unknown[] = new Array(ROW_COLUMNS);
  let lineNo = 0;
  for (let batch = batches.next(); batch; batch = batches.next()) {
    addWarnings(out.warnings, batch.warnings);
    out.created += batch.rows;
    meter.advance(batch.rows, batch.bytes);
    const r = new BatchReader(batch);
    while (!r.done) {
      const tag = r.num();
      const start = r.num();
      const end = r.num();
      lineNo++;
      if (tag === ISSUE_ROW) {
        const id = r.str()!;
        // rowColumns' order: title, status, priority, issue_type, assignee, created_at, updated_at.
        columns[0] = r.str();
        columns[1] = r.str();
        const priority = r.num();
        columns[2] = Number.isNaN(priority) ? null : priority;
        for (let c = 3; c < ROW_COLUMNS; c++) columns[c] = r.str();
        // Not the id of the line's bytes: two "id" keys (the parse read the last). Its values are
        // read past, and the line goes the ordinary way below, which refuses it.
        const ok = id === firstPassId(lineNo);
        if (ok) rows.issue(id, data.subarray(start, end), columns);
        for (let n = r.num(); n > 0; n--) {
          const label = r.str()!;
          if (ok) rows.label(id, label);
        }
        for (let n = r.num(); n > 0; n--) {
          const dependsOn = r.str()!;
          const type = r.str()!;
          if (ok) rows.dependency(id, dependsOn, type);
        }
        if (ok) continue;
        out.created--;
      } else if (r.num() !== lineNo) throw new Error(`the bulk load lost count of its lines at line ${lineNo} of ${file}`);
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
