import { userInfo } from 'node:os';
import type { BeadsStore } from '../store/beads-store';
import type { WorkspacePaths } from '../workspace/workspace-paths';

/** What an operation needs: the store, the workspace files and who is acting. */
export interface OperationContext {
  store: BeadsStore;
  paths: WorkspacePaths;
  actor: string;
}

/** Operations that change issues; in direct mode each is followed by an export. */
export const MUTATING_OPERATIONS = new Set([
  'create',
  'update',
  'close',
  'reopen',
  'delete',
  'dep_add',
  'dep_remove',
  'label_add',
  'label_remove',
  'comment_add',
]);

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
