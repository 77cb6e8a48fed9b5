import fc from 'fast-check';
import { compareTimestamps, nowRfc3339, toEpochMs, toEpochNanos } from '../../src/jsonl/rfc3339';

const NS_PER_S = 1_000_000_000n;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * Writes an instant (ns since epoch, already representable with `width` fraction digits) as
 * RFC 3339 local time at `offsetMin`, the way different bd versions and tools do.
 */
function format(instantNs: bigint, offsetMin: number, width: number, zulu: boolean): string {
  const nanos = ((instantNs % NS_PER_S) + NS_PER_S) % NS_PER_S;
  const seconds = (instantNs - nanos) / NS_PER_S;
  const local = new Date(Number(seconds) * 1000 + offsetMin * 60_000);
  const date = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
  const time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
  const frac = width > 0 ? `.${nanos.toString().padStart(9, '0').slice(0, width)}` : '';
  const abs = Math.abs(offsetMin);
  const offset =
    offsetMin === 0 && zulu ? 'Z' : `${offsetMin < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  return `${date}T${time}${frac}${offset}`;
}

/** Drops the digits a `width`-digit fraction cannot hold. */
function truncate(instantNs: bigint, width: number): bigint {
  const unit = 10n ** BigInt(9 - width);
  return instantNs - (((instantNs % unit) + unit) % unit);
}

/** Years 0001–9999 (a day's margin so any offset stays within four-digit years). */
const MIN_NS = BigInt(new Date('0001-01-02T00:00:00Z').getTime()) * 1_000_000n;
const MAX_NS = BigInt(Date.UTC(9999, 11, 30)) * 1_000_000n;

const writing = fc.record({
  offsetMin: fc.oneof(fc.constant(0), fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 })),
  width: fc.integer({ min: 0, max: 9 }),
  zulu: fc.boolean(),
});

describe('compareTimestamps', () => {
  it('should treat one instant written with different offsets and fraction widths as equal', () => {
    const forms = [
      '2025-10-12T16:08:07Z',
      '2025-10-12T09:08:07-07:00',
      '2025-10-12T18:08:07.000+02:00',
      '2025-10-12T16:08:07.000000000Z',
      '2025-10-12T21:38:07.0+05:30',
    ];
    for (const a of forms) for (const b of forms) expect(compareTimestamps(a, b)).toBe(0);
  });

  it('should order to the nanosecond', () => {
    expect(compareTimestamps('2025-10-12T16:08:07.123456789Z', '2025-10-12T16:08:07.123456788Z')).toBe(1);
    expect(compareTimestamps('2025-10-12T16:08:07.1Z', '2025-10-12T16:08:07.100000001Z')).toBe(-1);
    expect(compareTimestamps('2025-10-12T16:08:07.1Z', '2025-10-12T16:08:07.100Z')).toBe(0);
  });

  it('should order across a date line by instant, not by text', () => {
    // Later text, earlier instant: 23:30 at -08:00 is 07:30Z the next day.
    expect(compareTimestamps('2025-01-01T23:30:00-08:00', '2025-01-02T08:00:00Z')).toBe(-1);
    expect(compareTimestamps('2025-01-02T01:00:00+05:00', '2025-01-01T21:00:00Z')).toBe(-1);
  });

  it('should order years before 100 as the years they are (Go zero time included)', () => {
    expect(toEpochNanos('0001-01-01T00:00:00Z')).toBe(-62_135_596_800n * NS_PER_S);
    expect(compareTimestamps('0099-06-01T00:00:00Z', '1950-01-01T00:00:00Z')).toBe(-1);
    expect(compareTimestamps('0001-01-01T00:00:00Z', '1901-01-01T00:00:00Z')).toBe(-1);
  });

  it('should count a missing or unparseable time as older than any real one', () => {
    expect(compareTimestamps(undefined, '1971-01-01T00:00:00Z')).toBe(-1);
    expect(compareTimestamps('2025-01-01T00:00:00Z', 'yesterday')).toBe(1);
    expect(compareTimestamps(undefined, null)).toBe(0);
  });

  it('should order random instants like the instants themselves, whatever offset and fraction width each is written with', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: MIN_NS, max: MAX_NS }),
        fc.oneof(fc.constant(0n), fc.bigInt({ min: -3_000_000_000n, max: 3_000_000_000n }), fc.bigInt({ min: MIN_NS - MAX_NS, max: MAX_NS - MIN_NS })),
        writing,
        writing,
        (base, delta, wa, wb) => {
          const sum = base + delta;
          const other = sum < MIN_NS ? MIN_NS : sum > MAX_NS ? MAX_NS : sum;
          const a = truncate(base, wa.width);
          const b = truncate(other, wb.width);
          const ta = format(a, wa.offsetMin, wa.width, wa.zulu);
          const tb = format(b, wb.offsetMin, wb.width, wb.zulu);
          expect(toEpochNanos(ta)).toBe(a);
          const ms = (a - (((a % 1_000_000n) + 1_000_000n) % 1_000_000n)) / 1_000_000n;
          expect(toEpochMs(ta)).toBe(Number(ms));
          expect(compareTimestamps(ta, tb)).toBe(a < b ? -1 : a > b ? 1 : 0);
          expect(compareTimestamps(tb, ta)).toBe(b < a ? -1 : b > a ? 1 : 0);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('toEpochMs', () => {
  it('should refuse what toEpochNanos refuses: out-of-range fields, a 30th of February, no timestamp at all', () => {
    for (const bad of ['2026-13-45T99:99:99Z', '2025-02-29T00:00:00Z', '2024-02-30T00:00:00Z', '2025-01-01T24:00:00Z', '2025-01-01T00:00:00+24:00', 'soon', '', 42]) {
      expect(toEpochMs(bad)).toBeNull();
      expect(toEpochNanos(bad)).toBeNull();
    }
    expect(toEpochMs('2024-02-29T23:59:60.999999Z')).toBe(Date.UTC(2024, 2, 1, 0, 0, 0, 999));
  });
});

describe('nowRfc3339', () => {
  it('should write new timestamps in UTC with milliseconds', () => {
    const at = nowRfc3339(new Date(Date.UTC(2025, 5, 1, 9, 5, 3, 7)));
    expect(at).toBe('2025-06-01T09:05:03.007Z');
    expect(nowRfc3339()).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });
});
