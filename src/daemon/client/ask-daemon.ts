import * as fs from 'node:fs';
import type { OperationResult } from '../../ops/operation-table';
import { type ArgsFor, type RequestOperation, tryConnect } from '../../rpc/rpc-client';
import { socketPathFor } from '../../rpc/socket-path';
import type { WorkspacePaths } from '../../workspace/workspace-paths';

/** Asks the workspace's daemon one question; null when no daemon answers. */
export async function askDaemon<K extends RequestOperation>(
  paths: WorkspacePaths,
  operation: K,
  ...args: ArgsFor<K>
): Promise<OperationResult<K> | null> {
  const socketPath = socketPathFor(paths.root);
  if (!fs.existsSync(socketPath)) return null;
  const client = await tryConnect(socketPath, { timeoutMs: 5000, expectedDb: paths.dbPath });
  if (!client) return null;
  try {
    return await client.request(operation, ...args);
  } finally {
    client.close();
  }
}
