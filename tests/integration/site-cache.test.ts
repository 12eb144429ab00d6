import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteCache } from '../../shared/aws/site-cache.ts';

/**
 * The CloudFront invalidation a takedown asks for, sent to a real HTTP listener standing
 * in for CloudFront's API (there is no CloudFront emulator): the signed request's shape,
 * and what each of CloudFront's answers means.
 */
let server: Server;
const received: Array<{
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}> = [];
let answer: { status: number; body: string } = { status: 201, body: '<Invalidation/>' };

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      response.writeHead(answer.status, { 'content-type': 'text/xml' });
      response.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.env.AWS_ENDPOINT_URL_CLOUDFRONT = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_CLOUDFRONT;
  await new Promise((resolve) => server.close(resolve));
});

describe('clearing the public site from CloudFront', () => {
  it('sends one signed CreateInvalidation naming every path and the batch', async () => {
    received.length = 0;
    await siteCache('E2QWRUHAPOMQZL')(
      ['/meetings/2026/req-2026-0001/*', '/', '/years/2026/*'],
      'REQ-2026-0001:v9',
    );
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/2020-05-31/distribution/E2QWRUHAPOMQZL/invalidation');
    expect(request?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/us-east-1\/cloudfront\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/,
    );
    expect(request?.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(request?.body).toContain(
      '<Paths><Quantity>3</Quantity><Items><Path>/meetings/2026/req-2026-0001/*</Path><Path>/</Path><Path>/years/2026/*</Path></Items></Paths>',
    );
    expect(request?.body).toContain('<CallerReference>REQ-2026-0001:v9</CallerReference>');
  });

  it('takes "already asked for" as done, and throws on any other refusal', async () => {
    answer = {
      status: 409,
      body: '<ErrorResponse><Error><Code>InvalidationBatchAlreadyExists</Code></Error></ErrorResponse>',
    };
    await expect(siteCache('E1')(['/'], 'same')).resolves.toBeUndefined();
    answer = {
      status: 403,
      body: '<ErrorResponse><Error><Code>AccessDenied</Code></Error></ErrorResponse>',
    };
    await expect(siteCache('E1')(['/'], 'other')).rejects.toThrow(/refused.*403.*AccessDenied/);
    answer = { status: 201, body: '<Invalidation/>' };
  });

  it('asks nothing where there is no distribution (local mode)', async () => {
    received.length = 0;
    await siteCache(undefined)(['/'], 'local');
    expect(received).toEqual([]);
  });
});
