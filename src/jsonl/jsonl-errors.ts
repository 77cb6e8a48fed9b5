import { escapeControls } from '../text/escape-controls';

/** A JSONL file that cannot be imported. `line` is 1-based. Nothing was changed. */
export class JsonlLineError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: 'conflict-marker' | 'invalid-json' | 'missing-id' | 'invalid-text' | 'repeated-id-key',
    message: string,
  ) {
    // A line's own text (quoted in the message by JSON.parse's error, say) may hold control
    // characters: escaped here, so a terminal or a log line never gets them raw.
    super(escapeControls(message));
    this.name = 'JsonlLineError';
  }
}

export function conflictMarkerError(file: string, line: number, text: string): JsonlLineError {
  return new JsonlLineError(
    file,
    line,
    'conflict-marker',
    `${file} line ${line} is a git conflict marker (${JSON.stringify(text.slice(0, 40))}): ` +
      'resolve the merge in that file, then run `bd-rx import`. Nothing was imported.',
  );
}

export function invalidJsonError(file: string, line: number, detail: string): JsonlLineError {
  return new JsonlLineError(
    file,
    line,
    'invalid-json',
    `${file} line ${line} is not valid JSON (${detail}): fix or remove that line, ` +
      'then run `bd-rx import`. Nothing was imported.',
  );
}

export function missingIdError(file: string, line: number): JsonlLineError {
  return new JsonlLineError(
    file,
    line,
    'missing-id',
    `${file} line ${line} is not an issue: expected a JSON object with a string "id" ` +
      '(or a record of another kind, with a string "_type", which is kept as it is). ' +
      'Fix or remove that line, then run `bd-rx import`. Nothing was imported.',
  );
}

export function invalidTextError(file: string, line: number, detail: string): JsonlLineError {
  return new JsonlLineError(
    file,
    line,
    'invalid-text',
    `${file} line ${line} is not valid UTF-8 text (${detail}): re-save that line as UTF-8 ` +
      '(or write the character as a JSON escape of a real character), then run `bd-rx import`. Nothing was imported.',
  );
}

/** A line whose object has its `"id"` key twice (the first is read from its bytes, the last by JSON). */
export function repeatedIdKeyError(file: string, line: number): JsonlLineError {
  return new JsonlLineError(
    file,
    line,
    'repeated-id-key',
    `${file} line ${line} has more than one "id" key: keep the one that is meant, then run \`bd-rx import\`. Nothing was imported.`,
  );
}
