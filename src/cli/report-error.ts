import { escapeControls } from '../text/escape-controls';

/**
 * A command line bd-rx cannot act on (unknown command or flag, missing argument): exit 2. One
 * found by the parser (`parse`) always goes to stderr; one a command finds itself (no id given)
 * is printed as bd prints that command's errors (`{"error"}` on stdout under --json, for
 * show/update/...), so a bd client still reads it.
 */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly opts: { parse?: boolean } = {},
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** `--readonly`: a write was asked for. bd's own wording, always on stderr. */
export class ReadonlyError extends Error {
  constructor(readonly operation: string) {
    super(`operation '${operation}' is not allowed in read-only mode`);
    this.name = 'ReadonlyError';
  }
}

/**
 * Commands whose errors bd prints as `{"error": "…"}` on stdout under `--json`
 * (FatalErrorRespectJSON); the others always print `Error: …` on stderr.
 */
const JSON_ERROR_COMMANDS = new Set([
  'show', 'view', 'update', 'close', 'reopen', 'defer', 'undefer', 'dep', 'label', 'comments', 'comment',
  'epic', 'stats', 'status', 'where', 'config', 'rename-prefix',
]);

export interface ErrorContext {
  /** The command word (`show`, `dep`, …), if the command line had one. */
  command?: string;
  json?: boolean;
}

/** Prints an error for a person (or, under --json, for a tool) and returns the exit code. */
export function reportError(err: unknown, ctx: ErrorContext = {}): number {
  const message = err instanceof Error ? err.message : String(err);
  const usage = err instanceof UsageError || (err instanceof Error && err.name === 'MissingFlagValueError');
  const parse = usage && !(err instanceof UsageError && !err.opts.parse);
  if (ctx.json && !parse && !(err instanceof ReadonlyError) && ctx.command && JSON_ERROR_COMMANDS.has(ctx.command)) {
    process.stdout.write(JSON.stringify({ error: message }, null, 2) + '\n');
  } else {
    // A message may quote an id or a line from a pulled record.
    process.stderr.write(`Error: ${escapeControls(message, true)}\n`);
  }
  if (process.env.BD_RX_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
  return usage ? 2 : 1;
}
