
const MIN_LENGTH = 4;
const MAX_LENGTH = 12;
const NONCES_PER_LENGTH = 10;

function base36(digest: Buffer): string {
  let n = 0n;
  for (const byte of digest.subarray(0, 16)) n = (n << 8n) | BigInt(byte);
  return n.toString(36).padStart(25, '0');
}

export interface HashIdInput {
  prefix: string;
  title: string;
  description: string;
  creator: string;
  createdAt: string;
}

/**
 * beads-style hash id: PREFIX- plus base36 of SHA-256 over title, description, creator, time
 * and a nonce; 4 characters, growing while `exists` reports a collision.
 */
export function hashId(input: HashIdInput, exists: (id: string) => boolean): string {
  // Loaded on first use: read-only commands never create ids (see content-hash.ts).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  for (let length = MIN_LENGTH; length <= MAX_LENGTH; length++) {
    for (let nonce = 0; nonce < NONCES_PER_LENGTH; nonce++) {
      const digest = createHash('sha256')
        .update([input.title, input.description, input.creator, input.createdAt, String(nonce)].join('\u0000'))
        .digest();
      const id = `${input.prefix}-${base36(digest).slice(0, length)}`;
      if (!exists(id)) return id;
    }
  }
  throw new Error(`could not find a free id with prefix "${input.prefix}" after ${MAX_LENGTH} characters`);
}
