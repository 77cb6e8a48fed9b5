import { parseDuration, SettingsError } from '../daemon/daemon-settings';
import { backoffDelayMs } from '../pipeline/backoff-delay';

/** What the daemon does with git. All off by default: a daemon stays local unless asked. */
export interface GitSyncSettings {
  /** Commit the JSONL after each export. */
  autoCommit: boolean;
  /** Push after each commit (implies autoCommit). */
  autoPush: boolean;
  /** Fetch every interval and bring the remote's JSONL in. */
  autoPull: boolean;
  /** How often the remote is fetched; 0: never (pushes still fetch first). */
  remoteSyncIntervalMs: number;
}

/** The flags as yargs gives them: booleans for the switches, the interval as typed. */
export interface GitSyncFlags {
  autoCommit?: boolean;
  autoPush?: boolean;
  autoPull?: boolean;
  autoSync?: boolean;
  remoteSyncInterval?: string;
}

function envBool(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new SettingsError(`${name}=${JSON.stringify(raw)} is not valid: expected true or false`);
}

/**
 * The git settings from flags and environment, a flag winning over its variable;
 * `--auto-sync`/`BEADS_AUTO_SYNC` turns on all three, `--auto-push` implies commit. Invalid
 * values are refused naming the variable or flag.
 */
export function resolveGitSyncSettings(flags: GitSyncFlags, env: NodeJS.ProcessEnv = process.env): GitSyncSettings {
  const sync = flags.autoSync ?? envBool(env, 'BEADS_AUTO_SYNC');
  const pick = (flag: boolean | undefined, name: string): boolean => flag ?? envBool(env, name) ?? sync ?? false;
  const autoPush = pick(flags.autoPush, 'BEADS_AUTO_PUSH');
  const autoCommit = autoPush || pick(flags.autoCommit, 'BEADS_AUTO_COMMIT');
  const autoPull = pick(flags.autoPull, 'BEADS_AUTO_PULL');
  const name = flags.remoteSyncInterval !== undefined ? '--remote-sync-interval' : 'BEADS_REMOTE_SYNC_INTERVAL';
  const raw = flags.remoteSyncInterval ?? (env.BEADS_REMOTE_SYNC_INTERVAL || '30s');
  const remoteSyncIntervalMs = /^\s*0+\s*(ms|s|m)?\s*$/.test(raw) ? 0 : parseDuration(raw, name);
  return { autoCommit, autoPush, autoPull, remoteSyncIntervalMs };
}

/** Push retries after a rejection: 1 s, 2 s, 4 s … at most 60 s (the daemon's one backoff rule). */
export const pushRetryDelayMs = backoffDelayMs;
