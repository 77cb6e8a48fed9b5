import { PROTOCOL_VERSION } from '../rpc/client-version';
import type { BatchCall } from '../rpc/protocol';
import { errorMessage } from '../rpc/response';
import type { DaemonServices } from './daemon-context';

/** bd's Go-style mutation record, as `get_mutations` returns it. */
export interface MutationRecord {
  Type: string;
  IssueID: string;
  Timestamp: string;
}

/** One entry of a batch's answer, shaped like a response line. */
export interface BatchResult {
  success: boolean;
  data?: unknown;
  error?: string;
}

const SLOW_DB_MS = 500;

const uptime = (d: DaemonServices) => Math.round((Date.now() - d.runtime.startedAt) / 1000);

export function health(d: DaemonServices) {
  const t0 = performance.now();
  let status: 'healthy' | 'degraded' | 'unhealthy' = 'healthy';
  try {
    d.runtime.store.count();
  } catch {
    status = 'unhealthy';
  }
  const dbMs = Math.round((performance.now() - t0) * 1000) / 1000;
  if (status === 'healthy' && dbMs > SLOW_DB_MS) status = 'degraded';
  return {
    status,
    version: PROTOCOL_VERSION,
    daemon_version: d.version,
    compatible: true,
    uptime_seconds: uptime(d),
    db_response_ms: dbMs,
    active_connections: d.activeConnections(),
    max_connections: d.maxConnections,
    memory_alloc_mb: Math.round(process.memoryUsage().heapUsed / 1048576),
  };
}

export function status(d: DaemonServices) {
  const { paths, settings } = d.runtime;
  const git = settings.gitSync;
  return {
    version: PROTOCOL_VERSION,
    daemon_version: d.version,
    workspace_path: paths.root,
    database_path: paths.dbPath,
    jsonl_path: paths.jsonlPath,
    socket_path: d.socketPath,
    pid: process.pid,
    uptime_seconds: uptime(d),
    daemon_mode: settings.mode,
    debounce_ms: settings.debounceMs,
    max_wait_ms: settings.maxWaitMs,
    poll_interval_ms: settings.pollIntervalMs,
    watching: d.runtime.watched,
    ...(d.runtime.dashboardUrl ? { dashboard_url: d.runtime.dashboardUrl } : {}),
    ...d.stats(),
    // bd's StatusResponse fields: bd-rx holds no exclusive locks; git work is what the git
    // switches (--auto-commit/--auto-push/--auto-pull, or --auto-sync) say; local mode is bd's
    // name for a daemon that does no git at all.
    last_activity_time: new Date().toISOString(),
    exclusive_lock_active: false,
    auto_commit: git?.autoCommit ?? false,
    auto_push: git?.autoPush ?? false,
    auto_pull: git?.autoPull ?? false,
    local_mode: !(git?.autoCommit || git?.autoPush || git?.autoPull),
    sync_interval: git?.autoPull ? `${git.remoteSyncIntervalMs / 1000}s` : `${settings.pollIntervalMs / 1000}s`,
  };
}

export function mutationsSince(d: DaemonServices, since: number): MutationRecord[] {
  return d
    .mutations()
    .filter((m) => m.at > since)
    .map((m) => ({ Type: m.op, IssueID: m.id, Timestamp: new Date(m.at).toISOString() }));
}

export function shutdown(d: DaemonServices): { message: string } {
  setImmediate(d.shutdown);
  return { message: 'shutting down' };
}

/** The calls in order; the first failure is reported and ends the batch, as in bd. */
export async function runBatch(d: DaemonServices, calls: readonly BatchCall[]): Promise<{ results: BatchResult[] }> {
  const runCall = d.runCall;
  if (!runCall) throw new Error('batch: this daemon was wired without a call runner; this is a bug in bd-rx');
  const results: BatchResult[] = [];
  for (const call of calls) {
    try {
      results.push({ success: true, data: await runCall(call) });
    } catch (err) {
      results.push({ success: false, error: errorMessage(err) });
      break;
    }
  }
  return { results };
}
