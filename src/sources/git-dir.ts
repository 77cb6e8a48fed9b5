import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

/**
 * Where git keeps the files whose change means "the branch moved". In a linked worktree they
 * differ: `HEAD` lives in the worktree's own git dir, `refs/heads/` in the shared common dir.
 */
export interface GitRefs {
  /** Absolute; holds `HEAD`. */
  gitDir: string;
  /** Absolute; holds `refs/heads/`. Equal to `gitDir` outside linked worktrees. */
  commonDir: string;
}

/**
 * Variables that point git at a repository other than the one around `cwd`. A daemon started
 * from inside a git hook inherits them (often as a path relative to the hook's cwd, not ours),
 * and we want the repository that holds the workspace.
 */
const REPO_LOCATING_ENV = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_COMMON_DIR', 'GIT_INDEX_FILE'];

/** The git repository holding `workspaceDir`, or null when there is none or git is not installed. */
export function findGitRefs(workspaceDir: string): GitRefs | null {
  const cwd = path.resolve(workspaceDir);
  const env = { ...process.env };
  for (const name of REPO_LOCATING_ENV) delete env[name];
  let out: string;
  try {
    out = execFileSync('git', ['rev-parse', '--git-dir', '--git-common-dir'], {
      cwd,
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    });
  } catch {
    // Not a repository (exit 128), git missing (ENOENT), cwd gone: all mean "no refs to watch".
    return null;
  }
  const [gitDir, commonDir] = out.split('\n');
  if (!gitDir || !commonDir) return null;
  // Both come back relative to cwd when it is the top level (".git"), absolute otherwise.
  return { gitDir: path.resolve(cwd, gitDir), commonDir: path.resolve(cwd, commonDir) };
}
