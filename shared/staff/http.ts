import { gzipSync } from 'node:zlib';
import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { log } from '../log.ts';
import { ApiError, apiErrorOf } from './errors.ts';

/**
 * An answer that is a file rather than JSON (a CSV return or report): routes that declare
 * `downloads` may answer with one, and the dispatcher sends it as it is, named for saving.
 */
export class Download {
  constructor(
    readonly body: string,
    readonly contentType: 'text/csv',
    /** What a browser saves it as: ASCII letters, digits, dots and hyphens. */
    readonly filename: string,
  ) {}
}

export const download = (status: number, file: Download): APIGatewayProxyResultV2 => ({
  statusCode: status,
  headers: {
    'content-type': `${file.contentType}; charset=utf-8`,
    'content-disposition': `attachment; filename="${file.filename.replace(/[^\w.-]/g, '_')}"`,
    'cache-control': 'no-store',
  },
  body: file.body,
});

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

/**
 * Lambda returns at most 6 MB (6,291,456 bytes) from a synchronous call; anything larger
 * is a bare 502 from API Gateway. Headers take some of it, so bodies stop a little short.
 */
export const MAX_RESPONSE_BYTES = 6_000_000;
/** Smaller bodies go as they are: compressing them saves less than it costs. */
const COMPRESS_FROM_BYTES = 32_768;

/** Whether an Accept-Encoding header accepts gzip: named (or `*`) without `q=0`. */
export function acceptsGzip(header: string | undefined): boolean {
  const offers = (header ?? '').split(',').map((offer) => {
    const [name = '', ...parameters] = offer.trim().toLowerCase().split(';');
    const q = parameters.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return { name: name.trim(), q: q ? Number(q.slice(2)) : 1 };
  });
  const gzip = offers.find((offer) => offer.name === 'gzip') ?? offers.find((o) => o.name === '*');
  return gzip !== undefined && gzip.q > 0;
}

/**
 * Compresses large answers (a publication preview carries a whole letter twice) with gzip
 * when the client accepts it, as every browser does, so a 5 MB letter's preview fits in
 * Lambda's 6 MB; an answer that still does not fit is a 413 that says so, not a 502.
 */
export function largeResponses(): middy.MiddlewareObj<
  APIGatewayProxyEventV2,
  APIGatewayProxyResultV2
> {
  const fit = async (request: middy.Request<APIGatewayProxyEventV2, APIGatewayProxyResultV2>) => {
    const response = request.response;
    if (!response || typeof response === 'string' || typeof response.body !== 'string') return;
    if (response.isBase64Encoded || Buffer.byteLength(response.body) < COMPRESS_FROM_BYTES) return;
    const accepts = acceptsGzip(request.event.headers?.['accept-encoding']);
    const body = accepts ? gzipSync(response.body, { level: 6 }).toString('base64') : response.body;
    // What Lambda counts is the whole response as JSON, the body's escapes included.
    if (Buffer.byteLength(JSON.stringify({ ...response, body })) > MAX_RESPONSE_BYTES) {
      const megabytes = (Buffer.byteLength(response.body) / 1_048_576).toFixed(1);
      request.response = json(413, {
        error: {
          code: 'too_large',
          message: `this answer is ${megabytes} MB${accepts ? ' (compressed, still over 6 MB)' : ''}, more than the API can return (6 MB)${accepts ? '' : '; send Accept-Encoding: gzip'}. The redaction review lists what was found in the letter without returning the whole of it.`,
        },
      });
      return;
    }
    if (!accepts) return;
    request.response = {
      ...response,
      body,
      isBase64Encoded: true,
      headers: { ...response.headers, 'content-encoding': 'gzip', vary: 'accept-encoding' },
    };
  };
  return { after: fit };
}
