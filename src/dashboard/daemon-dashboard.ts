import type { Observable } from 'rxjs';
import type { DaemonStats } from '../daemon/daemon-stats';
import type { ResolvedSettings } from '../daemon/daemon-settings';
import type { LoggedEvent } from '../events/daemon-event';
import { startDashboard, type DashboardServer } from './dashboard-server';
import { recordRecentEvents } from './recent-events';

/** Events a tab opened late is shown first: about a minute of a busy daemon. */
export const DASHBOARD_REPLAY = 5000;

export interface DaemonDashboardSource {
  events$: Observable<LoggedEvent>;
  settings: ResolvedSettings;
  startedAt: number;
  watched: string[];
  stats: () => DaemonStats;
}

/**
 * The dashboard attached to a running daemon: the replay it keeps and the status numbers it
 * sends, built from what the daemon already has. Call before the first event, so the replay
 * misses nothing.
 */
export async function startDaemonDashboard(daemon: DaemonDashboardSource): Promise<DashboardServer> {
  const recent = recordRecentEvents(daemon.events$, DASHBOARD_REPLAY);
  const { settings } = daemon;
  try {
    const server = await startDashboard(
      {
        events$: daemon.events$,
        recentEvents: () => recent.events(),
        status: () => ({
          pid: process.pid,
          uptime_seconds: Math.round((Date.now() - daemon.startedAt) / 1000),
          daemon_mode: settings.mode,
          debounce_ms: settings.debounceMs,
          max_wait_ms: settings.maxWaitMs,
          poll_interval_ms: settings.pollIntervalMs,
          watching: daemon.watched,
          ...daemon.stats(),
        }),
      },
      { port: settings.dashboardPort ?? 0 },
    );
    return { ...server, close: () => server.close().finally(() => recent.stop()) };
  } catch (err) {
    recent.stop();
    throw err;
  }
}
