import { ValidationError } from '../store/store-errors';

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/**
 * A `--due`/`--defer` value as bd takes it: `+6h`/`+2d`/`+1w`/`+30m`, `today`, `tomorrow`,
 * `YYYY-MM-DD` (local midnight) or RFC 3339. Returns RFC 3339 in UTC; `""` stays `""` (clears).
 */
export function parseTimeArg(name: string, value: unknown, now: Date = new Date()): string {
  const s = String(value).trim();
  if (s === '') return '';
  const rel = /^\+(\d+)([mhdw])$/.exec(s);
  if (rel) return new Date(now.getTime() + Number(rel[1]) * (UNITS[rel[2] as string] as number)).toISOString();
  if (s === 'today' || s === 'tomorrow') {
    const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() + (s === 'tomorrow' ? 1 : 0));
    return d.toISOString();
  }
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (day) return new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3])).toISOString();
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(s) ? Date.parse(s) : NaN;
  if (Number.isFinite(ms)) return new Date(ms).toISOString();
  throw new ValidationError(
    `${name} "${s}" is not a time bd-rx understands: use +6h, +2d, +1w, today, tomorrow, YYYY-MM-DD or RFC 3339`,
  );
}
