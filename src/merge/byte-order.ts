/**
 * Orders two strings as their UTF-8 bytes compare (bd's and SQLite's order for ids), without
 * encoding them: UTF-8 byte order is code point order, and UTF-16 code unit order differs from
 * it only where a surrogate (U+10000 and up) meets a unit in U+E000–U+FFFF.
 */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return rank(x) - rank(y);
  }
  return a.length - b.length;
}

/** Moves surrogates above U+E000–U+FFFF, where the code points they encode belong. */
function rank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}
