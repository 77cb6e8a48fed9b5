import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where one workspace keeps its files. */
export interface WorkspacePaths {
  /** The directory holding `.beads/` (the project). */
  root: string;
  beadsDir: string;
  dbPath: string;
  /** `.beads/issues.jsonl`, or a legacy `.beads/beads.jsonl` when only that exists. */
  jsonlPath: string;
}

export class WorkspaceNotFoundError extends Error {
  constructor(readonly from: string) {
    super(
      `no .beads/ directory in ${from} or any parent: run \`bd-rx init\` there, ` +
        'or point at a workspace with --workspace DIR (-C DIR) or BEADS_DIR',
    );
    this.name = 'WorkspaceNotFoundError';
  }
}

export function workspacePaths(root: string): WorkspacePaths {
  const beadsDir = path.join(root, '.beads');
  const current = path.join(beadsDir, 'issues.jsonl');
  const legacy = path.join(beadsDir, 'beads.jsonl');
  const jsonlPath = !fs.existsSync(current) && fs.existsSync(legacy) ? legacy : current;
  return { root, beadsDir, dbPath: path.join(beadsDir, 'beads.db'), jsonlPath };
}

/**
 * The workspace for a command: `--workspace`, else BEADS_DIR (the `.beads` directory itself, as
 * in bd, or the project directory holding it), else the nearest ancestor of `cwd` with `.beads/`.
 */
export function resolveWorkspace(opts: { cwd: string; explicit?: string; env?: NodeJS.ProcessEnv }): WorkspacePaths {
  const env = opts.env ?? process.env;
  const override = opts.explicit ?? env.BEADS_DIR;
  if (override) {
    const abs = path.resolve(opts.cwd, override);
    if (path.basename(abs) === '.beads') return workspacePaths(path.dirname(abs));
    return workspacePaths(abs);
  }
  const found = findWorkspaceRoot(opts.cwd);
  if (!found) throw new WorkspaceNotFoundError(opts.cwd);
  return workspacePaths(found);
}

export function findWorkspaceRoot(from: string): string | null {
  let dir = path.resolve(from);
  for (;;) {
    try {
      if (fs.statSync(path.join(dir, '.beads')).isDirectory() && !isRegistryOnly(path.join(dir, '.beads'))) return dir;
    } catch {
      // not here: keep walking up
    }
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** The names bd keeps in `~/.beads/` for its daemon registry (see src/daemon/daemon-registry.ts). */
export const isRegistryFileName = (name: string): boolean =>
  name === 'registry.json' || name === 'registry.lock' || /^registry-.*\.json\.tmp$/.test(name);

/**
 * `~/.beads/` holding only bd's daemon registry (`registry.json`, its lock and temps) is where
 * daemons list themselves, not a workspace: as in bd, discovery walks past it. A directory is
 * read only when the registry's lock is in it.
 */
function isRegistryOnly(beadsDir: string): boolean {
  if (!fs.existsSync(path.join(beadsDir, 'registry.lock')) && !fs.existsSync(path.join(beadsDir, 'registry.json'))) return false;
  return fs.readdirSync(beadsDir).every(isRegistryFileName);
}
