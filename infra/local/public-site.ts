import { createServer, type ServerResponse } from 'node:http';
import { extname } from 'node:path';
import { readObjectIfPresent } from '../../shared/aws/documents.ts';
import { NOT_FOUND_PAGE, siteContentSecurityPolicy } from '../../shared/publication/render.ts';
import {
  type Answer,
  clientTimeouts,
  guarded,
  HttpRefusal,
  listen,
  pathSegments,
  requestTarget,
} from './http-guard.ts';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.xml': 'application/atom+xml; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json',
  '.js': 'text/javascript; charset=utf-8',
  '.pdf': 'application/pdf',
};

const siteHeaders = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': siteContentSecurityPolicy,
};

/**
 * The longest key worth asking for: S3 keys are at most 1024 bytes, and the publisher
 * never writes a segment longer than a file name (255 bytes, which is also what the
 * local S3 emulator can store one as).
 */
const MAX_KEY_BYTES = 1024;
const MAX_SEGMENT_BYTES = 255;

function respond(
  response: ServerResponse,
  status: number,
  body: Uint8Array | string,
  headers: Record<string, string>,
) {
  const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
  // HEAD gets the same headers and no body: Node drops the body of a HEAD response.
  response.writeHead(status, {
    ...siteHeaders,
    'content-length': String(bytes.byteLength),
    ...headers,
  });
  response.end(bytes);
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

const answerWithPage: Answer = (response, status, _code, message, headers) =>
  respond(
    response,
    status,
    `<!doctype html><html lang="en-GB"><title>${status}</title><h1>This address cannot be served</h1><p>${escapeHtml(message)}</p></html>`,
    { 'content-type': 'text/html; charset=utf-8', ...headers },
  );

/**
 * The key a path names in the public bucket: / and every folder serve their index.html.
 * Only keys of this bucket: segments are decoded one by one and any that could climb out
 * (`..`, an encoded `/` or `\`, NUL) is refused, so no path reaches another bucket or
 * the emulator's files. Undefined for a key too long to have been published.
 */
function keyFor(pathname: string): string | undefined {
  const segments = pathSegments(pathname);
  if (pathname.endsWith('/') || segments.length === 0) segments.push('index.html');
  const key = segments.join('/');
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) return undefined;
  if (segments.some((segment) => Buffer.byteLength(segment) > MAX_SEGMENT_BYTES)) return undefined;
  return key;
}

/**
 * CloudFront in front of the public bucket, locally: GET and HEAD only, each path its
 * object, and the published 404.html, with a 404, for what is not there (or was taken
 * down). Whatever the request, it is answered and the server stays up.
 */
export async function startPublicSite(port: number, bucket: string) {
  const server = createServer(
    clientTimeouts,
    guarded(
      'public site',
      async (request, response) => {
        if (request.method !== 'GET' && request.method !== 'HEAD') {
          throw new HttpRefusal(
            405,
            'method_not_allowed',
            'the public site is read only: GET or HEAD',
            {
              allow: 'GET, HEAD',
            },
          );
        }
        const key = keyFor(requestTarget(request.url).pathname);
        const body = key === undefined ? undefined : await readObjectIfPresent({ bucket, key });
        if (key !== undefined && body) {
          return respond(response, 200, body, {
            'content-type': types[extname(key)] ?? 'application/octet-stream',
          });
        }
        // As CloudFront's error response does: the published not-found page, with a 404.
        const page = await readObjectIfPresent({ bucket, key: NOT_FOUND_PAGE });
        respond(
          response,
          404,
          page ??
            '<!doctype html><html lang="en-GB"><title>Page not found</title><h1>Page not found</h1><p>Nothing has been published yet.</p></html>',
          { 'content-type': 'text/html; charset=utf-8' },
        );
      },
      answerWithPage,
    ),
  );
  await listen(server, port, 'public site');
  return { port, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
