/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Where `text` holds half of a UTF-16 surrogate pair on its own (-1: nowhere). JSON can spell
 * one (`"\ud800"`), JavaScript strings can hold one, but it is no Unicode character and has
 * no UTF-8 form: SQLite would store U+FFFD in its place and bd's Go JSON decoder reads it as
 * U+FFFD, so the text would not survive the round trip. bd-rx refuses it instead (policy in
 * README, "Text").
 */
export function loneSurrogateAt(text: string): number {
  const m = LONE_SURROGATE.exec(text);
  return m ? m.index : -1;
}

/** The first lone surrogate in any string (key or value) of a parsed JSON value, as `\udXXX`; null when none. */
export function findLoneSurrogate(value: unknown, depth = 0): string | null {
  if (typeof value === 'string') {
    const at = loneSurrogateAt(value);
    return at === -1 ? null : `\\u${value.charCodeAt(at).toString(16)}`;
  }
  // A parsed JSONL line is shallow; the bound only keeps a pathological one off the stack.
  if (value === null || typeof value !== 'object' || depth > 64) return null;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const found = findLoneSurrogate(k) ?? findLoneSurrogate(v, depth + 1);
    if (found) return found;
  }
  return null;
}
