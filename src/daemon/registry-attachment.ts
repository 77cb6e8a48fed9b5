import { BD_COMPAT_VERSION } from '../version';
import type { DaemonAttachment } from './daemon-runtime';
import { registerDaemon, unregisterDaemon } from './daemon-registry';

/**
 * The daemon's line in bd's global registry (`~/.beads/registry.json`), written once the socket
 * listens and removed at stop, so tools that list running bd workspaces (`bd daemon list`, UIs
 * reading the file) find this one. The version is bd's, as the socket answers in bd's shapes.
 * The registry is a convenience for discovery: failing to write it never stops the daemon.
 */
export function registryAttachment(opts: { socketPath: string; home?: string }): DaemonAttachment {
  return {
    start: async (runtime) => {
      const workspacePath = runtime.paths.root;
      const pid = process.pid;
      const registered = await registerDaemon(
        {
          workspace_path: workspacePath,
          socket_path: opts.socketPath,
          database_path: runtime.paths.dbPath,
          pid,
          version: BD_COMPAT_VERSION,
          started_at: new Date(runtime.startedAt).toISOString(),
        },
        opts.home,
      ).then(
        () => true,
        (err: unknown) => {
          process.stderr.write(`bd-rx daemon: not listed in ~/.beads/registry.json (${String(err)}); bd's \`daemon list\` will not show it\n`);
          return false;
        },
      );
      return {
        close: async () => {
          if (registered) await unregisterDaemon(workspacePath, pid, opts.home).catch(() => undefined);
        },
      };
    },
  };
}
