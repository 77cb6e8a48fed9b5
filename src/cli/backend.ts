import { MUTATING_OPERATIONS, type OperationContext } from '../ops/operation-context';
import type { WorkspacePaths } from '../workspace/workspace-paths';

/** Where a command's operations run: in this process (direct mode) or in the daemon. */
export interface Backend {
  readonly mode: 'direct' | 'daemon';
  call(operation: string, args?: Record<string, unknown>): Promise<unknown>;
  close(): void;
}

/**
 * Direct mode: the command opens the DB itself. An outside change to the JSONL (git pull)
 * is imported first, and every change is exported before the command returns, so the file
 * in git is always current.
 */
export function openDirectBackend(paths: WorkspacePaths, actor: string): Backend {
  // Loaded here, not at the top: commands that talk to the daemon never pay for SQLite.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { BeadsStore } = require('../store/beads-store') as typeof import('../store/beads-store');
  const { importJsonl } = require('../sync/import-jsonl') as typeof import('../sync/import-jsonl');
  const { exportJsonl } = require('../sync/export-jsonl') as typeof import('../sync/export-jsonl');
  const { executeOperation } = require('../ops/execute-operation') as typeof import('../ops/execute-operation');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const store = new BeadsStore(paths.dbPath);
  const ctx: OperationContext = { store, paths, actor };
  let synced = false;
  return {
    mode: 'direct',
    async call(operation, args = {}) {
      if (!synced && operation !== 'import') {
        importJsonl(store, { jsonlPath: paths.jsonlPath });
        synced = true;
      }
      const result = executeOperation(ctx, operation, args);
      if (MUTATING_OPERATIONS.has(operation)) exportJsonl(store, { jsonlPath: paths.jsonlPath });
      return result;
    },
    close() {
      store.dispose();
    },
  };
}
