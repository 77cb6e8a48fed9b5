import type { DaemonServices } from '../../ops/daemon-context';
import type { OperationContext } from '../../ops/operation-context';
import { isMutating, runOperation } from '../../ops/operation-table';
import { isCallOf, type OperationCall } from '../../rpc/protocol';
import type { RpcHandler } from '../../rpc/rpc-server';
import { GroupCommit } from './group-commit';

export type { MutationRecord } from '../../ops/daemon-operations';

/** What the daemon's wiring hands the RPC handler. */
export type RpcHandlerDeps = Omit<DaemonServices, 'runCall'>;

/**
 * Serves bd's RPC operations against the daemon's store: every request runs through its row of
 * the operation table (src/ops/operation-table.ts), the same as in direct mode, so output is
 * identical either way; writes reach `mutation$` through the store.
 */
export function daemonRpcHandler(deps: RpcHandlerDeps): RpcHandler {
  const { store, paths } = deps.runtime;
  // Several clients connected: gather the writes of a turn of the event loop (every socket read
  // in it). One: commit once the requests it pipelined have all been dispatched (a connection
  // dispatches its queued requests in one go), which costs a sequential client only a microtask;
  // a turn of the event loop would cost it ~8 % of its throughput.
  const writes = new GroupCommit(store, (flush) =>
    deps.activeConnections() > 1 ? setImmediate(flush) : queueMicrotask(flush),
  );

  const run = async (call: OperationCall, ctx: OperationContext): Promise<unknown> => {
    if (isMutating(call.operation)) {
      // Writes from all connections in one event-loop turn share a commit.
      return writes.submit(() => runOperation(call, ctx));
    }
    // Writes submitted earlier (this client's pipelined ones included) commit before any read.
    if (writes.pending) await writes.settled();
    return runOperation(call, ctx);
  };

  return (req) => {
    const daemon: DaemonServices = { ...deps, runCall: (call) => run(call, ctx) };
    const ctx: OperationContext = { store, paths, actor: req.actor ?? 'daemon', daemon };
    // A stream is not a write and has no answer to wait for.
    if (isCallOf(req, 'subscribe')) return runOperation(req, ctx);
    return run(req, ctx);
  };
}
