import type { ZodError, ZodIssue } from 'zod';

/** Issues listed in one message; a request with more says how many it left out. */
const MAX_ISSUES = 5;

/**
 * Turns zod issues into one line a person can act on: each issue names its field (dotted path)
 * and says what was expected and what arrived, e.g. `priority: expected an integer 0-4, got "high"`.
 * The schemas in protocol.ts carry the "expected …" phrase as their custom message.
 * A value with a million bad elements yields a million issues: the message names the first few.
 */
export function zodMessage(error: ZodError, input: unknown): string {
  const { issues } = error;
  const shown = issues.slice(0, MAX_ISSUES).map((issue) => issueMessage(issue, input));
  if (issues.length > MAX_ISSUES) shown.push(`and ${issues.length - MAX_ISSUES} more problems`);
  return shown.join('; ');
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

/**
 * A short JSON rendering of a value for an error message; long values are cut. Safe on any
 * value a request can carry: JSON.stringify of 10,000 nested arrays (a 20 KB request line)
 * overflows the stack, so this renders only the first `maxChars` characters' worth, and its
 * recursion never goes deeper than that.
 */
export function describeValue(value: unknown, maxChars = 60): string {
  if (value === undefined) return 'nothing';
  const json = jsonPrefix(value, maxChars + 1);
  if (json.length <= maxChars) return json;
  // Never end the cut on half a surrogate pair.
  const end = /[\uD800-\uDBFF]/.test(json.charAt(maxChars - 1)) ? maxChars - 1 : maxChars;
  return `${json.slice(0, end)}…`;
}

/**
 * JSON.stringify's text for `value`, stopped once `budget` characters are out (the brackets
 * still open are closed). Each level of nesting writes a character before it descends, so the
 * recursion is at most `budget` deep.
 */
function jsonPrefix(value: unknown, budget: number): string {
  const parts: string[] = [];
  let length = 0;
  const emit = (text: string): void => {
    parts.push(text);
    length += text.length;
  };
  const walk = (v: unknown, inArray: boolean): void => {
    if (length >= budget) return;
    if (typeof v === 'string') emit(JSON.stringify(v.length > budget ? v.slice(0, budget) : v));
    else if (typeof v === 'bigint' || typeof v === 'symbol') emit(String(v));
    else if (typeof v !== 'object' || v === null) emit(JSON.stringify(v) ?? (inArray ? 'null' : String(v)));
    else if (typeof (v as { toJSON?: unknown }).toJSON === 'function') emit(safeStringify(v));
    else if (Array.isArray(v)) {
      emit('[');
      for (let i = 0; i < v.length && length < budget; i++) {
        if (i > 0) emit(',');
        walk(v[i], true);
      }
      emit(']');
    } else {
      emit('{');
      let first = true;
      for (const [key, item] of entriesUpTo(v as Record<string, unknown>, budget)) {
        if (length >= budget) break;
        if (item === undefined || typeof item === 'function') continue;
        if (!first) emit(',');
        first = false;
        emit(`${JSON.stringify(key.length > budget ? key.slice(0, budget) : key)}:`);
        walk(item, false);
      }
      emit('}');
    }
  };
  walk(value, false);
  return parts.join('');
}

/** At most `max` own enumerable entries, without listing every key of a huge object first. */
function* entriesUpTo(object: Record<string, unknown>, max: number): Generator<[string, unknown]> {
  let n = 0;
  for (const key in object) {
    if (!Object.prototype.hasOwnProperty.call(object, key)) continue;
    if (n++ >= max) return;
    yield [key, object[key]];
  }
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
