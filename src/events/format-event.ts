import type { DaemonEvent, LoggedEvent } from './daemon-event';
import { describeEffect, isEffectEvent } from './describe-effect';

/** The sink's clock reading, put first so a log line sorts and greps by time. */
export function stampEvent(e: DaemonEvent, now: Date): LoggedEvent {
  return { ts: now.toISOString(), ...e };
}

/** One NDJSON line (no trailing newline): `ts`, then `type`, then the event's own fields. */
export function formatEventJson(e: LoggedEvent): string {
  const { ts, type, ...rest } = e;
  return JSON.stringify({ ts, type, ...rest });
}

/**
 * One line for people, local wall-clock time first:
 * `23:06:19.123 export/done 42 issues, 10.3 KB in 12 ms (batched 7)`; an export whose file a
 * prepare wrote ahead says so: `… in 1 ms, written ahead (batched 7)`.
 * Line breaks inside messages are shown as `\n` so one event stays one line.
 */
export function formatEventText(e: LoggedEvent): string {
  const detail = describe(e);
  const line = detail ? `${clock(e.ts)} ${e.type} ${detail}` : `${clock(e.ts)} ${e.type}`;
  return line.replace(/\r?\n/g, '\\n');
}

function describe(e: DaemonEvent): string {
  if (isEffectEvent(e)) return describeEffect(e);
  switch (e.type) {
    case 'daemon/started':
      return (
        `${e.workspace} (pid ${e.pid}, ${e.mode} mode, ` +
        `debounce ${e.debounceMs} ms, max wait ${e.maxWaitMs} ms)`
      );
    case 'fs/changed':
      return e.path;
    case 'store/mutated':
      return `${e.op} ${e.id}`;
    case 'sync/requested':
      return `${e.kind}: ${e.reason}`;
    case 'watcher/failed':
      return `${e.code}: ${e.message}${e.fatal ? ' (fatal)' : ''}`;
    case 'daemon/failed':
      return `${e.code}: ${e.message}`;
    case 'mode/poll':
      return `every ${e.intervalMs} ms: ${e.reason}`;
    case 'signal/ignored':
    case 'daemon/stopping':
      return e.signal;
    case 'daemon/stopped':
      return '';
    default:
      return unknownEvent(e);
  }
}

/** A log written by a newer bd-rx may hold types this build does not know: show them raw. */
function unknownEvent(e: never): string {
  const { ts: _ts, type: _type, ...rest } = e as LoggedEvent;
  return JSON.stringify(rest);
}

function clock(ts: string): string {
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return ts;
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}
