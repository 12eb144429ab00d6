import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { log } from '../log.ts';
import { ApiError, apiErrorOf } from './errors.ts';

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
 * Turns every failure into the API's one error shape. Known refusals keep their status;
 * an unknown route is a 404; anything else is a 500 that is logged and reveals nothing.
 */
export function apiErrors(): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> {
  return {
    onError: async (request) => {
      const refusal = apiErrorOf(request.error);
      if (refusal) {
        request.response = json(refusal.status, {
          error: { code: refusal.code, message: refusal.message, ...refusal.extra },
        });
        return;
      }
      const error = request.error;
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
