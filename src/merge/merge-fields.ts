import type { IssueRecord } from '../jsonl/parse-jsonl';
import { compareTimestamps } from '../jsonl/rfc3339';
import type { MergeTally } from './merge-report';
import { isSetMergeable, mergeSet, serialized } from './merge-sets';

/**
 * Fields that only make sense together and so always come from one side: an issue's state and
 * how it got there (closed: when and why; a tombstone: when, by whom, why, what it was). Taking
 * `status` from one side and `closed_at` from the other would make a closed issue with no close
 * time, or an open one with a close reason.
 */
export const STATE_FIELDS = ['status', 'closed_at', 'close_reason', 'deleted_at', 'deleted_by', 'delete_reason', 'original_type'];
const STATE = new Set(STATE_FIELDS);

export const isTombstone = (r: IssueRecord): boolean => r.status === 'tombstone';

/**
 * Field merge of one issue changed on both sides (`base` undefined when both added it). `newer`
 * is the side with the later `updated_at` (see `newerFirst`): it wins every field both sides
 * changed differently, and its key order is kept, with keys only the older side has appended.
 */
export function mergeFields(base: IssueRecord | undefined, newer: IssueRecord, older: IssueRecord, tally: MergeTally): IssueRecord {
  const b: Record<string, unknown> = base ?? {};
  const values = new Map<string, unknown>();
  for (const key of allKeys(b, newer, older)) {
    if (key === 'id' || key === 'updated_at' || STATE.has(key)) continue;
    values.set(key, mergeField(key, b[key], newer[key], older[key], tally));
  }
  const stateFrom = stateSource(b, newer, older, tally);
  for (const key of STATE_FIELDS) values.set(key, stateFrom[key]);
  values.set('updated_at', latest(newer.updated_at, older.updated_at));

  values.set('id', newer.id);
  const out: Record<string, unknown> = {};
  for (const key of allKeys(newer, older)) {
    const v = values.get(key);
    if (v !== undefined) out[key] = v;
  }
  // A key neither side has can still get a value: a state field of the side that won the group.
  for (const [key, v] of values) if (!(key in out) && v !== undefined) out[key] = v;
  return out as IssueRecord;
}

function allKeys(...records: Record<string, unknown>[]): Set<string> {
  const keys = new Set<string>();
  for (const r of records) for (const k of Object.keys(r)) keys.add(k);
  return keys;
}

/** One field, 3-way: one side changed it → that side; both, differently → a set merge or the newer side. */
function mergeField(key: string, base: unknown, newer: unknown, older: unknown, tally: MergeTally): unknown {
  const sn = serialized(newer);
  const so = serialized(older);
  if (sn === so) return newer;
  const sb = serialized(base);
  if (sn === sb) return older;
  if (so === sb) return newer;
  if (isSetMergeable(key, base, newer, older)) {
    const merged = mergeSet(key, base, newer, older, tally);
    // bd omits an empty list (both sides writing `[]` was caught above as "the same").
    return merged.length === 0 ? undefined : merged;
  }
  tally.resolvedByTime++;
  return newer;
}

/**
 * The side whose state fields win, as a group. A tombstone against a live record is decided by
 * time alone (deletion time against the live side's last change; a tie keeps the live edit), so
 * an edit made after a deletion survives it, and a deletion made after an edit stands.
 */
function stateSource(base: Record<string, unknown>, newer: IssueRecord, older: IssueRecord, tally: MergeTally): Record<string, unknown> {
  if (isTombstone(newer) !== isTombstone(older)) {
    const tomb = isTombstone(newer) ? newer : older;
    const live = tomb === newer ? older : newer;
    tally.resolvedByTime++;
    return compareTimestamps(tomb.deleted_at ?? tomb.updated_at, live.updated_at) > 0 ? tomb : live;
  }
  const sn = stateKey(newer);
  const so = stateKey(older);
  if (sn === so) return newer;
  const sb = stateKey(base);
  if (sn === sb) return older;
  if (so === sb) return newer;
  tally.resolvedByTime++;
  return newer;
}

function stateKey(r: Record<string, unknown>): string {
  return STATE_FIELDS.map((k) => serialized(r[k])).join('\u0001');
}

/** The later of two `updated_at` values; the same instant written two ways: the greater string. */
function latest(a: unknown, b: unknown): unknown {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const c = compareTimestamps(a, b);
  if (c !== 0) return c > 0 ? a : b;
  return serialized(a) >= serialized(b) ? a : b;
}
