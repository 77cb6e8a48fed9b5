
/** SHA-256 hex of a JSONL file's bytes: how import recognises a file it has already seen. */
export function contentHash(data: Buffer | string): string {
  // Required here, not at the top: most CLI runs never hash, and node:crypto costs ~6 ms to load.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  return createHash('sha256').update(data).digest('hex');
}
