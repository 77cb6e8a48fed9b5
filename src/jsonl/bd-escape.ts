/**
 * bd is written in Go, whose encoding/json escapes `<`, `>`, `&`, U+2028 and U+2029 inside
 * strings. JSON.stringify leaves them raw; these characters can only occur inside string
 * literals of its output, so a global replace yields Go's bytes exactly.
 */
const GO_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

const NEEDS_ESCAPE = /[<>&\u2028\u2029]/g;

export function bdEscape(json: string): string {
  return json.replace(NEEDS_ESCAPE, (c) => GO_ESCAPES[c]);
}
