import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import { log } from '../../shared/log.ts';
import { type StaffUiConfig, staffUiContentSecurityPolicy } from '../staff-ui.ts';
import { localToken, seededUsers, verifyLocalToken } from './users.ts';

export interface HttpApiOptions {
  port: number;
  /** The staff UI: its built files, and the config.json it reads at start-up. */
  staffUi?: { dir: string; config: StaffUiConfig };
  routes: ReadonlyArray<{ method: string; path: string; public?: boolean }>;
  invoke(
    event: APIGatewayProxyEventV2WithJWTAuthorizer,
  ): Promise<APIGatewayProxyStructuredResultV2 | string | undefined>;
}

const routePattern = (path: string) =>
  new RegExp(`^${path.replace(/\{([^/]+)\}/g, '(?<$1>[^/]+)')}/?$`);

/** As API Gateway gives them: each {name} of the route, URL-decoded. */
function pathParameters(pattern: RegExp, pathname: string): Record<string, string> | undefined {
  const groups = pattern.exec(pathname)?.groups;
  if (!groups) return undefined;
  return Object.fromEntries(
    Object.entries(groups).map(([name, value]) => {
      try {
        return [name, decodeURIComponent(value)];
      } catch {
        return [name, value];
      }
    }),
  );
}

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

const staticTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
};

/**
 * CloudFront in front of the UI bucket, locally: files from the build, index.html for any
 * other path (the app routes it), the same security headers.
 */
async function serveStaffUi(
  response: ServerResponse,
  pathname: string,
  staffUi: NonNullable<HttpApiOptions['staffUi']>,
) {
  const headers = {
    'content-security-policy': staffUiContentSecurityPolicy([]),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'cache-control': 'no-cache',
  };
  if (pathname === '/config.json') return send(response, 200, staffUi.config, headers);
  // Normalising an absolute path cannot climb above it, so the file stays inside dir.
  const relative = normalize(decodeURIComponent(pathname));
  const wanted = join(staffUi.dir, relative === '/' ? 'index.html' : relative);
  // A path that is not a built file is one of the app's own routes (/callback, ...).
  const [file, body] = await readFile(wanted)
    .then((bytes) => [wanted, bytes] as const)
    .catch(async () => {
      const index = join(staffUi.dir, 'index.html');
      return [index, await readFile(index).catch(() => undefined)] as const;
    });
  if (!body) {
    return send(
      response,
      503,
      '<!doctype html><html lang="en-GB"><title>postroom</title><p>The staff UI is not built yet: run <code>npm run build:web</code> (npm run dev does it for you).</p></html>',
      { ...headers, 'content-type': 'text/html; charset=utf-8' },
    );
  }
  response.writeHead(200, {
    'content-type': staticTypes[extname(file)] ?? 'application/octet-stream',
    ...headers,
  });
  response.end(body);
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
      if (!route && options.staffUi && method === 'GET' && !url.pathname.startsWith('/api/'))
        return serveStaffUi(response, url.pathname, options.staffUi);
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
        pathParameters: pathParameters(route.pattern, url.pathname),
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
