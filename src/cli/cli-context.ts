import type { Arguments } from 'yargs';
import { defaultActor } from '../ops/operation-context';
import { resolveWorkspace, type WorkspacePaths } from '../workspace/workspace-paths';
import { openDaemonBackend, openDirectBackend, type Backend } from './backend';
import { installProgressDisplay } from './progress-display';

export interface GlobalArgs {
  json?: boolean;
  workspace?: string;
  actor?: string;
  daemon?: boolean;
}

export function workspaceFor(argv: GlobalArgs): WorkspacePaths {
  return resolveWorkspace({ cwd: process.cwd(), explicit: argv.workspace });
}

/**
 * The backend for a data command: the workspace's daemon when one answers on its socket (so
 * writes flow through its `mutation$`), direct mode otherwise or with `--no-daemon`.
 */
export async function openBackend(argv: GlobalArgs): Promise<{ backend: Backend; paths: WorkspacePaths }> {
  const paths = workspaceFor(argv);
  const actor = argv.actor ?? defaultActor();
  if (argv.daemon !== false) {
    const daemon = await openDaemonBackend(paths, actor);
    if (daemon) return { backend: daemon, paths };
  }
  return { backend: openDirectBackend(paths, actor), paths };
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
