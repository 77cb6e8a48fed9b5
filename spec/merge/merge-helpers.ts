import { mergeJsonl, type MergeResult } from '../../src/merge/merge-policy';
import { issueLine } from '../helpers/daemon-process';

/** A bd-looking issue line; `fields` override the defaults, in the defaults' key order. */
export const line = issueLine;

/** A JSONL text of these lines. */
export function file(...lines: string[]): string {
  return lines.map((l) => `${l}\n`).join('');
}

/** Merges both ways round and fails unless the two outputs are byte-identical. */
export function merge(base: string, ours: string, theirs: string): MergeResult & { text: string; records: Array<Record<string, any>> } {
  const a = mergeJsonl({ base, ours, theirs });
  const b = mergeJsonl({ base, ours: theirs, theirs: ours });
  expect(b.data.toString('utf8')).toBe(a.data.toString('utf8'));
  const text = a.data.toString('utf8');
  const records = text === '' ? [] : text.replace(/\n$/, '').split('\n').map((l) => JSON.parse(l));
  return { ...a, text, records };
}
