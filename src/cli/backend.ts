import type { OperationContext } from '../ops/operation-context';
import type { RequestOperation } from '../rpc/rpc-client';
import type { WorkspacePaths } from '../workspace/workspace-paths';

/** Where a command's operations run: in this process (direct mode) or in the daemon. */
export interface Backend {
  readonly mode: 'direct' | 'daemon';
  /** Runs `operation`; `args` are checked against its schema where it runs (here or in the daemon). */
  call(operation: RequestOperation, args?: object): Promise<unknown>;
  close(): void;
}

/**
 * Direct mode: the command opens the DB itself. An outside change to the JSONL (git pull)
 * is imported first, and every change is exported before the command returns, so the file
 * in git is always current.
 */
export function openDirectBackend(paths: WorkspacePaths, actor: string, opts: { autoImport?: boolean } = {}): Backend {
  // Loaded here, not at the top: commands that talk to the daemon never pay for SQLite.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { BeadsStore } = require('../store/beads-store') as typeof import('../store/beads-store');
  const { importJsonl } = require('../sync/import-jsonl') as typeof import('../sync/import-jsonl');
  const { executeOperation } = require('../ops/execute-operation') as typeof import('../ops/execute-operation');
  const { isMutating } = require('../ops/operation-table') as typeof import('../ops/operation-table');
  const { needsExport } = require('../ops/sync-operations') as typeof import('../ops/sync-operations');
  const { JsonlLineError } = require('../jsonl/jsonl-errors') as typeof import('../jsonl/jsonl-errors');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const store = new BeadsStore(paths.dbPath);
  const ctx: OperationContext = { store, paths, actor };
  // `--no-auto-import` / `--sandbox`: the DB is used as it is.
  let synced = opts.autoImport === false;
  return {
    mode: 'direct',
    async call(operation, args = {}) {
      if (!synced && operation !== 'import') {
        try {
          // A replaced base's blocks are freed beside the command's own work, not inside it
          // (renaming over the last name of an 85 MB file took ~60-80 ms).
          importJsonl(store, { jsonlPath: paths.jsonlPath, releaseOldInBackground: true });
        } catch (err) {
          // A JSONL mid-merge (conflict markers) must not hide the DB: reads go on from it, as in
          // bd, with the reason on stderr. A write is refused before it changes anything, since
          // its export could not merge the file either.
          if (!(err instanceof JsonlLineError) || isMutating(operation) || operation === 'export') throw err;
          process.stderr.write(`warning: ${err.message}\nShowing the database as of the last sync.\n`);
        }
        synced = true;
      }
      const result = executeOperation(ctx, operation, args);
      // `import -i FILE` (or a merge that kept newer local copies) also changes what the
      // JSONL should hold.
      const imported = operation === 'import' && needsExport(result);
      // Lean: unchanged lines are copied from the file, never the whole file held (lean-export.ts).
      if (isMutating(operation) || imported) {
        // Loaded only for a write: a read never exports.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { LeanExporter } = require('../sync/lean-exporter') as typeof import('../sync/lean-exporter');
        new LeanExporter(store, paths.jsonlPath, { releaseOldInBackground: true, oneShot: true }).export();
      }
      return result;
    },
    close() {
      store.dispose();
    },
  };
}

/** The daemon route, or null when no daemon answers on the workspace socket. */
export async function openDaemonBackend(paths: WorkspacePaths, actor: string): Promise<Backend | null> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { socketPathFor } = require('../rpc/socket-path') as typeof import('../rpc/socket-path');
  const socketPath = socketPathFor(paths.root);
  // The common case (no daemon) must cost one stat, not a connection attempt.
  if (!require('node:fs').existsSync(socketPath)) return null;
  const { tryConnect } = require('../rpc/rpc-client') as typeof import('../rpc/rpc-client');
  const { RpcConnectionError, SocketDirError } = require('../rpc/rpc-errors') as typeof import('../rpc/rpc-errors');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const { isOperation } = require('../rpc/protocol') as typeof import('../rpc/protocol');
  const client = await tryConnect(socketPath, { expectedDb: paths.dbPath, actor, cwd: process.cwd() }).catch((err: unknown) => {
    // Someone else's listener may sit there: the command runs in direct mode, never through it.
    if (!(err instanceof SocketDirError)) throw err;
    process.stderr.write(`warning: ${err.message}\nRunning without the daemon.\n`);
    return null;
  });
  if (!client) return null;
  // Queries the daemon does not serve (bd runs several of them against the DB directly too:
  // dep tree/cycles, config, info) read the DB in this process; the daemon's WAL makes that safe.
  // A daemon whose connection slots are all taken (by slow or idle peers) refuses before serving
  // anything: the command then runs in direct mode instead of failing.
  let direct: Backend | undefined;
  let busy = false;
  let served = false;
  return {
    mode: 'daemon',
    call: async (operation, args = {}) => {
      if (busy || !isOperation(operation)) {
        direct ??= openDirectBackend(paths, actor, { autoImport: busy });
        return direct.call(operation, args);
      }
      try {
        const result = await client.call(operation, args);
        served = true;
        return result;
      } catch (err) {
        if (served || !(err instanceof RpcConnectionError && err.code === 'EBUSY')) throw err;
        process.stderr.write(`warning: ${err.message}\nRunning without the daemon.\n`);
        busy = true;
        direct?.close();
        direct = openDirectBackend(paths, actor);
        return direct.call(operation, args);
      }
    },
    close: () => {
      client.close();
      direct?.close();
    },
  };
}
