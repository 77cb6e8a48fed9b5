/**
 * Whether the JSON text `line` holds more than `max` values, counted cheaply on the text before
 * it is parsed: each `[`, `{` and `,` outside strings (an upper bound that is off by at most one
 * per container). The daemon's argument checks cost microseconds per value (zod: ~3 µs per
 * good array element, ~25 µs per bad one on a busy machine), so a 10 MB line of a million
 * wrong-typed labels would hold the event loop for seconds; counting is ~1 ns per character,
 * and long strings are skipped with `indexOf`.
 */
export function hasMoreJsonValues(line: string, max: number): boolean {
  let count = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x22) {
      i = closingQuote(line, i);
      if (i === -1) return false; // unterminated: JSON.parse will say so
    } else if (c === 0x2c || c === 0x5b || c === 0x7b) {
      if (++count > max) return true;
    }
  }
  return false;
}

/** Index of the quote closing the string opened at `open`, or -1. */
function closingQuote(line: string, open: number): number {
  let at = open;
  for (;;) {
    at = line.indexOf('"', at + 1);
    if (at === -1) return -1;
    let backslashes = 0;
    while (line.charCodeAt(at - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
}
