/**
 * The request envelope, as bd sends it: one JSON object per line,
 * `{operation, args, actor?, request_id?, cwd?, client_version?, expected_db?}`. Envelope fields
 * this daemon does not know (e.g. bd's `token`, used only over TCP) are ignored: they describe
 * the transport, not the data.
 */
import { z } from 'zod';
import { zodMessage } from './zod-message';

export interface RequestMeta {
  actor?: string;
  request_id?: string;
  cwd?: string;
  client_version?: string;
  expected_db?: string;
}

/** The envelope before its operation and args are checked. */
export type RequestEnvelope = RequestMeta & { operation: string; args: unknown };

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const str = (what = 'a string') => z.string({ message: what });

const envelopeSchema = z.object(
  {
    operation: str('an operation name (string)'),
    args: z.unknown(),
    actor: str().optional(),
    request_id: str().optional(),
    cwd: str().optional(),
    client_version: str().optional(),
    expected_db: str().optional(),
  },
  { message: 'a JSON object {operation, args}' },
);

/** Parses one request line's JSON and envelope fields; does not look at the operation. */
export function parseEnvelope(line: string): Parsed<RequestEnvelope> {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (err) {
    return {
      ok: false,
      error: `invalid request: not JSON (${(err as Error).message}); send one JSON object per line`,
    };
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) return { ok: false, error: `invalid request: ${zodMessage(parsed.error, json)}` };
  // bd sends `"args": null` for operations without arguments.
  const { args: rawArgs, ...meta } = parsed.data;
  return { ok: true, value: { ...meta, args: rawArgs ?? {} } };
}
