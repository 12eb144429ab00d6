import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import type * as z from 'zod';
import { log } from '../log.ts';
import { ApiError, badRequest } from './errors.ts';

export const json = (status: number, body: unknown): APIGatewayProxyResultV2 => ({
  statusCode: status,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

/**
 * Parses a JSON body when there is one. GETs and empty bodies pass untouched, and a body
 * that is not JSON is a 400 that says what is expected, whatever the Content-Type said.
 */
export function jsonBody(): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> {
  return {
    before: async (request) => {
      const { body, isBase64Encoded } = request.event;
      if (!body) return;
      const text = isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
      try {
        (request.event as { body: unknown }).body = JSON.parse(text);
      } catch (error) {
        throw new ApiError(
          400,
          'bad_request',
          'the body is not valid JSON; send a JSON object such as {"action":"accept","expectedVersion":1}',
          {
            fields: [{ path: '(body)', message: (error as Error).message }],
          },
        );
      }
    },
  };
}

/**
 * One parameter of the route's path, checked for shape before anything reads a store with
 * it: a 400 naming `path.<name>` and what is accepted, never a 500 from a key too long.
 */
export function pathParameter<T>(
  event: Pick<APIGatewayProxyEventV2, 'pathParameters'>,
  name: string,
  schema: z.ZodType<T>,
): T {
  const value = event.pathParameters?.[name];
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const accepted = parsed.error.issues[0]?.message ?? 'not valid';
  throw badRequest(`the ${name} in the address is not valid: ${accepted}`, [
    { path: `path.${name}`, message: accepted },
  ]);
}

/**
 * Turns every failure into the API's one error shape. Known refusals keep their status;
 * an unknown route is a 404; anything else is a 500 that is logged and reveals nothing.
 */
export function apiErrors(): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> {
  return {
    onError: async (request) => {
      const error = request.error as (Error & { statusCode?: number }) | null;
      if (error instanceof ApiError) {
        request.response = json(error.status, {
          error: { code: error.code, message: error.message, ...error.extra },
        });
        return;
      }
      if (error?.statusCode === 415 || error?.statusCode === 422) {
        request.response = json(400, {
          error: {
            code: 'bad_request',
            message:
              'the body is not valid JSON; send a JSON object with Content-Type: application/json',
            fields: [{ path: '(body)', message: error.message }],
          },
        });
        return;
      }
      if (error?.name === 'BadCursorError') {
        request.response = json(400, {
          error: {
            code: 'bad_request',
            message: error.message,
            fields: [{ path: 'query.nextToken', message: error.message }],
          },
        });
        return;
      }
      if (error?.name === 'ItemTooLargeError') {
        // Thrown by the store before it writes (shared/aws/item-size.ts).
        const tooLarge = error as Error & { size: number; limit: number };
        request.response = json(413, {
          error: {
            code: 'too_large',
            message: tooLarge.message,
            limitBytes: tooLarge.limit,
            sizeBytes: tooLarge.size,
          },
        });
        return;
      }
      if (error?.statusCode === 404 || error?.statusCode === 405) {
        request.response = json(404, {
          error: {
            code: 'not_found',
            message: `no route for ${request.event.requestContext?.http?.method} ${request.event.rawPath}; see /api/openapi.json`,
          },
        });
        return;
      }
      log.error('staff API failed', { path: request.event.rawPath, error });
      request.response = json(500, {
        error: {
          code: 'internal',
          message: 'something went wrong on our side; nothing was changed',
        },
      });
    },
  };
}
