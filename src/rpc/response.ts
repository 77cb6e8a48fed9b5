import { z } from 'zod';
import { describeValue } from './zod-message';

/** One response line: `{success, data?, error?}`, as bd answers. */
export interface RpcResponse {
  success: boolean;
  data?: unknown;
  error?: string;
}

/** What a client accepts as a response line. */
export const responseSchema = z.object(
  {
    success: z.boolean({ message: 'a boolean' }),
    data: z.unknown(),
    error: z.string({ message: 'a string' }).optional(),
  },
  { message: 'a JSON object {success, data?, error?}' },
);

export function success(data: unknown): RpcResponse {
  return data === undefined ? { success: true } : { success: true, data };
}

export function failure(error: unknown): RpcResponse {
  return { success: false, error: errorMessage(error) };
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : describeValue(error);
}

/** One response line (no newline). A result JSON cannot carry becomes an error response. */
export function encodeResponse(response: RpcResponse): string {
  try {
    return JSON.stringify(response);
  } catch (err) {
    return JSON.stringify(failure(`the daemon could not encode its response: ${errorMessage(err)}`));
  }
}
