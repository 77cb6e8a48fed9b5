import { parseJsonl, type IssueRecord, type JsonlRecord } from '../jsonl/parse-jsonl';
import { compareTimestamps } from '../jsonl/rfc3339';
import { serializeRecord } from '../jsonl/serialize-record';
import { compareUtf8 } from './byte-order';
import { isTombstone, mergeFields } from './merge-fields';
import { mergeOtherRecords } from './merge-other-records';
import { emptyMergeReport, type MergeReport, type MergeTally } from './merge-report';

/** One issue's line in one input. */
export type IssueLine = Pick<JsonlRecord, 'line' | 'bytes' | 'record'>;

/** How one issue comes out of the merge. */
export type IssueOutcome =
  | { kind: 'kept'; line: IssueLine; overDelete: boolean }
  | { kind: 'merged'; record: IssueRecord }
  | { kind: 'deleted' };

/** The same issue: the same line, or the same fields and values in the same key order. */
function sameIssue(a: IssueLine, b: IssueLine): boolean {
  if (a.bytes && b.bytes ? a.bytes.equals(b.bytes) : a.line === b.line) return true;
  return JSON.stringify(a.record) === JSON.stringify(b.record);
}

/**
 * The side whose edits win where both changed something: the later `updated_at`; at the same
 * time, the greater line. Decided by content alone, so swapping ours and theirs changes nothing.
 */
export function newerFirst(a: IssueLine, b: IssueLine): [IssueLine, IssueLine] {
  const c = compareTimestamps(a.record.updated_at, b.record.updated_at);
  if (c !== 0) return c > 0 ? [a, b] : [b, a];
  return compareUtf8(a.line, b.line) >= 0 ? [a, b] : [b, a];
}

/** Of two lines holding the same issue, the one written out: the lesser bytes, for symmetry. */
function either(a: IssueLine, b: IssueLine): IssueLine {
  return compareUtf8(a.line, b.line) <= 0 ? a : b;
}

/**
 * The 3-way merge of one issue id. A side equal to the base lost nothing and yields to the
 * other; a line deleted on one side stays deleted only if the other side did not edit it; both
 * sides' edits are merged field by field (see `mergeFields`). A merged record that comes out
 * equal to one side is that side's line, byte for byte.
 */
export function mergeIssue(
  base: IssueLine | undefined,
  ours: IssueLine | undefined,
  theirs: IssueLine | undefined,
  tally: MergeTally,
): IssueOutcome {
  if (!ours || !theirs) {
    const present = ours ?? theirs;
    if (!present || (base && sameIssue(present, base))) return { kind: 'deleted' };
    return { kind: 'kept', line: present, overDelete: base !== undefined && !isTombstone(present.record) };
  }
  if (sameIssue(ours, theirs)) return { kind: 'kept', line: either(ours, theirs), overDelete: false };
  if (base && sameIssue(ours, base)) return { kind: 'kept', line: theirs, overDelete: false };
  if (base && sameIssue(theirs, base)) return { kind: 'kept', line: ours, overDelete: false };
  const [newer, older] = newerFirst(ours, theirs);
  const record = mergeFields(base?.record, newer.record, older.record, tally);
  const json = JSON.stringify(record);
  if (json === JSON.stringify(newer.record)) return { kind: 'kept', line: newer, overDelete: false };
  if (json === JSON.stringify(older.record)) return { kind: 'kept', line: older, overDelete: false };
  return { kind: 'merged', record };
}

/** The issues of one input by id; an id on several lines: the newest `updated_at`, a tie the later line. */
export function indexIssues(records: JsonlRecord[], input: 'base' | 'ours' | 'theirs', report: MergeReport): Map<string, IssueLine> {
  const byId = new Map<string, JsonlRecord>();
  const lines = new Map<string, number[]>();
  for (const r of records) {
    const id = r.record.id;
    const prev = byId.get(id);
    if (!prev) {
      byId.set(id, r);
      continue;
    }
    const seen = lines.get(id) ?? [prev.lineNo];
    seen.push(r.lineNo);
    lines.set(id, seen);
    if (compareTimestamps(r.record.updated_at, prev.record.updated_at) >= 0) byId.set(id, r);
  }
  for (const [id, l] of lines) report.duplicates.push({ input, id, lines: l });
  return byId;
}

export interface MergeInputs {
  base: string | Buffer;
  ours: string | Buffer;
  theirs: string | Buffer;
  /** Names used in parse errors (e.g. the paths git gave); default base/ours/theirs. */
  names?: { base?: string; ours?: string; theirs?: string };
}

export interface MergeResult {
  /**
   * The merged JSONL: one line per issue, sorted by id in UTF-8 byte order, `\n` after each;
   * then the records of other kinds (see merge-other-records.ts).
   */
  data: Buffer;
  report: MergeReport;
}

const NEWLINE = Buffer.from('\n');

/**
 * Merges three versions of a JSONL file (the common base, ours, theirs) issue by issue. Pure:
 * no I/O, no clock. Symmetric: `mergeJsonl({base, ours: x, theirs: y})` and the same with x
 * and y swapped give the same bytes, so `git pull --rebase` (which swaps the sides) and `git
 * pull --merge` agree. An input that is not JSONL throws `JsonlLineError` naming file and line.
 *
 * ```
 * base   : a1 b1 c1        a: changed on one side → that side
 * ours   : a2 b1           b: unchanged → b1
 * theirs : a1 b1 c1 d1     c: deleted on ours, unchanged on theirs → deleted;  d: added → kept
 * merged : a2 b1 d1
 * ```
 *
 * Records that are not issues (bd's memories) are merged apart and come after the issues.
 */
export function mergeJsonl(inputs: MergeInputs): MergeResult {
  const report = emptyMergeReport();
  const names = inputs.names ?? {};
  const parsed = {
    base: parseJsonl(inputs.base, names.base ?? 'base'),
    ours: parseJsonl(inputs.ours, names.ours ?? 'ours'),
    theirs: parseJsonl(inputs.theirs, names.theirs ?? 'theirs'),
  };
  const base = indexIssues(parsed.base.issues, 'base', report);
  const ours = indexIssues(parsed.ours.issues, 'ours', report);
  const theirs = indexIssues(parsed.theirs.issues, 'theirs', report);
  const ids = new Set<string>([...base.keys(), ...ours.keys(), ...theirs.keys()]);
  const sorted = [...ids].sort(compareUtf8);
  const tally: MergeTally = { resolvedByTime: 0, renumberedComments: 0 };
  const chunks: Buffer[] = [];
  for (const id of sorted) {
    const outcome = mergeIssue(base.get(id), ours.get(id), theirs.get(id), tally);
    if (outcome.kind === 'deleted') {
      if (ours.has(id) || theirs.has(id)) report.deleted.push(id);
      continue;
    }
    if (outcome.kind === 'kept') {
      const { line } = outcome;
      chunks.push(line.bytes ?? Buffer.from(line.line, 'utf8'), NEWLINE);
      if (outcome.overDelete) report.kept_over_delete.push(id);
    } else {
      chunks.push(Buffer.from(serializeRecord(outcome.record), 'utf8'), NEWLINE);
      report.merged.push(id);
    }
    report.issues++;
  }
  const others = mergeOtherRecords(parsed.base.others, parsed.ours.others, parsed.theirs.others);
  chunks.push(others.data);
  report.other_records = others.records;
  report.other_conflicts = others.conflicts;
  report.resolved_by_time = tally.resolvedByTime;
  report.renumbered_comments = tally.renumberedComments;
  return { data: Buffer.concat(chunks), report };
}
