import type { ZodError, ZodIssue } from 'zod';

/**
 * Turns zod issues into one line a person can act on: each issue names its field (dotted path)
 * and says what was expected and what arrived, e.g. `priority: expected an integer 0-4, got "high"`.
 * The schemas in protocol.ts carry the "expected …" phrase as their custom message.
 */
export function zodMessage(error: ZodError, input: unknown): string {
  return error.issues.map((issue) => issueMessage(issue, input)).join('; ');
}

function issueMessage(issue: ZodIssue, input: unknown): string {
  const field = issue.path.join('.');
  const prefix = field === '' ? '' : `${field}: `;
  if (issue.code === 'unrecognized_keys') {
    const inside = field === '' ? '' : ` in ${field}`;
    return issue.keys.map((key) => `${key}: unknown field${inside}`).join('; ');
  }
  const value = valueAt(input, issue.path);
  if (value === undefined) return `${prefix}missing, expected ${issue.message}`;
  return `${prefix}expected ${issue.message}, got ${describeValue(value)}`;
}

function valueAt(input: unknown, path: ReadonlyArray<string | number>): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** A short JSON rendering of a value for an error message; long values are cut. */
export function describeValue(value: unknown, maxChars = 60): string {
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value) ?? String(value);
  return json.length > maxChars ? `${json.slice(0, maxChars)}…` : json;
}
