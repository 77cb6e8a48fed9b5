import type { Arguments } from 'yargs';
import { defaultActor } from '../ops/operation-context';
import { resolveWorkspace, type WorkspacePaths } from '../workspace/workspace-paths';
import { openDirectBackend, type Backend } from './backend';

export interface GlobalArgs {
  json?: boolean;
  workspace?: string;
  actor?: string;
  daemon?: boolean;
}

export function workspaceFor(argv: GlobalArgs): WorkspacePaths {
  return resolveWorkspace({ cwd: process.cwd(), explicit: argv.workspace });
}

/** The backend for a data command; the daemon route is added by the RPC layer. */
export async function openBackend(argv: GlobalArgs): Promise<{ backend: Backend; paths: WorkspacePaths }> {
  const paths = workspaceFor(argv);
  const actor = argv.actor ?? defaultActor();
  return { backend: openDirectBackend(paths, actor), paths };
}

/** Runs one command against the backend and always releases it. */
export async function withBackend<T>(
  argv: Arguments<GlobalArgs>,
  fn: (backend: Backend, paths: WorkspacePaths) => Promise<T>,
): Promise<T> {
  const { backend, paths } = await openBackend(argv);
  try {
    return await fn(backend, paths);
  } finally {
    backend.close();
  }
}
