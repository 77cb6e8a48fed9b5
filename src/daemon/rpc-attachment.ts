import { startRpcServer, type RpcServer } from '../rpc/rpc-server';
import { BD_RX_VERSION } from '../version';
import { daemonRpcHandler } from './server/daemon-rpc-handler';
import type { DaemonAttachment } from './daemon-runtime';

export interface RpcAttachmentOptions {
  socketPath: string;
  maxConnections: number;
}

/** bd's RPC on the workspace socket, served from the runtime (see `daemonRpcHandler`). */
export function rpcAttachment(opts: RpcAttachmentOptions): DaemonAttachment {
  const { socketPath, maxConnections } = opts;
  return {
    start: async (runtime) => {
      let server: RpcServer | undefined;
      server = await startRpcServer({
        socketPath,
        dbPath: runtime.paths.dbPath,
        maxConnections,
        handler: daemonRpcHandler({
          runtime,
          socketPath,
          version: BD_RX_VERSION,
          maxConnections,
          activeConnections: () => server?.activeConnections() ?? 0,
          stats: runtime.stats,
          requestSync: runtime.requestSync,
          shutdown: runtime.shutdown,
          mutations: runtime.mutations,
        }),
      });
      return server;
    },
  };
}
