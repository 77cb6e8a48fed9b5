import * as path from 'node:path';
import type { Arguments } from 'yargs';
import { defaultActor } from '../ops/operation-context';
import { MUTATING_OPERATIONS } from '../ops/operation-table';
import { resolveWorkspace, workspacePaths, type WorkspacePaths } from '../workspace/workspace-paths';
import { openDaemonBackend, openDirectBackend, type Backend } from './backend';
import { installProgressDisplay } from './progress-display';
import { globalFlags } from './global-flags';
import { ReadonlyError } from './report-error';

export interface GlobalArgs {
  json?: boolean;
  workspace?: string;
  actor?: string;
  daemon?: boolean;
}

/**
 * The workspace of a command: `-C/--workspace`, else `--db`/BEADS_DB (the DB lives in
 * `<workspace>/.beads/`), else BEADS_DIR, else the nearest `.beads/` above the current directory.
 */
export function workspaceFor(argv: GlobalArgs): WorkspacePaths {
  const db = globalFlags().db;
  if (argv.workspace === undefined && db) {
    const dbPath = path.resolve(db);
    const beadsDir = path.dirname(dbPath);
    const root = path.basename(beadsDir) === '.beads' ? path.dirname(beadsDir) : beadsDir;
    return { ...workspacePaths(root), dbPath };
  }
  return resolveWorkspace({ cwd: process.cwd(), explicit: argv.workspace });
}

/** The command's words (`dep add`), as bd names an operation in its read-only message. */
function commandName(argv: GlobalArgs): string {
  const words = (argv as { _?: Array<string | number> })._ ?? [];
  return words.slice(0, 2).map(String).join(' ') || 'write';
}

/**
 * The backend for a data command: the workspace's daemon when one answers on its socket (so
 * writes flow through its `mutation$`), direct mode otherwise or with `--no-daemon`/`--sandbox`.
 * Under `--readonly` every write is refused before it is sent.
 */
export async function openBackend(argv: GlobalArgs): Promise<{ backend: Backend; paths: WorkspacePaths }> {
  const paths = workspaceFor(argv);
  const actor = argv.actor ?? defaultActor();
  const flags = globalFlags();
  let backend: Backend | null = null;
  if (argv.daemon !== false && !flags.sandbox) backend = await openDaemonBackend(paths, actor);
  backend ??= openDirectBackend(paths, actor, { autoImport: !flags.noAutoImport });
  if (!flags.readonly) return { backend, paths };
  const inner = backend;
  const name = commandName(argv);
  return {
    paths,
    backend: {
      mode: inner.mode,
      call: (operation, args) => {
        if (MUTATING_OPERATIONS.has(operation as never) || operation === 'import' || operation.startsWith('config_')) return Promise.reject(new ReadonlyError(name));
        return inner.call(operation, args);
      },
      close: () => inner.close(),
    },
  };
}

/** Runs one command against the backend and always releases it. */
export async function withBackend<T>(
  argv: Arguments<GlobalArgs>,
  fn: (backend: Backend, paths: WorkspacePaths) => Promise<T>,
): Promise<T> {
  const { backend, paths } = await openBackend(argv);
  const restoreProgress = installProgressDisplay({ json: argv.json === true });
  try {
    return await fn(backend, paths);
  } finally {
    restoreProgress();
    backend.close();
  }
}
