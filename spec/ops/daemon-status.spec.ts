import { NEVER } from 'rxjs';
import type { DaemonServices } from '../../src/ops/daemon-context';
import { status } from '../../src/ops/daemon-operations';

/** Just enough of a running daemon for `status`, which reads settings and counters only. */
function services(gitSync?: DaemonServices['runtime']['settings']['gitSync']): DaemonServices {
  return {
    runtime: {
      store: undefined as never,
      paths: { root: '/w', beadsDir: '/w/.beads', dbPath: '/w/.beads/beads.db', jsonlPath: '/w/.beads/issues.jsonl' } as never,
      settings: { mode: 'events', debounceMs: 500, maxWaitMs: 5000, pollIntervalMs: 5000, gitSync },
      events$: NEVER,
      startedAt: Date.now(),
      watched: [],
    },
    socketPath: '/w/.beads/bd.sock',
    version: 'test',
    maxConnections: 100,
    activeConnections: () => 0,
    stats: () => ({}) as never,
  } as unknown as DaemonServices;
}

describe('status (bd StatusResponse)', () => {
  it('should say local mode with no git switch on', () => {
    expect(status(services())).toMatchObject({ auto_commit: false, auto_push: false, auto_pull: false, local_mode: true, sync_interval: '5s' });
  });

  it('should report the git switches of a daemon started with --auto-sync, and the remote interval', () => {
    const s = status(services({ autoCommit: true, autoPush: true, autoPull: true, remoteSyncIntervalMs: 30000 }));
    expect(s).toMatchObject({ auto_commit: true, auto_push: true, auto_pull: true, local_mode: false, sync_interval: '30s' });
  });

  it('should report commit without push or pull as it is', () => {
    expect(status(services({ autoCommit: true, autoPush: false, autoPull: false, remoteSyncIntervalMs: 0 }))).toMatchObject({
      auto_commit: true,
      auto_push: false,
      local_mode: false,
      sync_interval: '5s',
    });
  });
});
