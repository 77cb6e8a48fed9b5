import { createHash } from 'node:crypto';

/** SHA-256 hex of a JSONL file's bytes: how import recognises a file it has already seen. */
export function contentHash(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}
