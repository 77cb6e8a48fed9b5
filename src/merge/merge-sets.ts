import { compareTimestamps } from '../jsonl/rfc3339';
import type { MergeTally } from './merge-report';

type Element = unknown;
type KeyOf = (element: Element) => string;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** JSON of a value, with a marker for "the key is absent" that no JSON text can equal. */
export function serialized(value: unknown): string {
  return value === undefined ? '\u0000absent' : JSON.stringify(value);
}

/**
 * The fields merged as sets, and what makes two elements "the same element": a label is
 * itself, a dependency is its target and type, a comment its id. An element of an unexpected
 * shape is keyed by its JSON, so it is still kept rather than dropped.
 */
export const SET_FIELDS: Readonly<Record<string, KeyOf>> = {
  labels: (l) => (typeof l === 'string' ? `s:${l}` : `j:${JSON.stringify(l)}`),
  dependencies: (d) =>
    isObject(d) && typeof d.depends_on_id === 'string'
      ? `d:${d.depends_on_id}\u0000${typeof d.type === 'string' ? d.type : ''}`
      : `j:${JSON.stringify(d)}`,
  comments: (c) =>
    isObject(c) && (typeof c.id === 'number' || typeof c.id === 'string') ? `c:${typeof c.id}:${c.id}` : `j:${JSON.stringify(c)}`,
};

/** A set field's value can be merged as a set when every side has an array there or nothing. */
export function isSetMergeable(field: string, ...values: unknown[]): boolean {
  return field in SET_FIELDS && values.every((v) => v === undefined || Array.isArray(v));
}

function index(values: unknown, keyOf: KeyOf): Map<string, Element> {
  const out = new Map<string, Element>();
  if (Array.isArray(values)) for (const el of values) out.set(keyOf(el), el);
  return out;
}

/**
 * Merges one set field changed on both sides. An element added on either side is kept, one
 * removed on either side (present in the base) is removed; an element both sides changed
 * differently is taken from the newer side. Order: the newer side's, then what only the older
 * side has, in its order, so the result depends on which side is newer, never on which is "ours".
 *
 * Comments are numbered per issue (highest + 1), so two clones commenting on one issue at the
 * same time both write the same new id: both comments are kept and the later one is given the
 * next free id, rather than one of them being lost.
 */
export function mergeSet(field: string, base: unknown, newer: unknown, older: unknown, tally: MergeTally): unknown[] {
  const keyOf = SET_FIELDS[field];
  const b = index(base, keyOf);
  const n = index(newer, keyOf);
  const o = index(older, keyOf);
  const out: Element[] = [];
  const collided: Element[] = [];
  const take = (key: string, from: Map<string, Element>, other: Map<string, Element>): void => {
    const inBase = b.has(key);
    if (inBase && !other.has(key)) return; // removed on the other side
    const mine = from.get(key);
    if (!other.has(key)) {
      out.push(mine);
      return;
    }
    const theirs = other.get(key);
    const sm = serialized(mine);
    const st = serialized(theirs);
    if (sm === st || (inBase && st === serialized(b.get(key)))) out.push(mine);
    else if (inBase && sm === serialized(b.get(key))) out.push(theirs);
    else if (!inBase && field === 'comments' && typeof (mine as { id?: unknown }).id === 'number') {
      const [first, second] = [mine, theirs].sort(commentOrder);
      out.push(first);
      collided.push(second);
    } else {
      out.push(mine); // `from` is the newer side whenever both have the key
      tally.resolvedByTime++;
    }
  };
  for (const key of n.keys()) take(key, n, o);
  for (const key of o.keys()) if (!n.has(key)) take(key, o, n);
  if (collided.length > 0) {
    let next = maxCommentId([base, newer, older]);
    for (const c of collided) {
      out.push({ ...(c as Record<string, unknown>), id: ++next });
      tally.renumberedComments++;
    }
  }
  return out;
}

/** Earlier comment first; equal times by their JSON, so the order never depends on the side. */
function commentOrder(a: Element, b: Element): number {
  const t = compareTimestamps((a as { created_at?: unknown }).created_at, (b as { created_at?: unknown }).created_at);
  if (t !== 0) return t;
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function maxCommentId(lists: unknown[]): number {
  let max = 0;
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const c of list) {
      const id = isObject(c) ? c.id : undefined;
      if (typeof id === 'number' && Number.isFinite(id) && id > max) max = id;
    }
  }
  return Math.floor(max);
}
