import { escapeControls } from '../text/escape-controls';

/** Prints an error for a person and returns the exit code: 1 for errors, 2 for usage. */
export function reportError(err: unknown): number {
  const message = err instanceof Error ? err.message : String(err);
  // A message may quote an id or a line from a pulled record.
  process.stderr.write(`Error: ${escapeControls(message, true)}\n`);
  if (process.env.BD_RX_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
  return 1;
}
