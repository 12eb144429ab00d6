import type { Refusal } from '../workflow/act.ts';

/**
 * Errors the staff API answers with, all in one JSON shape:
 * { error: { code, message, fields? } }. Each says what was wrong and what is accepted.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string, fields: Array<{ path: string; message: string }>) =>
  refused({ code: 'invalid', message, fields });
export const notFound = (what: string) =>
  refused({ code: 'not_found', message: `${what} does not exist` });

/** Each refusal's HTTP status and error code: the one place the API decides them. */
const answers = {
  invalid: [400, 'bad_request'],
  forbidden: [403, 'forbidden'],
  not_found: [404, 'not_found'],
  conflict: [409, 'conflict'],
  not_allowed: [422, 'not_allowed'],
  unprocessable: [422, 'unprocessable'],
} as const satisfies Record<Refusal['code'], readonly [number, string]>;

/** The API's answer to a refusal, with what the caller needs to put it right. */
export function refused(refusal: Refusal): ApiError {
  const [status, code] = answers[refusal.code];
  const { code: _code, message, ...extra } = refusal;
  return new ApiError(status, code, message, extra);
}

/**
 * Errors from below the domain that are the caller's doing, as API errors: a forged
 * paging token, or a change too large for DynamoDB's item. Anything else is ours (500).
 */
export function apiErrorOf(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  const named = error as (Error & { statusCode?: number; size?: number; limit?: number }) | null;
  if (named?.statusCode === 415 || named?.statusCode === 422)
    return badRequest(
      'the body is not valid JSON; send a JSON object with Content-Type: application/json',
      [{ path: '(body)', message: named.message }],
    );
  if (named?.name === 'BadCursorError')
    return badRequest(named.message, [{ path: 'query.nextToken', message: named.message }]);
  // Thrown by the store before it writes (shared/aws/item-size.ts).
  if (named?.name === 'ItemTooLargeError')
    return new ApiError(413, 'too_large', named.message, {
      limitBytes: named.limit,
      sizeBytes: named.size,
    });
  return undefined;
}
