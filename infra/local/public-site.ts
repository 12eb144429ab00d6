import { createServer } from 'node:http';
import { extname } from 'node:path';
import { readObject } from '../../shared/aws/documents.ts';
import { NOT_FOUND_PAGE, siteContentSecurityPolicy } from '../../shared/publication/render.ts';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.xml': 'application/atom+xml; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json',
  '.pdf': 'application/pdf',
};

/**
 * CloudFront in front of the public bucket, locally: / and every folder serve their
 * index.html, anything else its object, and the published 404.html, with a 404, for what
 * is not there (or was taken down).
 */
export async function startPublicSite(port: number, bucket: string) {
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    const key = (path.endsWith('/') ? `${path}index.html` : path).replace(/^\/+/, '');
    try {
      const body = await readObject({ bucket, key });
      response.writeHead(200, {
        'content-type': types[extname(key)] ?? 'application/octet-stream',
        'x-content-type-options': 'nosniff',
        'content-security-policy': siteContentSecurityPolicy,
      });
      response.end(Buffer.from(body));
    } catch {
      // As CloudFront's error response does: the published not-found page, with a 404.
      const page = await readObject({ bucket, key: NOT_FOUND_PAGE }).catch(() => undefined);
      response.writeHead(404, {
        'content-type': 'text/html; charset=utf-8',
        'x-content-type-options': 'nosniff',
        'content-security-policy': siteContentSecurityPolicy,
      });
      response.end(
        page
          ? Buffer.from(page)
          : '<!doctype html><html lang="en-GB"><title>Page not found</title><h1>Page not found</h1><p>Nothing has been published yet.</p></html>',
      );
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { port, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
