import * as fs from 'node:fs';
import * as path from 'node:path';
import { isOtherRecordLine, type OtherRecordLine } from '../jsonl/other-records';
import { isIssueLine, parseJsonlLine, type JsonlRecord } from '../jsonl/parse-jsonl';
import type { BeadsStore } from '../store/beads-store';
import { META_STAT, statKey } from './jsonl-file-state';
import { idOfLine, indexId, utf8Id } from './line-index';
import { otherRecordsByPrefix } from './other-records-shape';
import { basePathFor } from './synced-base';

export interface ChangedLines {
  /** The lines to merge: new, different from the base, or of an id changed locally. */
  incoming: Map<string, JsonlRecord>;
  /** Lines recognised as the base's, byte for byte, of ids not changed locally. */
  unchanged: number;
  /**
   * The ids of the new file's lines read one by one: all but those in runs recognised as the
   * base's own bytes (see `skipRun`), which hold no locally changed id and no id of `gone`. So
   * it answers exactly for those ids, the only ones the merge asks about.
   */
  present: Set<string>;
  /** Ids in the base and no longer in the file: the deletion candidates. */
  gone: string[];
  /** The new file's records of other kinds, all of them (they are few, and replace the stored ones whole). */
  others: OtherRecordLine[];
}

const NEWLINE = 0x0a;
/** The most bytes compared at once when looking for a run of lines the base holds byte for byte. */
const RUN = 1 << 20;
/** A run ends this close (bytes) to the first byte that differs, found by halving the comparison. */
const RUN_SLACK = 64;
/** With more locally changed or gone ids than this, each is not looked for in the file: line by line throughout. */
const MAX_SEARCHED = 64;
const ID_START = Buffer.from('{"id":"');
/** An id a line can start `{"id":"<id>"` with, byte for byte: nothing JSON or bd's encoder escapes. */
// eslint-disable-next-line no-control-regex
const PLAIN_ID = /^[^"\\<>&\u0000-\u001f\u007f\u2028\u2029]+$/;

/**
 * The lines of `data` (the new JSONL) that differ from the file last synced, found by walking
 * both in id order and comparing bytes: no line the DB already holds is parsed. Undefined when
 * this cannot be trusted or does not apply, and the import reads the file in full: no base,
 * a base whose stat is not the one recorded at the last sync (the shared inode was edited in
 * place), or ids out of order or repeated in either file (the full import's dedupe handles them).
 */
export function changedLines(store: BeadsStore, jsonlPath: string, data: Buffer): ChangedLines | undefined {
  const base = basePathFor(jsonlPath);
  const baseStat = statKey(base);
  if (baseStat === null || baseStat !== store.getMeta(META_STAT)) return undefined;
  if (!otherRecordsByPrefix(store)) return undefined;
  let old: Buffer;
  try {
    old = fs.readFileSync(base);
  } catch {
    return undefined;
  }
  const localIds = store.locallyChangedIds();
  const local = new Set(localIds.map(indexId));
  const file = path.basename(jsonlPath);
  // Where the lines of locally changed ids start in the new file: a run skipped by bytes must
  // stop before each, so each goes through the merge rules. Undefined: runs are not skipped.
  const mustRead = localIds.length <= MAX_SEARCHED ? lineStartsOf(data, localIds) : undefined;
  // (Undefined too when a local id could be written escaped: its line could not be found by bytes.)
  let nextMust = 0;
  const out: ChangedLines = { incoming: new Map(), unchanged: 0, present: new Set(), gone: [], others: [] };

  let oAt = 0;
  let oStart = 0;
  let oEnd = 0;
  let oId: string | undefined;
  let oLast: string | undefined;
  const nextOld = (): boolean => {
    for (;;) {
      if (oAt >= old.length) {
        oId = undefined;
        return true;
      }
      let nl = old.indexOf(NEWLINE, oAt);
      if (nl < 0) nl = old.length;
      oStart = oAt;
      oEnd = nl;
      oAt = nl + 1;
      // Blank lines and the base's other records play no part: the new file's replace them whole.
      if (oEnd === oStart || isOtherRecordLine(old, oStart, oEnd)) continue;
      oId = idOfLine(old, oStart, oEnd);
      if (oId === undefined || (oLast !== undefined && !(oLast < oId))) return false;
      oLast = oId;
      return true;
    }
  };
  if (!nextOld()) return undefined;

  let at = 0;
  let lineNo = 0;
  let last: string | undefined;
  let skipped = false;
  while (at < data.length) {
    if (mustRead && oId !== undefined) {
      // A run of whole lines the base holds byte for byte, at the same place: counted, not read
      // line by line (at 100k issues this walk was most of an outside edit's import).
      while (nextMust < mustRead.length && mustRead[nextMust] < at) nextMust++;
      const run = skipRun(data, at, old, oStart, mustRead[nextMust] ?? Infinity);
      if (run) {
        const firstId = idOfLine(data, at, run.firstEnd);
        const lastId = idOfLine(data, run.lastStart, run.end - 1);
        if (firstId === undefined || lastId === undefined) return undefined;
        if (last !== undefined && !(last < firstId)) return undefined;
        out.unchanged += run.lines;
        lineNo += run.lines;
        last = lastId;
        oLast = lastId;
        oAt = oStart + (run.end - at);
        at = run.end;
        skipped = true;
        if (!nextOld()) return undefined;
        continue;
      }
    }
    let nl = data.indexOf(NEWLINE, at);
    if (nl < 0) nl = data.length;
    const start = at;
    at = nl + 1;
    lineNo++;
    let id = idOfLine(data, start, nl);
    let parsed: JsonlRecord | undefined;
    if (id === undefined) {
      // Not in the export's shape (another key first, CRLF, a conflict marker, another kind of
      // record): parsed, and so refused or kept, exactly as the full import would.
      const l = parseJsonlLine(data, start, nl, lineNo, file);
      if (!l) continue;
      if (!isIssueLine(l)) {
        out.others.push(l);
        continue;
      }
      parsed = l;
      id = indexId(parsed.record.id);
    }
    if (last !== undefined && !(last < id)) return undefined;
    last = id;
    while (oId !== undefined && oId < id) {
      out.gone.push(utf8Id(oId));
      if (!nextOld()) return undefined;
    }
    let same = false;
    if (oId === id) {
      same = !parsed && oEnd - oStart === nl - start && old.compare(data, start, nl, oStart, oEnd) === 0;
      if (!nextOld()) return undefined;
    }
    if (same && !local.has(id)) {
      out.unchanged++;
      out.present.add(utf8Id(id));
      continue;
    }
    if (!parsed) {
      const l = parseJsonlLine(data, start, nl, lineNo, file);
      if (!l) continue;
      if (!isIssueLine(l)) {
        out.others.push(l); // `{"id":…` first and a `_type` further on: another record after all
        continue;
      }
      parsed = l;
    }
    out.incoming.set(parsed.record.id, parsed);
    out.present.add(parsed.record.id);
  }
  while (oId !== undefined) {
    out.gone.push(utf8Id(oId));
    if (!nextOld()) return undefined;
  }
  // An id gone from its place may still be on a line a run skipped (a file with an id twice, or
  // out of order there): that is the full import's to sort out, never a deletion.
  if (skipped && out.gone.length > 0) {
    if (out.gone.length > MAX_SEARCHED) return undefined;
    const elsewhere = lineStartsOf(data, out.gone);
    if (elsewhere === undefined || elsewhere.length > 0) return undefined;
  }
  return out;
}

/**
 * The run of whole lines from `at` in `data` that `old` holds byte for byte from `o`, each in the
 * export's plain shape (`{"id":"…` … `}`), ending before `stop` (a line that must be read).
 * Undefined when there is not one such line. Costs a few comparisons of up to 1 MB and one
 * newline search per line, against an id read and a comparison per line in both files.
 */
function skipRun(data: Buffer, at: number, old: Buffer, o: number, stop: number): { end: number; lines: number; firstEnd: number; lastStart: number } | undefined {
  const max = Math.min(RUN, data.length - at, old.length - o);
  if (max <= ID_START.length) return undefined;
  let same = max;
  if (data.compare(old, o, o + max, at, at + max) !== 0) {
    let lo = 0;
    let hi = max;
    while (hi - lo > RUN_SLACK) {
      const mid = (lo + hi) >>> 1;
      if (data.compare(old, o, o + mid, at, at + mid) === 0) lo = mid;
      else hi = mid;
    }
    same = lo;
  }
  const limit = Math.min(at + same, stop);
  let p = at;
  let lines = 0;
  let firstEnd = -1;
  let lastStart = -1;
  while (p < limit) {
    const nl = data.indexOf(NEWLINE, p);
    // The newline must be inside the common bytes too, so the old line ends at the same place.
    if (nl < 0 || nl >= at + same || !plainLine(data, p, nl)) break;
    if (firstEnd < 0) firstEnd = nl;
    lastStart = p;
    lines++;
    p = nl + 1;
  }
  return lines === 0 ? undefined : { end: p, lines, firstEnd, lastStart };
}

/** `{"id":"` first and `}` last: an issue line as the export writes it (a `_type` line, blank, CRLF, or another shape is not). */
function plainLine(buf: Buffer, start: number, end: number): boolean {
  if (end - start < ID_START.length + 2 || buf[end - 1] !== 0x7d) return false;
  for (let i = 0; i < ID_START.length; i++) if (buf[start + i] !== ID_START[i]) return false;
  return true;
}

/**
 * Where lines starting `{"id":"<id>"` begin in `data`, for each of `ids`, in offset order.
 * Undefined when an id could be written another way (characters JSON or bd escapes): its lines
 * cannot be found by their bytes.
 */
function lineStartsOf(data: Buffer, ids: readonly string[]): number[] | undefined {
  const starts: number[] = [];
  for (const id of ids) {
    if (!PLAIN_ID.test(id)) return undefined;
    const needle = Buffer.from(`{"id":"${id}"`, 'utf8');
    for (let at = data.indexOf(needle); at >= 0; at = data.indexOf(needle, at + 1)) {
      if (at === 0 || data[at - 1] === NEWLINE) starts.push(at);
    }
  }
  return starts.sort((a, b) => a - b);
}
