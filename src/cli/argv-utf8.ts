import { isUtf8 } from 'node:buffer';
import * as fs from 'node:fs';

/** A command-line argument that is not valid UTF-8: Node would have handed it on as U+FFFD. */
export class ArgumentEncodingError extends Error {
  constructor(readonly index: number, shown: string) {
    super(`argument ${index} (${JSON.stringify(shown)}) is not valid UTF-8: pass text as UTF-8 (check the terminal's or script's encoding); nothing was done`);
    this.name = 'ArgumentEncodingError';
  }
}

/**
 * Node decodes argv with U+FFFD for bytes that are not UTF-8, so a Latin-1 title would be
 * stored altered, silently. Only when an argument holds U+FFFD (a rare character) are the
 * raw bytes read back, from /proc/self/cmdline (Linux; elsewhere the decoded text is kept).
 */
export function assertArgvUtf8(args: readonly string[], cmdline = '/proc/self/cmdline'): void {
  if (!args.some((a) => a.includes('\ufffd'))) return;
  let raw: Buffer;
  try {
    raw = fs.readFileSync(cmdline);
  } catch {
    return;
  }
  const parts: Buffer[] = [];
  for (let start = 0; start < raw.length; ) {
    let end = raw.indexOf(0, start);
    if (end === -1) end = raw.length;
    parts.push(raw.subarray(start, end));
    start = end + 1;
  }
  // The user's arguments are the last ones (node and its own options come first).
  const own = parts.slice(parts.length - args.length);
  own.forEach((bytes, i) => {
    if (!isUtf8(bytes)) throw new ArgumentEncodingError(i + 1, args[i]);
  });
}
