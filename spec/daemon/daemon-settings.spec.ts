import yargs from 'yargs';
import { DAEMON_SETTINGS, describeSetting, passThroughArgs, resolveSettings, SettingsError } from '../../src/daemon/daemon-settings';
import { daemonCommand, type DaemonArgs } from '../../src/cli/commands/daemon-command';

/** Parses a command line with the daemon command's real yargs options. */
function parse(args: string[]): DaemonArgs {
  const builder = daemonCommand.builder as (y: ReturnType<typeof yargs>) => ReturnType<typeof yargs>;
  return builder(yargs(args).exitProcess(false).strict(false)).parseSync() as unknown as DaemonArgs;
}

describe('DAEMON_SETTINGS', () => {
  it('should resolve the documented defaults with no flag and no variable', () => {
    expect(resolveSettings({}, {}, false)).toEqual({
      mode: 'events',
      debounceMs: 500,
      maxWaitMs: 2000,
      watcherFallback: true,
      pollIntervalMs: 5000,
      safetyIntervalMs: 30_000,
      logFormat: 'json',
      dashboard: false,
      dashboardPort: 0,
      autoCommit: false,
      autoPush: false,
      autoPull: false,
      autoSync: false,
      remoteSyncIntervalMs: 30000,
      gitSync: { autoCommit: false, autoPush: false, autoPull: false, remoteSyncIntervalMs: 30000 },
    });
    expect(resolveSettings({}, {}, true).logFormat).toBe('text');
  });

  it('should read every variable the table names, and let a flag win over it', () => {
    const env = { BEADS_DAEMON_MODE: 'poll', BEADS_DEBOUNCE_MS: '50', BEADS_DEBOUNCE_MAX_MS: '900', BEADS_WATCHER_FALLBACK: 'off', BEADS_POLL_INTERVAL: '2s' };
    expect(resolveSettings({}, env, false)).toMatchObject({ mode: 'poll', debounceMs: 50, maxWaitMs: 900, watcherFallback: false, pollIntervalMs: 2000 });
    expect(resolveSettings(parse(['--debounce-ms', '70', '--watcher-fallback']), env, false)).toMatchObject({ debounceMs: 70, watcherFallback: true });
  });

  it('should read the safety interval as a duration, with 0 turning the check off', () => {
    expect(resolveSettings({}, { BEADS_SAFETY_INTERVAL: '0' }, false).safetyIntervalMs).toBe(0);
    expect(resolveSettings(parse(['--safety-interval', '250ms']), { BEADS_SAFETY_INTERVAL: '0' }, false).safetyIntervalMs).toBe(250);
    expect(() => resolveSettings({}, { BEADS_SAFETY_INTERVAL: 'often' }, false)).toThrow(/^BEADS_SAFETY_INTERVAL="often" is not valid/);
  });

  it('should refuse a bad value naming where it came from and what is accepted', () => {
    expect(() => resolveSettings({}, { BEADS_DEBOUNCE_MS: 'abc' }, false)).toThrow(
      new SettingsError('BEADS_DEBOUNCE_MS="abc" is not valid: expected a whole number of milliseconds ≥ 0, e.g. 500'),
    );
    expect(() => resolveSettings(parse(['--mode', 'fast']), {}, false)).toThrow('--mode="fast" is not valid: expected "events" or "poll"');
    expect(() => resolveSettings(parse(['--max-wait-ms', '10', '--debounce-ms', '20']), {}, false)).toThrow(/must not be shorter/);
  });

  it('should offer every setting as a flag whose help names its variable and default', () => {
    const help = DAEMON_SETTINGS.map((s) => s.flag);
    expect(help).toEqual(['mode', 'debounce-ms', 'max-wait-ms', 'watcher-fallback', 'poll-interval', 'safety-interval', 'log-format', 'dashboard', 'dashboard-port', 'auto-commit', 'auto-push', 'auto-pull', 'auto-sync', 'remote-sync-interval']);
    expect(describeSetting(DAEMON_SETTINGS[1])).toBe('Quiet period before a sync (env BEADS_DEBOUNCE_MS, default 500)');
    expect(describeSetting(DAEMON_SETTINGS[6])).toBe('json|text (default json when stdout is not a TTY)');
    const parsed = parse(['--mode', 'poll', '--debounce-ms', '10', '--max-wait-ms', '20', '--no-watcher-fallback', '--poll-interval', '1s', '--log-format', 'text']);
    expect(resolveSettings(parsed, {}, false)).toEqual({
      mode: 'poll',
      debounceMs: 10,
      maxWaitMs: 20,
      watcherFallback: false,
      pollIntervalMs: 1000,
      safetyIntervalMs: 30_000,
      logFormat: 'text',
      dashboard: false,
      dashboardPort: 0,
      autoCommit: false,
      autoPush: false,
      autoPull: false,
      autoSync: false,
      remoteSyncIntervalMs: 30000,
      gitSync: { autoCommit: false, autoPush: false, autoPull: false, remoteSyncIntervalMs: 30000 },
    });
  });

  it('should pass on to a background daemon exactly the settings given, which parse back to the same settings', () => {
    const parsed = parse(['--mode', 'poll', '--debounce-ms', '10', '--no-watcher-fallback', '--log-format', 'text']);
    const args = passThroughArgs(parsed);
    expect(args).toEqual(['--mode', 'poll', '--debounce-ms', '10', '--no-watcher-fallback']);
    const { logFormat: _given, ...rest } = resolveSettings(parsed, {}, false);
    const { logFormat: _passed, ...again } = resolveSettings(parse(args), {}, false);
    expect(again).toEqual(rest);
    expect(passThroughArgs(parse([]))).toEqual([]);
  });
});

describe('DAEMON_SETTINGS git sync', () => {
  it('should turn on all three with --auto-sync or BEADS_AUTO_SYNC, and pass the git flags on to a background daemon', () => {
    expect(resolveSettings(parse(['--auto-sync', '--remote-sync-interval', '1s']), {}, false).gitSync).toEqual({
      autoCommit: true,
      autoPush: true,
      autoPull: true,
      remoteSyncIntervalMs: 1000,
    });
    expect(resolveSettings({}, { BEADS_AUTO_PUSH: '1', BEADS_REMOTE_SYNC_INTERVAL: '0' }, false).gitSync).toEqual({
      autoCommit: true,
      autoPush: true,
      autoPull: false,
      remoteSyncIntervalMs: 0,
    });
    expect(passThroughArgs(parse(['--auto-sync', '--remote-sync-interval', '1s']))).toEqual(['--auto-sync', '--remote-sync-interval', '1s']);
  });

  it('should refuse an invalid git variable naming it', () => {
    expect(() => resolveSettings({}, { BEADS_AUTO_COMMIT: 'maybe' }, false)).toThrow(/BEADS_AUTO_COMMIT="maybe" is not valid/);
    expect(() => resolveSettings({}, { BEADS_REMOTE_SYNC_INTERVAL: 'soon' }, false)).toThrow(/BEADS_REMOTE_SYNC_INTERVAL="soon" is not valid/);
  });
});
