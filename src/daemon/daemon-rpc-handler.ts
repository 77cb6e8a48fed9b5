import { executeOperation } from '../ops/execute-operation';
import { MUTATING_OPERATIONS } from '../ops/operation-context';
import { errorMessage, PROTOCOL_VERSION, type BatchCall, type ValidatedRequest } from '../rpc/protocol';
import type { RpcHandler } from '../rpc/rpc-server';
import type { StoreMutation } from '../store/beads-store';
import type { DaemonStats } from './daemon-stats';
import { GroupCommit } from './group-commit';
import type { DaemonRuntime } from './daemon-runtime';

/** bd's Go-style mutation record, as `get_mutations` returns it. */
export interface MutationRecord {
  Type: string;
  IssueID: string;
  Timestamp: string;
}

export interface RpcHandlerDeps {
  runtime: DaemonRuntime;
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
}

const SLOW_DB_MS = 500;

/**
 * Serves bd's RPC operations against the daemon's store. Data operations go through the same
 * `executeOperation` as direct mode, so output is identical either way; writes reach
 * `mutation$` through the store.
 */
export function daemonRpcHandler(deps: RpcHandlerDeps): RpcHandler {
  const { runtime } = deps;
  const { store, paths } = runtime;
  const uptime = () => Math.round((Date.now() - runtime.startedAt) / 1000);
  // Several clients connected: gather the writes of a turn of the event loop (every socket read
  // in it). One: commit once the requests it pipelined have all been dispatched (a connection
  // dispatches its queued requests in one go), which costs a sequential client only a microtask;
  // a turn of the event loop would cost it ~8 % of its throughput.
  const writes = new GroupCommit(store, (flush) =>
    deps.activeConnections() > 1 ? setImmediate(flush) : queueMicrotask(flush),
  );

  const health = () => {
    const t0 = performance.now();
    let status: 'healthy' | 'degraded' | 'unhealthy' = 'healthy';
    try {
      store.count();
    } catch {
      status = 'unhealthy';
    }
    const dbMs = Math.round((performance.now() - t0) * 1000) / 1000;
    if (status === 'healthy' && dbMs > SLOW_DB_MS) status = 'degraded';
    return {
      status,
      version: PROTOCOL_VERSION,
      daemon_version: deps.version,
      compatible: true,
      uptime_seconds: uptime(),
      db_response_ms: dbMs,
      active_connections: deps.activeConnections(),
      max_connections: deps.maxConnections,
      memory_alloc_mb: Math.round(process.memoryUsage().heapUsed / 1048576),
    };
  };

  const status = () => ({
    version: PROTOCOL_VERSION,
    daemon_version: deps.version,
    workspace_path: paths.root,
    database_path: paths.dbPath,
    jsonl_path: paths.jsonlPath,
    socket_path: deps.socketPath,
    pid: process.pid,
    uptime_seconds: uptime(),
    daemon_mode: runtime.settings.mode,
    debounce_ms: runtime.settings.debounceMs,
    max_wait_ms: runtime.settings.maxWaitMs,
    poll_interval_ms: runtime.settings.pollIntervalMs,
    watching: runtime.watched,
    ...deps.stats(),
    // bd's StatusResponse fields: bd-rx has no exclusive locks and never commits, pushes or
    // pulls git by itself; it syncs on file events, with polling every poll interval as fallback.
    last_activity_time: new Date().toISOString(),
    exclusive_lock_active: false,
    auto_commit: false,
    auto_push: false,
    auto_pull: false,
    local_mode: true,
    sync_interval: `${runtime.settings.pollIntervalMs / 1000}s`,
  });

  const run = async (operation: string, args: Record<string, unknown>, actor: string): Promise<unknown> => {
    // Writes submitted earlier (this client's pipelined ones included) commit before any read.
    if (!MUTATING_OPERATIONS.has(operation) && writes.pending) await writes.settled();
    switch (operation) {
      // bd's PingResponse {message, version}, with the health fields besides.
      case 'ping':
        return { message: 'pong', ...health() };
      case 'health':
        return health();
      case 'status':
        return status();
      case 'get_mutations': {
        const since = args.since as number;
        return deps
          .mutations()
          .filter((m) => m.at > since)
          .map((m): MutationRecord => ({ Type: m.op, IssueID: m.id, Timestamp: new Date(m.at).toISOString() }));
      }
      case 'export':
      case 'import': {
        // Another file (export -o / import -i) is not the workspace JSONL: no lane needed.
        if (args.output !== undefined || args.input !== undefined || args.force === true) {
          const result = executeOperation({ store, paths, actor }, operation, args);
          // It ran outside the lane: what it merged in reaches the JSONL by the lane's export.
          if (operation === 'import') void deps.requestSync('export', 'rpc import').catch(() => undefined);
          return result;
        }
        const done = await deps.requestSync(operation, 'rpc');
        if (done.type === 'export/failed' || done.type === 'import/failed') throw new Error(done.error);
        return done;
      }
      case 'shutdown':
        setImmediate(deps.shutdown);
        return { message: 'shutting down' };
      default:
        // Writes from all connections in one event-loop turn share a commit.
        if (MUTATING_OPERATIONS.has(operation)) {
          return writes.submit(() => executeOperation({ store, paths, actor }, operation, args));
        }
        return executeOperation({ store, paths, actor }, operation, args);
    }
  };

  return (req: ValidatedRequest) => {
    const actor = req.actor ?? 'daemon';
    if (req.operation === 'subscribe') return runtime.events$;
    if (req.operation === 'batch') {
      return (async () => {
        const results: Array<{ success: boolean; data?: unknown; error?: string }> = [];
        for (const call of req.args.operations as BatchCall[]) {
          try {
            results.push({ success: true, data: await run(call.operation, call.args as Record<string, unknown>, actor) });
          } catch (err) {
            results.push({ success: false, error: errorMessage(err) });
            break;
          }
        }
        return { results };
      })();
    }
    return run(req.operation, req.args as Record<string, unknown>, actor);
  };
}
