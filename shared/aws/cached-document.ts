import { GetObjectCommand } from '@aws-sdk/client-s3';
import { s3 } from './clients.ts';
import type { ObjectRef } from './documents.ts';

const status = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/**
 * One object a warm function keeps parsed between calls (the catalogue's report facts,
 * its search index): each read asks S3 for it only if it changed (If-None-Match on the
 * ETag it holds), so an unchanged catalogue costs a 304 rather than a download and a
 * parse. Concurrent reads share one fetch. Undefined while the object does not exist.
 *
 * `maxAgeMs` (default 0: ask every time) lets a reader that is called far more often than
 * the object changes (search, many times a second) answer from the copy it holds for that
 * long after S3 last confirmed it, rather than pay a round trip on every call.
 */
export function cachedDocument<T>(
  ref: ObjectRef,
  parse: (bytes: Uint8Array) => T,
  options: { maxAgeMs?: number } = {},
) {
  const maxAgeMs = options.maxAgeMs ?? 0;
  let held: { etag: string; value: T } | undefined;
  let confirmedAt = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<T | undefined> | undefined;

  async function fetchLatest(): Promise<T | undefined> {
    try {
      const object = await s3.send(
        new GetObjectCommand({
          Bucket: ref.bucket,
          Key: ref.key,
          ...(held ? { IfNoneMatch: held.etag } : {}),
        }),
      );
      if (!object.Body) throw new Error(`s3://${ref.bucket}/${ref.key} has no body`);
      const value = parse(await object.Body.transformToByteArray());
      held = object.ETag ? { etag: object.ETag, value } : undefined;
      confirmedAt = Date.now();
      return value;
    } catch (error) {
      if (status(error) === 304 && held) {
        confirmedAt = Date.now();
        return held.value;
      }
      if (['NoSuchKey', 'NotFound'].includes((error as Error).name) || status(error) === 404) {
        held = undefined;
        return undefined;
      }
      throw error;
    }
  }

  return function latest(): Promise<T | undefined> {
    if (held && maxAgeMs > 0 && Date.now() - confirmedAt < maxAgeMs)
      return Promise.resolve(held.value);
    inFlight ??= fetchLatest().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
}
