import type { Options } from 'yargs';

/** Options every command takes; shared by yargs and the fast path. */
export const GLOBAL_OPTIONS = {
  json: { type: 'boolean', describe: 'Machine-readable output (bd shapes)' },
  workspace: { alias: 'C', type: 'string', describe: 'Workspace directory (default: nearest with .beads/)' },
  actor: { type: 'string', describe: 'Who is acting (default: $BD_ACTOR or $USER)' },
  daemon: { type: 'boolean', default: true, describe: 'Use a running daemon (--no-daemon: direct mode)' },
} satisfies Record<string, Options>;
