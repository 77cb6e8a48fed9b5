import { randomBytes, timingSafeEqual } from 'node:crypto';

/** 128 random bits, hex: new for every daemon start, so a URL stops working with its daemon. */
export function newDashboardToken(): string {
  return randomBytes(16).toString('hex');
}

/** Compares in constant time, so the token cannot be guessed a character at a time. */
export function tokenMatches(expected: string, given: string | null): boolean {
  if (given === null) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
