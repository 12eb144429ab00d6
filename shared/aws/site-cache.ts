import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { s3 } from './clients.ts';

/**
 * CloudFront's CreateInvalidation, as a signed request of our own rather than through
 * @aws-sdk/client-cloudfront: that client's schemas and error classes (130 KB that do not
 * tree-shake) would take publish and the sweep over their 1 MB bundle budget for one call.
 * The request is signed by the SDK's own SigV4 signer with the credentials the S3 client
 * already resolves (on Lambda, the function's role, from the environment).
 */
const API_VERSION = '2020-05-31';

/** The SHA-256 (or HMAC-SHA-256) the signer asks for, from node:crypto. */
type Data = string | ArrayBuffer | ArrayBufferView;
const bytesOf = (data: Data): string | Uint8Array =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

class Sha256 {
  private hash: Hash | Hmac;
  private readonly secret?: string | Uint8Array;
  constructor(secret?: Data) {
    this.secret = secret === undefined ? undefined : bytesOf(secret);
    this.hash = this.secret ? createHmac('sha256', this.secret) : createHash('sha256');
  }
  update(data: Data): void {
    this.hash.update(bytesOf(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.secret ? createHmac('sha256', this.secret) : createHash('sha256');
  }
}

const escapeXml = (text: string) => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** The XML body of a CreateInvalidation request. */
export function invalidationBatch(paths: string[], callerReference: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<InvalidationBatch xmlns="http://cloudfront.amazonaws.com/doc/${API_VERSION}/">` +
    `<Paths><Quantity>${paths.length}</Quantity><Items>` +
    paths.map((path) => `<Path>${escapeXml(path)}</Path>`).join('') +
    `</Items></Paths><CallerReference>${escapeXml(callerReference)}</CallerReference>` +
    `</InvalidationBatch>`
  );
}

/**
 * The cache in front of the public site. On AWS, CloudFront: a takedown must not stay
 * visible for the pages' cache lifetime. `batch` is CloudFront's CallerReference, so a
 * repeated delivery of the same takedown asks for the same invalidation, which CloudFront
 * runs once. Without a distribution (local mode, where nothing caches) it does nothing.
 * AWS_ENDPOINT_URL_CLOUDFRONT moves it, as it would the SDK's client (the tests use it).
 */
export function siteCache(distributionId: string | undefined) {
  const endpoint = new URL(
    process.env.AWS_ENDPOINT_URL_CLOUDFRONT ?? 'https://cloudfront.amazonaws.com',
  );
  const signer = new SignatureV4({
    service: 'cloudfront',
    // CloudFront's API is global, signed for us-east-1 whatever the stack's region.
    region: 'us-east-1',
    credentials: () => s3.config.credentials(),
    sha256: Sha256,
  });
  return async (paths: string[], batch: string): Promise<void> => {
    if (!distributionId || !paths.length) return;
    const path = `/${API_VERSION}/distribution/${encodeURIComponent(distributionId)}/invalidation`;
    const body = invalidationBatch(paths, batch);
    const signed = await signer.sign({
      method: 'POST',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      port: endpoint.port ? Number(endpoint.port) : undefined,
      path,
      headers: {
        host: endpoint.host,
        'content-type': 'application/xml',
      },
      body,
    });
    const response = await fetch(new URL(path, endpoint), {
      method: 'POST',
      headers: signed.headers,
      body,
      signal: AbortSignal.timeout(10_000),
    });
    if (response.status === 201) return;
    const answer = await response.text();
    // The same CallerReference with other paths: this batch was asked for already.
    if (/<Code>InvalidationBatchAlreadyExists<\/Code>/.test(answer)) return;
    throw new Error(
      `CloudFront refused to invalidate ${paths.length} path(s) of ${distributionId}: ${response.status} ${answer.slice(0, 300)}`,
    );
  };
}
