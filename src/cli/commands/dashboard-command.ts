import type { CommandModule } from 'yargs';
import type { GlobalArgs } from '../cli-context';
import { print, printJson } from '../render';

/** The dashboard is asked for but absent: the message says how to get one. */
export class NoDashboardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoDashboardError';
  }
}

/**
 * Prints the URL of the running daemon's dashboard, token included. It opens nothing: the URL
 * is a secret for this user, and which browser to give it to is the user's choice.
 */
export const dashboardCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'dashboard',
  describe: "Print the URL of the running daemon's live dashboard (start it with `bd-rx daemon --dashboard`)",
  handler: async (argv) => {
    const { askDaemon } = await import('../../daemon/client/ask-daemon');
    const { workspaceFor } = await import('../cli-context');
    const paths = workspaceFor(argv);
    const status = (await askDaemon(paths, 'status')) as { pid?: number; dashboard_url?: string } | null;
    if (!status) {
      throw new NoDashboardError(`no daemon is running for ${paths.root}: start one with \`bd-rx daemon start --dashboard\``);
    }
    if (!status.dashboard_url) {
      throw new NoDashboardError(
        `the daemon (pid ${status.pid}) runs without a dashboard: restart it with \`bd-rx daemon restart --dashboard\``,
      );
    }
    if (argv.json) return printJson({ dashboard_url: status.dashboard_url });
    print(status.dashboard_url);
  },
};
