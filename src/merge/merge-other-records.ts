import type { OtherRecordLine } from '../jsonl/other-records';
import { joinOtherRecords } from '../jsonl/other-records';
import { compareUtf8 } from './byte-order';

/** What the merge of the other records decided (a part of the merge report). */
export interface OtherRecordsOutcome {
  /** The merged lines, each followed by `\n`: written after the issues. */
  data: Buffer;
  /** How many records that is. */
  records: number;
  /** Records (as `type:key`) both sides changed differently: the greater line was kept. */
  conflicts: string[];
}

type Line = Pick<OtherRecordLine, 'line' | 'bytes' | 'key' | 'type'>;

/** One input's records by key; a key on several lines: the last (as bd's import reads them). */
function byKey(lines: Line[]): Map<string, Line> {
  const out = new Map<string, Line>();
  for (const l of lines) out.set(l.key, l);
  return out;
}

const sameLine = (a: Line, b: Line): boolean => (a.bytes && b.bytes ? a.bytes.equals(b.bytes) : a.line === b.line);

/** The record's name in the report: `memory:KEY`, or the type and line for a record without a key. */
function label(l: Line): string {
  const at = l.key.indexOf('\u0000');
  return at >= 0 ? `${l.type}:${l.key.slice(at + 1)}` : `${l.type}:${l.line}`;
}

/**
 * The 3-way merge of the records that are not issues (bd's memories, …), written after the
 * issues. A side that left them as in the base yields to the other, whose lines are taken as
 * they are, in their order. Otherwise record by record, keyed by kind and `key`: one side's
 * change (an edit, an addition, a removal) is kept; a record added or edited on both sides
 * comes out once; both sides changed it differently → the greater line, reported. The result
 * is then sorted by kind and key (bd writes memories sorted by key), so it depends only on the
 * inputs' contents: swapping ours and theirs gives the same bytes.
 */
export function mergeOtherRecords(base: Line[], ours: Line[], theirs: Line[]): OtherRecordsOutcome {
  const [b, o, t] = [joinOtherRecords(base), joinOtherRecords(ours), joinOtherRecords(theirs)];
  if (o.equals(t) || t.equals(b)) return { data: o, records: ours.length, conflicts: [] };
  if (o.equals(b)) return { data: t, records: theirs.length, conflicts: [] };

  const [bk, ok, tk] = [byKey(base), byKey(ours), byKey(theirs)];
  const keys = [...new Set([...ok.keys(), ...tk.keys()])].sort(compareUtf8);
  const kept: Line[] = [];
  const conflicts: string[] = [];
  for (const key of keys) {
    const [was, mine, other] = [bk.get(key), ok.get(key), tk.get(key)];
    if (!mine || !other) {
      const present = (mine ?? other)!;
      // Removed on one side: stays removed unless the other side changed it.
      if (!was || !sameLine(present, was)) kept.push(present);
      continue;
    }
    if (sameLine(mine, other) || (was && sameLine(other, was))) kept.push(mine);
    else if (was && sameLine(mine, was)) kept.push(other);
    else {
      kept.push(compareUtf8(mine.line, other.line) >= 0 ? mine : other);
      conflicts.push(label(mine));
    }
  }
  return { data: joinOtherRecords(kept), records: kept.length, conflicts };
}
