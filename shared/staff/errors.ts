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
  new ApiError(400, 'bad_request', message, { fields });
export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} does not exist`);
