import { userInfo } from 'node:os';
import type { BeadsStore } from '../store/beads-store';
import type { WorkspacePaths } from '../workspace/workspace-paths';
import type { DaemonServices } from './daemon-context';

/**
 * What an operation needs: the store, the workspace files and who is acting; inside the
 * daemon also the daemon's services (the daemon-only operations need them, and `import` /
 * `export` of the workspace JSONL go through the daemon's lane).
 */
export interface OperationContext {
  store: BeadsStore;
  paths: WorkspacePaths;
  actor: string;
  daemon?: DaemonServices;
}

export function defaultActor(env: NodeJS.ProcessEnv = process.env): string {
  return env.BD_ACTOR || env.BEADS_ACTOR || env.USER || env.USERNAME || safeUsername();
}

function safeUsername(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}
