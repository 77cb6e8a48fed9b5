import type { DaemonMode, DaemonSettings } from '../pipeline/daemon-sources';
import { resolveGitSyncSettings, type GitSyncSettings } from '../git/git-sync-settings';

export type LogFormat = 'json' | 'text';

export interface ResolvedSettings extends DaemonSettings {
  logFormat: LogFormat;
  /** Serve the live dashboard (src/dashboard) on 127.0.0.1; absent = off. */
  dashboard?: boolean;
  /** Its port; 0 or absent = any free one. */
  dashboardPort?: number;
  /** Period of the safety check (see `safetyCheck$`); 0 turns it off. */
  safetyIntervalMs: number;
  /**
   * The git switches as given (see `gitSync` for what they add up to). Optional: settings
   * built by hand (tests, embedders) leave git sync off.
   */
  autoCommit?: boolean;
  autoPush?: boolean;
  autoPull?: boolean;
  autoSync?: boolean;
  remoteSyncIntervalMs?: number;
  /** What the daemon does with git: `--auto-sync` is all three, `--auto-push` implies commit. */
  gitSync?: GitSyncSettings;
}

export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

/**
 * One daemon setting, declared once: its flag (yargs' camelCase key is derived), environment
 * variable, default, how a raw value is parsed and checked, and whether `daemon start` passes
 * it on to the background daemon. yargs' options, the env reader and the pass-through all
 * read {@link DAEMON_SETTINGS}.
 */
export interface SettingSpec<K extends keyof ResolvedSettings> {
  key: K;
  /** `--debounce-ms`; a boolean is also `--no-…`. */
  flag: string;
  env?: string;
  /** The yargs type: strings are kept as typed, so an invalid value is quoted back as given. */
  type: 'string' | 'boolean';
  describe: string;
  /** As typed on the command line or in the environment; `undefined` when it depends (log format). */
  default: string | undefined;
  /** `name` is the flag or variable the value came from, for the error message. */
  parse: (raw: string | boolean, name: string) => ResolvedSettings[K];
  /** Given to `daemon start`, passed on to the background daemon. */
  passThrough: boolean;
}

function wholeMs(min: number) {
  return (value: string | boolean, name: string): number => {
    const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(n) || n < min) {
      throw new SettingsError(`${name}=${JSON.stringify(value)} is not valid: expected a whole number of milliseconds ≥ ${min}, e.g. 500`);
    }
    return n;
  };
}

/** `5s`, `500ms`, `2m` or a bare number of milliseconds. */
export function parseDuration(value: string | number, name: string): number {
  if (typeof value === 'number') return wholeMs(1)(String(value), name);
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(value);
  if (!m) {
    throw new SettingsError(`${name}=${JSON.stringify(value)} is not valid: expected a duration like 5s, 500ms, 1m or a number of milliseconds`);
  }
  const unit = m[2] ?? 'ms';
  const ms = Math.round(Number(m[1]) * (unit === 'm' ? 60_000 : unit === 's' ? 1000 : 1));
  if (ms < 1) throw new SettingsError(`${name}=${JSON.stringify(value)} is too short: the interval must be at least 1 ms`);
  return ms;
}

function parseBool(value: string | boolean, name: string): boolean {
  if (typeof value === 'boolean') return value;
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new SettingsError(`${name}=${JSON.stringify(value)} is not valid: expected true or false`);
}

function tcpPort(value: string | boolean, name: string): number {
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new SettingsError(`${name}=${JSON.stringify(value)} is not valid: expected a TCP port 0–65535 (0 = any free port)`);
  }
  return n;
}

function oneOf<T extends string>(...values: T[]) {
  return (value: string | boolean, name: string): T => {
    if (typeof value === 'string' && (values as string[]).includes(value)) return value as T;
    throw new SettingsError(`${name}=${JSON.stringify(value)} is not valid: expected ${values.map((v) => `"${v}"`).join(' or ')}`);
  };
}

export const DAEMON_SETTINGS = [
  {
    key: 'mode',
    flag: 'mode',
    env: 'BEADS_DAEMON_MODE',
    type: 'string',
    describe: 'events|poll',
    default: 'events',
    parse: oneOf<DaemonMode>('events', 'poll'),
    passThrough: true,
  } satisfies SettingSpec<'mode'>,
  {
    key: 'debounceMs',
    flag: 'debounce-ms',
    env: 'BEADS_DEBOUNCE_MS',
    type: 'string',
    describe: 'Quiet period before a sync',
    default: '500',
    parse: wholeMs(0),
    passThrough: true,
  } satisfies SettingSpec<'debounceMs'>,
  {
    key: 'maxWaitMs',
    flag: 'max-wait-ms',
    env: 'BEADS_DEBOUNCE_MAX_MS',
    type: 'string',
    describe: 'Longest a busy stream waits',
    default: '2000',
    parse: wholeMs(1),
    passThrough: true,
  } satisfies SettingSpec<'maxWaitMs'>,
  {
    key: 'watcherFallback',
    flag: 'watcher-fallback',
    env: 'BEADS_WATCHER_FALLBACK',
    type: 'boolean',
    describe: 'Poll if the watcher fails',
    default: 'true',
    parse: parseBool,
    passThrough: true,
  } satisfies SettingSpec<'watcherFallback'>,
  {
    key: 'pollIntervalMs',
    flag: 'poll-interval',
    env: 'BEADS_POLL_INTERVAL',
    type: 'string',
    describe: '5s, 500ms or ms',
    default: '5s',
    parse: (raw, name) => parseDuration(typeof raw === 'string' ? raw : String(raw), name),
    passThrough: true,
  } satisfies SettingSpec<'pollIntervalMs'>,
  {
    key: 'safetyIntervalMs',
    flag: 'safety-interval',
    env: 'BEADS_SAFETY_INTERVAL',
    type: 'string',
    describe: 'Stat JSONL, DB and workspace this often (30s, 0 off)',
    default: '30s',
    parse: (raw, name) => (typeof raw === 'string' && /^\s*0+\s*(ms|s|m)?\s*$/.test(raw) ? 0 : parseDuration(typeof raw === 'string' ? raw : String(raw), name)),
    passThrough: true,
  } satisfies SettingSpec<'safetyIntervalMs'>,
  {
    key: 'logFormat',
    flag: 'log-format',
    type: 'string',
    describe: 'json|text',
    default: undefined,
    parse: oneOf<LogFormat>('json', 'text'),
    passThrough: false,
  } satisfies SettingSpec<'logFormat'>,
  {
    key: 'dashboard',
    flag: 'dashboard',
    env: 'BEADS_DASHBOARD',
    type: 'boolean',
    describe: 'Serve a live dashboard on 127.0.0.1 (`bd-rx dashboard` prints its URL)',
    default: 'false',
    parse: parseBool,
    passThrough: true,
  } satisfies SettingSpec<'dashboard'>,
  {
    key: 'dashboardPort',
    flag: 'dashboard-port',
    env: 'BEADS_DASHBOARD_PORT',
    type: 'string',
    describe: "The dashboard's port, 0 = any free port",
    default: '0',
    parse: tcpPort,
    passThrough: true,
  } satisfies SettingSpec<'dashboardPort'>,
  ...(
    [
      ['autoCommit', 'auto-commit', 'BEADS_AUTO_COMMIT', 'Commit the JSONL after each export'],
      ['autoPush', 'auto-push', 'BEADS_AUTO_PUSH', 'Pull, then push after each commit (implies --auto-commit)'],
      ['autoPull', 'auto-pull', 'BEADS_AUTO_PULL', 'Fetch and merge the remote every --remote-sync-interval'],
      ['autoSync', 'auto-sync', 'BEADS_AUTO_SYNC', 'All three: --auto-commit --auto-push --auto-pull'],
    ] as const
  ).map(
    ([key, flag, env, describe]) =>
      ({ key, flag, env, type: 'boolean', describe, default: 'false', parse: parseBool, passThrough: true }) satisfies SettingSpec<typeof key>,
  ),
  {
    key: 'remoteSyncIntervalMs',
    flag: 'remote-sync-interval',
    env: 'BEADS_REMOTE_SYNC_INTERVAL',
    type: 'string',
    describe: 'How often --auto-pull fetches: 30s, 1m; 0 never',
    default: '30s',
    parse: (raw, name) => (/^\s*0+\s*(ms|s|m)?\s*$/.test(String(raw)) ? 0 : parseDuration(String(raw), name)),
    passThrough: true,
  } satisfies SettingSpec<'remoteSyncIntervalMs'>,
] as const;

/** The flags of the settings as yargs parses them: the flag's camelCase key, string or boolean. */
export type DaemonFlags = { [S in (typeof DAEMON_SETTINGS)[number] as CamelCase<S['flag']>]?: S['type'] extends 'boolean' ? boolean : string };

type CamelCase<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<CamelCase<T>>}` : S;

/** `debounce-ms` → `debounceMs`, as yargs names the parsed flag. */
export function flagKey(flag: string): string {
  return flag.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
}

/** How a setting is described in `--help`: what it is, its variable, its default. */
export function describeSetting(s: SettingSpec<keyof ResolvedSettings>): string {
  const where = [s.env ? `env ${s.env}` : undefined, s.default !== undefined ? `default ${s.default}` : 'default json when stdout is not a TTY']
    .filter(Boolean)
    .join(', ');
  return `${s.describe} (${where})`;
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
  const given = flags as Record<string, string | boolean | undefined>;
  const out: Record<string, unknown> = {};
  for (const s of DAEMON_SETTINGS as readonly SettingSpec<keyof ResolvedSettings>[]) {
    const fromFlag = given[flagKey(s.flag)];
    const fromEnv = s.env ? env[s.env] : undefined;
    const raw = fromFlag ?? fromEnv ?? s.default ?? (stdoutIsTty ? 'text' : 'json');
    const name = fromFlag !== undefined ? `--${s.flag}` : fromEnv !== undefined ? s.env! : `the default ${s.key}`;
    out[s.key] = s.parse(raw, name);
  }
  const settings = out as unknown as ResolvedSettings;
  const flag = (f: string) => given[flagKey(f)] as boolean | undefined;
  settings.gitSync = resolveGitSyncSettings(
    {
      autoCommit: flag('auto-commit'),
      autoPush: flag('auto-push'),
      autoPull: flag('auto-pull'),
      autoSync: flag('auto-sync'),
      remoteSyncInterval: given.remoteSyncInterval as string | undefined,
    },
    env,
  );
  if (settings.maxWaitMs < settings.debounceMs) {
    throw new SettingsError(
      `max wait (${settings.maxWaitMs} ms, BEADS_DEBOUNCE_MAX_MS / --max-wait-ms) must not be shorter than the debounce (${settings.debounceMs} ms)`,
    );
  }
  return settings;
}

/** The settings flags given on this command line, to pass on to a background daemon. */
export function passThroughArgs(flags: DaemonFlags): string[] {
  const given = flags as Record<string, string | boolean | undefined>;
  const out: string[] = [];
  for (const s of DAEMON_SETTINGS) {
    const value = given[flagKey(s.flag)];
    if (!s.passThrough || value === undefined) continue;
    if (typeof value === 'boolean') out.push(value ? `--${s.flag}` : `--no-${s.flag}`);
    else out.push(`--${s.flag}`, value);
  }
  return out;
}
