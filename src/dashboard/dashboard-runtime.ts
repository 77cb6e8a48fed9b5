import type { Observable } from 'rxjs';
import type { LoggedEvent } from '../events/daemon-event';

/**
 * What the dashboard needs from the running daemon, and nothing more: the server attaches to
 * it as `startDashboard(runtime) → { close() }`, like the RPC server, so it can be re-pointed
 * at another runtime (the daemon's, a test's) without changes here.
 */
export interface DashboardRuntime {
  /**
   * Every event as it is logged (hot; completes when the daemon stops). The daemon passes its
   * `replay$`, so a dashboard attached late starts with the runtime's recent events.
   */
  events$: Observable<LoggedEvent>;
  /** The `daemon status --verbose` numbers (the RPC `status` result), read when sent. */
  status(): Record<string, unknown>;
}
