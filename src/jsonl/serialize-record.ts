import { bdEscape } from './bd-escape';

/** One JSONL line (without the newline) as bd writes it: compact JSON, Go's HTML escaping. */
export function serializeRecord(record: object): string {
  return bdEscape(JSON.stringify(record));
}
