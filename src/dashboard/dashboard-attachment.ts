import type { DaemonAttachment, DaemonRuntime } from '../daemon/daemon-runtime';
import { startDashboard, type DashboardOptions } from './dashboard-server';

/**
 * What a tab opened late is shown first: about a minute of a busy daemon. More than the
 * runtime's own replay (sized for `subscribe` clients), as the page draws a window of up to
 * 10,000 marbles.
 */
export const DASHBOARD_REPLAY = 5000;

/**
 * The live dashboard, attached to the daemon like the RPC server. It only reads the runtime:
 * its events (from `replay$`, so a dashboard attached late starts with the runtime's recent
 * ones), its stats and settings. Once listening it publishes its URL on the runtime, for
 * `daemon/started`, the lock file and `status`.
 */
export function dashboardAttachment(opts: DashboardOptions = {}): DaemonAttachment {
  return {
    start: async (runtime) => {
      const server = await startDashboard(
        { events$: runtime.replay$, status: () => statusOf(runtime) },
        { port: runtime.settings.dashboardPort ?? 0, replay: DASHBOARD_REPLAY, ...opts },
      );
      runtime.dashboardUrl = server.url;
      return { close: () => server.close() };
    },
  };
}

/** The `daemon status --verbose` numbers the page shows. */
function statusOf(runtime: DaemonRuntime): Record<string, unknown> {
  const { settings } = runtime;
  return {
    pid: process.pid,
    uptime_seconds: Math.round((Date.now() - runtime.startedAt) / 1000),
    daemon_mode: settings.mode,
    debounce_ms: settings.debounceMs,
    max_wait_ms: settings.maxWaitMs,
    poll_interval_ms: settings.pollIntervalMs,
    watching: runtime.watched,
    ...runtime.stats(),
  };
}
