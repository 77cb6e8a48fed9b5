import type { DaemonSettings } from '../pipeline/daemon-sources';

export type LogFormat = 'json' | 'text';

export interface DaemonFlags {
  mode?: string;
  debounceMs?: number | string;
  maxWaitMs?: number | string;
  /** yargs' `--no-watcher-fallback` sets this to false. */
  watcherFallback?: boolean;
  pollInterval?: string | number;
  logFormat?: string;
  dashboard?: boolean;
  dashboardPort?: string | number;
}

export interface ResolvedSettings extends DaemonSettings {
  logFormat: LogFormat;
  /** Serve the live dashboard (src/dashboard) on 127.0.0.1; absent = off. */
  dashboard?: boolean;
  /** Its port; 0 or absent = any free one. */
  dashboardPort?: number;
}

export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

function wholeMs(value: string | number, name: string, min: number): number {
  const n = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min) {
    throw new SettingsError(`${name}=${JSON.stringify(value)} is not valid: expected a whole number of milliseconds ≥ ${min}, e.g. 500`);
  }
  return n;
}

/** `5s`, `500ms`, `2m` or a bare number of milliseconds. */
export function parseDuration(value: string | number, name: string): number {
  if (typeof value === 'number') return wholeMs(value, name, 1);
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(value);
  if (!m) {
    throw new SettingsError(`${name}=${JSON.stringify(value)} is not valid: expected a duration like 5s, 500ms, 1m or a number of milliseconds`);
  }
  const unit = m[2] ?? 'ms';
  const ms = Math.round(Number(m[1]) * (unit === 'm' ? 60_000 : unit === 's' ? 1000 : 1));
  if (ms < 1) throw new SettingsError(`${name}=${JSON.stringify(value)} is too short: the interval must be at least 1 ms`);
  return ms;
}

function parseBool(value: string, name: string): boolean {
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new SettingsError(`${name}=${JSON.stringify(value)} is not valid: expected true or false`);
}

function parsePort(value: string | number, name: string): number {
  const n = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new SettingsError(`${name}=${JSON.stringify(value)} is not valid: expected a TCP port 0–65535 (0 = any free port)`);
  }
  return n;
}

/**
 * The daemon's settings from flags and environment (a flag wins over its variable). Any
 * invalid value is refused with a message naming the variable or flag and the accepted form.
 */
export function resolveSettings(
  flags: DaemonFlags,
  env: NodeJS.ProcessEnv = process.env,
  stdoutIsTty = Boolean(process.stdout.isTTY),
): ResolvedSettings {
  const modeRaw = flags.mode ?? env.BEADS_DAEMON_MODE ?? 'events';
  if (modeRaw !== 'events' && modeRaw !== 'poll') {
    const name = flags.mode !== undefined ? '--mode' : 'BEADS_DAEMON_MODE';
    throw new SettingsError(`${name}=${JSON.stringify(modeRaw)} is not valid: expected "events" or "poll"`);
  }
  const debounceMs = wholeMs(
    flags.debounceMs ?? env.BEADS_DEBOUNCE_MS ?? 500,
    flags.debounceMs !== undefined ? '--debounce-ms' : 'BEADS_DEBOUNCE_MS',
    0,
  );
  const maxWaitMs = wholeMs(
    flags.maxWaitMs ?? env.BEADS_DEBOUNCE_MAX_MS ?? 2000,
    flags.maxWaitMs !== undefined ? '--max-wait-ms' : 'BEADS_DEBOUNCE_MAX_MS',
    1,
  );
  if (maxWaitMs < debounceMs) {
    throw new SettingsError(
      `max wait (${maxWaitMs} ms, BEADS_DEBOUNCE_MAX_MS / --max-wait-ms) must not be shorter than the debounce (${debounceMs} ms)`,
    );
  }
  const watcherFallback =
    flags.watcherFallback !== undefined
      ? flags.watcherFallback
      : env.BEADS_WATCHER_FALLBACK !== undefined
        ? parseBool(env.BEADS_WATCHER_FALLBACK, 'BEADS_WATCHER_FALLBACK')
        : true;
  const pollIntervalMs = parseDuration(
    flags.pollInterval ?? env.BEADS_POLL_INTERVAL ?? '5s',
    flags.pollInterval !== undefined ? '--poll-interval' : 'BEADS_POLL_INTERVAL',
  );
  const logFormat = flags.logFormat ?? (stdoutIsTty ? 'text' : 'json');
  if (logFormat !== 'json' && logFormat !== 'text') {
    throw new SettingsError(`--log-format=${JSON.stringify(logFormat)} is not valid: expected "json" or "text"`);
  }
  const dashboard =
    flags.dashboard !== undefined
      ? flags.dashboard
      : env.BEADS_DASHBOARD !== undefined
        ? parseBool(env.BEADS_DASHBOARD, 'BEADS_DASHBOARD')
        : false;
  const dashboardPort = parsePort(
    flags.dashboardPort ?? env.BEADS_DASHBOARD_PORT ?? 0,
    flags.dashboardPort !== undefined ? '--dashboard-port' : 'BEADS_DASHBOARD_PORT',
  );
  return { mode: modeRaw, debounceMs, maxWaitMs, watcherFallback, pollIntervalMs, logFormat, dashboard, dashboardPort };
}
