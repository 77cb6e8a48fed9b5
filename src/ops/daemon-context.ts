import type { Observable } from 'rxjs';
import type { DaemonRuntime } from '../daemon/daemon-runtime';
import type { DaemonStats } from '../daemon/daemon-stats';
import type { ResolvedSettings } from '../daemon/daemon-settings';
import type { LoggedEvent } from '../events/daemon-event';
import type { BatchCall } from '../rpc/protocol';
import type { BeadsStore, StoreMutation } from '../store/beads-store';
import type { WorkspacePaths } from '../workspace/workspace-paths';

/** The part of the running daemon the operations read (the daemon's runtime has it all). */
export interface DaemonRuntimeView {
  store: BeadsStore;
  paths: WorkspacePaths;
  settings: Pick<ResolvedSettings, 'mode' | 'debounceMs' | 'maxWaitMs' | 'pollIntervalMs' | 'gitSync'>;
  /** Every event as it is logged (hot; completes when the daemon stops). */
  events$: Observable<LoggedEvent>;
  startedAt: number;
  /** Paths the watcher watches (empty in poll mode). */
  watched: readonly string[];
  /** The live dashboard's URL (token included) when it is on. */
  dashboardUrl?: string;
}

/** What the daemon-only operations (health, status, get_mutations, shutdown, subscribe, batch) use. */
export interface DaemonServices {
  runtime: DaemonRuntimeView;
  socketPath: string;
  version: string;
  maxConnections: number;
  activeConnections: () => number;
  stats: () => DaemonStats;
  /** Asks the pipeline for an import or export; resolves with the outcome of this request's run. */
  requestSync: DaemonRuntime['requestSync'];
  /** Begins a graceful stop, as SIGTERM would. */
  shutdown: () => void;
  /** The last mutations, oldest first (ring buffer of 1,000). */
  mutations: () => readonly StoreMutation[];
  /**
   * Runs one call of a batch the way a request of its own runs (reads wait for earlier writes,
   * writes share a group commit).
   */
  runCall?: (call: BatchCall) => Promise<unknown>;
}

/** The operation only makes sense inside a running daemon (there is no daemon in direct mode). */
export class NeedsDaemonError extends Error {
  constructor(operation: string) {
    super(`${operation} is answered by a running daemon only: start one with \`bd-rx daemon start\``);
    this.name = 'NeedsDaemonError';
  }
}

export function requireDaemon(daemon: DaemonServices | undefined, operation: string): DaemonServices {
  if (!daemon) throw new NeedsDaemonError(operation);
  return daemon;
}
