/**
 * Timestamps are kept as the exact strings read (0–9 fraction digits, any offset); merge
 * decisions compare them as instants, to the nanosecond.
 */
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9})\d*)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

/** Nanoseconds since the Unix epoch, or null when the value is not an RFC 3339 timestamp. */
export function toEpochNanos(value: unknown): bigint | null {
  if (typeof value !== 'string') return null;
  const m = RFC3339.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, , sign, oh, om] = m;
  // Date rolls 2026-13-45T99:99:99Z over into a real instant; a malformed stamp must instead
  // count as no time at all, so that it never beats a valid one in a merge.
  if (!inRange(+mo, 1, 12) || !inRange(+d, 1, daysIn(+y, +mo)) || !inRange(+h, 0, 23) || !inRange(+mi, 0, 59) || !inRange(+s, 0, 60)) {
    return null;
  }
  if (sign && (!inRange(+oh, 0, 23) || !inRange(+om, 0, 59))) return null;
  // Not Date.UTC: it reads years 0–99 as 1900–1999 (Go's zero time is year 1).
  const date = new Date(0);
  date.setUTCFullYear(+y, +mo - 1, +d);
  date.setUTCHours(+h, +mi, +s, 0);
  const ms = date.getTime();
  if (Number.isNaN(ms)) return null;
  let nanos = BigInt(ms) * 1_000_000n;
  if (frac) nanos += BigInt(frac.padEnd(9, '0'));
  if (sign) {
    const offsetNs = BigInt((+oh * 60 + +om) * 60) * 1_000_000_000n;
    nanos += sign === '+' ? -offsetNs : offsetNs;
  }
  return nanos;
}

function inRange(n: number, lo: number, hi: number): boolean {
  return n >= lo && n <= hi;
}

function daysIn(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0);
  return d.getUTCDate();
}

/**
 * A timestamp for a local edit of a record stamped `stored`: now, unless the stored stamp is
 * not older than now (a record from a clock running ahead, say dated 9999), then 1 ms after it.
 * A later edit must sort later, or the merge keeps the future-dated copy everywhere and the edit
 * never spreads.
 */
export function stampAfter(now: Date, stored: unknown): string {
  const storedNs = toEpochNanos(stored);
  const nowNs = BigInt(now.getTime()) * 1_000_000n;
  // The same millisecond as the clock (several writes in one ms, a frozen test clock) keeps the
  // clock's time: only a stored time ahead of the clock is stepped over.
  if (storedNs === null || storedNs <= nowNs + 999_999n) return nowRfc3339(now);
  const after = new Date(Number(storedNs / 1_000_000n) + 1);
  // Beyond year 275760 there is no Date: keep now (nothing can be stamped after it anyway).
  return Number.isNaN(after.getTime()) ? nowRfc3339(now) : after.toISOString();
}

/**
 * Orders two timestamps: negative when a is earlier. A missing or unparseable value counts
 * as older than any real one, so a record with a real time wins over one without.
 */
export function compareTimestamps(a: unknown, b: unknown): number {
  const x = toEpochNanos(a);
  const y = toEpochNanos(b);
  if (x === null && y === null) return 0;
  if (x === null) return -1;
  if (y === null) return 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A new timestamp as bd-rx writes it: UTC, millisecond precision. */
export function nowRfc3339(now: Date = new Date()): string {
  return now.toISOString();
}
