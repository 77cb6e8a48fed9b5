import type { DaemonFlags } from '../../daemon/daemon-settings';
import type { GlobalArgs } from '../cli-context';

export interface DaemonArgs extends GlobalArgs, DaemonFlags {
  init?: boolean;
  verbose?: boolean;
}

/** The workspace a daemon command acts on; `--init` creates it first when there is none. */
export async function resolvePaths(argv: DaemonArgs) {
  const { resolveWorkspace, findWorkspaceRoot } = await import('../../workspace/workspace-paths');
  if (argv.init && (argv.workspace || (!process.env.BEADS_DIR && !findWorkspaceRoot(process.cwd())))) {
    const { initWorkspace } = await import('../../workspace/init-workspace');
    return initWorkspace(argv.workspace ?? process.cwd()).paths;
  }
  return resolveWorkspace({ cwd: process.cwd(), explicit: argv.workspace });
}
