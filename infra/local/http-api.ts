import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import { type StaffUiConfig, staffUiContentSecurityPolicy } from '../staff-ui.ts';
import {
  type Answer,
  clientTimeouts,
  guarded,
  HttpRefusal,
  listen,
  pathSegments,
  readBody,
  requestTarget,
} from './http-guard.ts';
import { localToken, seededUsers, verifyLocalToken } from './users.ts';

export interface HttpApiOptions {
  port: number;
  /**
   * The staff UI: its built files, the config.json it reads at start-up, and the origins
   * besides the API it may call (the S3 emulator, which uploads go to).
   */
  staffUi?: { dir: string; config: StaffUiConfig; connectTo?: readonly string[] };
  /** Each route with the function that serves it, as API Gateway integrates them. */
  routes: ReadonlyArray<{
    method: string;
    path: string;
    public?: boolean;
    invoke(
      event: APIGatewayProxyEventV2WithJWTAuthorizer,
    ): Promise<APIGatewayProxyStructuredResultV2 | string | undefined>;
  }>;
}

const routePattern = (path: string) =>
  new RegExp(
    `^${path
      // Literal parts match only themselves ('/api/openapi.json' is not '/api/openapiXjson').
      .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
      .replace(/\{([^/]+)\}/g, '(?<$1>[^/]+)')}/?$`,
  );

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
  const bytes = Buffer.isBuffer(body)
    ? body
    : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(bytes.byteLength),
    ...headers,
  });
  response.end(bytes);
}

/** Refusals in the staff API's one error shape. */
const answerInErrorShape: Answer = (response, status, code, message, headers) =>
  send(response, status, { error: { code, message } }, headers);

/**
 * The most a request body may be. API Gateway takes 10 MB, but a Lambda function is
 * invoked with at most 6 MB of event, so on AWS nothing larger reaches the handler.
 */
export const MAX_BODY_BYTES = 6 * 1024 * 1024;
/** Sign-in bodies are one address. */
const MAX_SIGN_IN_BYTES = 16 * 1024;

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
    'content-security-policy': staffUiContentSecurityPolicy(staffUi.connectTo ?? []),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'cache-control': 'no-cache',
  };
  if (pathname === '/config.json') return send(response, 200, staffUi.config, headers);
  // Decoded segment by segment, with dot segments and separators refused, so the file
  // stays inside dir.
  const segments = pathSegments(pathname);
  const wanted = join(staffUi.dir, ...(segments.length ? segments : ['index.html']));
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
    'content-length': String(body.byteLength),
    ...headers,
  });
  response.end(body);
}

/** Local sign-in: GET /local/users and POST /local/token {email}. */
async function signIn(request: IncomingMessage, response: ServerResponse, pathname: string) {
  const method = request.method ?? '';
  if (pathname === '/local/users') {
    if (method !== 'GET' && method !== 'HEAD') throw notAllowed(method, pathname, ['GET']);
    return send(response, 200, {
      users: seededUsers.map(({ email, name, groups }) => ({ email, name, groups })),
    });
  }
  if (method !== 'POST') throw notAllowed(method, pathname, ['POST']);
  const wrong = () =>
    new HttpRefusal(
      400,
      'bad_request',
      'send a JSON object with a seeded user\'s address, such as {"email":"cara.caseworker@office.example"}',
    );
  let email: unknown;
  try {
    email = (
      JSON.parse((await readBody(request, MAX_SIGN_IN_BYTES)).toString('utf8') || '{}') as {
        email?: unknown;
      }
    )?.email;
  } catch (error) {
    if (error instanceof HttpRefusal) throw error;
    throw wrong();
  }
  if (typeof email !== 'string') throw wrong();
  try {
    return send(response, 200, { token: await localToken(email) });
  } catch (error) {
    throw new HttpRefusal(400, 'bad_request', (error as Error).message);
  }
}

const notAllowed = (method: string, pathname: string, allowed: string[]) =>
  new HttpRefusal(
    405,
    'method_not_allowed',
    `${method} is not allowed on ${pathname}; it answers ${allowed.join(', ')}`,
    { allow: allowed.join(', ') },
  );

/** The APIGatewayProxyEventV2 API Gateway would hand the function for this request. */
function gatewayEvent(
  route: { method: string; path: string; pattern: RegExp },
  request: IncomingMessage,
  target: { pathname: string; search: string; query: URLSearchParams },
  body: string,
  claims: Record<string, unknown> | undefined,
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [
      name,
      Array.isArray(value) ? value.join(',') : (value ?? ''),
    ]),
  );
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: target.pathname,
    rawQueryString: target.search,
    headers,
    pathParameters: pathParameters(route.pattern, target.pathname),
    queryStringParameters: target.query.size ? Object.fromEntries(target.query) : undefined,
    body: body || undefined,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: '127.0.0.1',
      domainPrefix: '127',
      http: {
        method: route.method,
        path: target.pathname,
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
}

/**
 * API Gateway's HTTP API with a JWT authorizer, locally: route matching from the
 * declaration, bearer-token checks, and the APIGatewayProxyEventV2 the handler gets on
 * AWS, with the token's claims at requestContext.authorizer.jwt.claims.
 * Also serves local sign-in: GET /local/users and POST /local/token {email}.
 */
export async function startHttpApi(options: HttpApiOptions) {
  const routes = options.routes.map((route) => ({ ...route, pattern: routePattern(route.path) }));
  const server = createServer(
    clientTimeouts,
    guarded(
      'HTTP API',
      async (request, response) => {
        const { pathname, search, query } = requestTarget(request.url);
        const method = request.method ?? '';
        if (pathname === '/local/users' || pathname === '/local/token')
          return signIn(request, response, pathname);
        const route = routes.find(
          (candidate) => candidate.method === method && candidate.pattern.test(pathname),
        );
        if (!route) {
          const onPath = routes.filter((candidate) => candidate.pattern.test(pathname));
          if (onPath.length) {
            throw notAllowed(
              method,
              pathname,
              onPath.map((candidate) => candidate.method),
            );
          }
          if (options.staffUi && !pathname.startsWith('/api/')) {
            if (method !== 'GET' && method !== 'HEAD') throw notAllowed(method, pathname, ['GET']);
            return serveStaffUi(response, pathname, options.staffUi);
          }
          throw new HttpRefusal(
            404,
            'not_found',
            `no route for ${method} ${pathname}; see /api/openapi.json`,
          );
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
        const body = (await readBody(request, MAX_BODY_BYTES)).toString('utf8');
        const event = gatewayEvent(route, request, { pathname, search, query }, body, claims);
        const result = await route.invoke(event);
        if (!result || typeof result === 'string') return send(response, 200, result ?? '');
        send(
          response,
          result.statusCode ?? 200,
          // API Gateway decodes a base64 body (a compressed one) before sending it.
          result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? ''),
          (result.headers ?? {}) as Record<string, string>,
        );
      },
      answerInErrorShape,
    ),
  );
  await listen(server, options.port, 'HTTP API');
  return {
    port: options.port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
