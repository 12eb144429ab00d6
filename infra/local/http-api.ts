import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import { log } from '../../shared/log.ts';
import { localToken, seededUsers, verifyLocalToken } from './users.ts';

export interface HttpApiOptions {
  port: number;
  routes: ReadonlyArray<{ method: string; path: string; public?: boolean }>;
  invoke(
    event: APIGatewayProxyEventV2WithJWTAuthorizer,
  ): Promise<APIGatewayProxyStructuredResultV2 | string | undefined>;
}

const routePattern = (path: string) => new RegExp(`^${path.replace(/\{[^/]+\}/g, '[^/]+')}/?$`);

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(typeof body === 'string' ? body : JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * API Gateway's HTTP API with a JWT authorizer, locally: route matching from the
 * declaration, bearer-token checks, and the APIGatewayProxyEventV2 the handler gets on
 * AWS, with the token's claims at requestContext.authorizer.jwt.claims.
 * Also serves local sign-in: GET /local/users and POST /local/token {email}.
 */
export async function startHttpApi(options: HttpApiOptions) {
  const routes = options.routes.map((route) => ({ ...route, pattern: routePattern(route.path) }));
  const server = createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const method = request.method ?? 'GET';
      if (url.pathname === '/local/users' && method === 'GET') {
        return send(response, 200, {
          users: seededUsers.map(({ email, name, groups }) => ({ email, name, groups })),
        });
      }
      if (url.pathname === '/local/token' && method === 'POST') {
        const { email } = JSON.parse((await readBody(request)) || '{}') as { email?: string };
        try {
          return send(response, 200, { token: await localToken(String(email)) });
        } catch (error) {
          return send(response, 400, {
            error: { code: 'bad_request', message: (error as Error).message },
          });
        }
      }
      const route = routes.find(
        (candidate) => candidate.method === method && candidate.pattern.test(url.pathname),
      );
      if (!route) {
        return send(response, 404, {
          error: {
            code: 'not_found',
            message: `no route for ${method} ${url.pathname}; see /api/openapi.json`,
          },
        });
      }
      let claims: Record<string, unknown> | undefined;
      if (!route.public) {
        const token = request.headers.authorization?.match(/^Bearer (.+)$/i)?.[1];
        claims = token ? await verifyLocalToken(token).catch(() => undefined) : undefined;
        if (!claims) {
          return send(response, 401, {
            error: {
              code: 'unauthenticated',
              message: token
                ? 'the token is invalid or expired; sign in again'
                : 'sign in first: send Authorization: Bearer <token>',
            },
          });
        }
      }
      const body = await readBody(request);
      const headers = Object.fromEntries(
        Object.entries(request.headers).map(([name, value]) => [
          name,
          Array.isArray(value) ? value.join(',') : (value ?? ''),
        ]),
      );
      const event = {
        version: '2.0',
        routeKey: `${route.method} ${route.path}`,
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers,
        queryStringParameters: url.searchParams.size
          ? Object.fromEntries(url.searchParams)
          : undefined,
        body: body || undefined,
        isBase64Encoded: false,
        requestContext: {
          accountId: '000000000000',
          apiId: 'local',
          domainName: '127.0.0.1',
          domainPrefix: '127',
          http: {
            method,
            path: url.pathname,
            protocol: 'HTTP/1.1',
            sourceIp: '127.0.0.1',
            userAgent: headers['user-agent'] ?? '',
          },
          requestId: randomUUID(),
          routeKey: `${route.method} ${route.path}`,
          stage: '$default',
          time: new Date().toUTCString(),
          timeEpoch: Date.now(),
          authorizer: {
            principalId: '',
            integrationLatency: 0,
            jwt: { claims: (claims ?? {}) as Record<string, string>, scopes: [] },
          },
        },
      } as APIGatewayProxyEventV2WithJWTAuthorizer;
      const result = await options.invoke(event);
      if (!result || typeof result === 'string') return send(response, 200, result ?? '');
      send(
        response,
        result.statusCode ?? 200,
        result.body ?? '',
        (result.headers ?? {}) as Record<string, string>,
      );
    } catch (error) {
      log.error('local HTTP API failed', { error });
      send(response, 502, {
        error: { code: 'internal', message: 'the handler failed; see the dev log' },
      });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return {
    port: options.port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
