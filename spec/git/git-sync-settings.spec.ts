import { pushRetryDelayMs, resolveGitSyncSettings } from '../../src/git/git-sync-settings';

describe('resolveGitSyncSettings', () => {
  it('should keep everything off by default, fetching every 30 s', () => {
    expect(resolveGitSyncSettings({}, {})).toEqual({ autoCommit: false, autoPush: false, autoPull: false, remoteSyncIntervalMs: 30_000 });
  });

  it('should turn on all three with auto-sync, and commit with auto-push', () => {
    expect(resolveGitSyncSettings({}, { BEADS_AUTO_SYNC: 'true' })).toMatchObject({ autoCommit: true, autoPush: true, autoPull: true });
    expect(resolveGitSyncSettings({ autoPush: true }, {})).toMatchObject({ autoCommit: true, autoPush: true, autoPull: false });
    expect(resolveGitSyncSettings({}, { BEADS_AUTO_PULL: '1' })).toMatchObject({ autoCommit: false, autoPull: true });
  });

  it('should let a flag win over its variable, and a specific setting over auto-sync', () => {
    expect(resolveGitSyncSettings({ autoCommit: false }, { BEADS_AUTO_COMMIT: 'yes' }).autoCommit).toBe(false);
    expect(resolveGitSyncSettings({ autoSync: true, autoPull: false }, {})).toMatchObject({ autoCommit: true, autoPush: true, autoPull: false });
    expect(resolveGitSyncSettings({ remoteSyncInterval: '1s' }, { BEADS_REMOTE_SYNC_INTERVAL: '5m' }).remoteSyncIntervalMs).toBe(1000);
  });

  it('should read 0 as "never fetch on a timer"', () => {
    expect(resolveGitSyncSettings({}, { BEADS_REMOTE_SYNC_INTERVAL: '0' }).remoteSyncIntervalMs).toBe(0);
    expect(resolveGitSyncSettings({ remoteSyncInterval: '0s' }, {}).remoteSyncIntervalMs).toBe(0);
  });

  it('should refuse invalid values, naming the variable or flag', () => {
    expect(() => resolveGitSyncSettings({}, { BEADS_AUTO_PUSH: 'maybe' })).toThrow('BEADS_AUTO_PUSH="maybe" is not valid: expected true or false');
    expect(() => resolveGitSyncSettings({}, { BEADS_REMOTE_SYNC_INTERVAL: 'soon' })).toThrow('BEADS_REMOTE_SYNC_INTERVAL="soon" is not valid');
    expect(() => resolveGitSyncSettings({ remoteSyncInterval: '-1s' }, {})).toThrow('--remote-sync-interval="-1s" is not valid');
  });
});

describe('pushRetryDelayMs', () => {
  it('should double from 1 s and stop at 60 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 100].map(pushRetryDelayMs)).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
  });
});
