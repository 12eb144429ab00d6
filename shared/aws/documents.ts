import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  PutObjectTaggingCommand,
} from '@aws-sdk/client-s3';
import { s3 } from './clients.ts';

/** Raw mail and parsed documents in S3: the S3 calls postroom makes. */
export interface ObjectRef {
  bucket: string;
  key: string;
}

/**
 * Reads an object with one GET. Its size and time come with the response headers, so an
 * object over `maxBytes` is abandoned before its body is read.
 */
export async function readObjectWithin(
  ref: ObjectRef,
  maxBytes: number,
): Promise<{ size: number; lastModified: Date; bytes?: Uint8Array }> {
  const object = await s3.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
  const size = object.ContentLength ?? 0;
  const lastModified = object.LastModified ?? new Date();
  if (size > maxBytes) {
    const body = object.Body as { destroy?: () => void } | undefined;
    body?.destroy?.();
    return { size, lastModified };
  }
  if (!object.Body) throw new Error(`s3://${ref.bucket}/${ref.key} has no body`);
  return { size, lastModified, bytes: await object.Body.transformToByteArray() };
}

/** The first `bytes` bytes of an object (all of it when shorter), with one ranged GET. */
export async function readObjectStart(
  ref: ObjectRef,
  bytes: number,
): Promise<{ lastModified: Date; bytes: Uint8Array }> {
  const object = await s3.send(
    new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key, Range: `bytes=0-${bytes - 1}` }),
  );
  if (!object.Body) throw new Error(`s3://${ref.bucket}/${ref.key} has no body`);
  return {
    lastModified: object.LastModified ?? new Date(),
    bytes: await object.Body.transformToByteArray(),
  };
}

/** The object's size as stored, or undefined when there is no such object. */
export async function storedSize(ref: ObjectRef): Promise<number | undefined> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
    return head.ContentLength;
  } catch (error) {
    if (['NoSuchKey', 'NotFound'].includes((error as Error).name)) return undefined;
    throw error;
  }
}

export async function readObject(ref: ObjectRef): Promise<Uint8Array> {
  const object = await s3.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
  if (!object.Body) throw new Error(`s3://${ref.bucket}/${ref.key} has no body`);
  return object.Body.transformToByteArray();
}

/**
 * An object's bytes, or undefined when S3 says it is not there. A key S3 refuses outright
 * (any other 4xx, such as one too long) names nothing either; a fault on S3's side (a
 * 5xx, a lost connection) is thrown, since it says nothing about the object.
 */
export async function readObjectIfPresent(ref: ObjectRef): Promise<Uint8Array | undefined> {
  try {
    return await readObject(ref);
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (['NoSuchKey', 'NotFound'].includes((error as Error).name)) return undefined;
    if (status !== undefined && status >= 400 && status < 500) return undefined;
    throw error;
  }
}

/** Keys under a prefix, oldest key order; for short listings such as note versions. */
export async function listKeys(bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    keys.push(...(page.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : [])));
    token = page.NextContinuationToken;
  } while (token);
  return keys.sort();
}

/** S3 metadata must be US-ASCII and at most 2 KB in all, hence encoded and cut short. */
export const asciiMetadata = (metadata: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(metadata).map(([name, value]) => [
      name,
      encodeURIComponent(value).slice(0, 1024),
    ]),
  );

interface WriteOptions {
  metadata?: Record<string, string>;
  cacheControl?: string;
}

const putObject = (
  ref: ObjectRef,
  body: string | Uint8Array,
  contentType: string,
  { metadata = {}, cacheControl }: WriteOptions,
) =>
  new PutObjectCommand({
    Bucket: ref.bucket,
    Key: ref.key,
    Body: body,
    CacheControl: cacheControl,
    // Stated, so empty bodies and buffers are never sent as streams of unknown length.
    ContentLength: typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength,
    ContentType: contentType,
    Metadata: asciiMetadata(metadata),
  });

export async function writeObject(
  ref: ObjectRef,
  body: string | Uint8Array,
  contentType: string,
  options: WriteOptions = {},
): Promise<void> {
  await s3.send(putObject(ref, body, contentType, options));
}

/**
 * Writes an object only where there is none yet (S3's conditional write, If-None-Match),
 * so two writers racing for one key cannot replace each other's bytes. False when an
 * object was there already. (The local S3 emulator ignores the condition; callers check
 * first as well.)
 */
export async function writeObjectIfAbsent(
  ref: ObjectRef,
  body: string | Uint8Array,
  contentType: string,
  options: WriteOptions = {},
): Promise<boolean> {
  const put = putObject(ref, body, contentType, options);
  put.input.IfNoneMatch = '*';
  try {
    await s3.send(put);
    return true;
  } catch (error) {
    // 412: the object exists; 409: another conditional write to the key is in flight.
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 412 || status === 409) return false;
    throw error;
  }
}

export async function deleteObject(ref: ObjectRef): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
}

/** The object's tags, or undefined when the object does not exist. */
export async function readTags(ref: ObjectRef): Promise<Record<string, string> | undefined> {
  try {
    const found = await s3.send(new GetObjectTaggingCommand({ Bucket: ref.bucket, Key: ref.key }));
    return Object.fromEntries((found.TagSet ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
  } catch (error) {
    if (['NoSuchKey', 'NotFound'].includes((error as Error).name)) return undefined;
    throw error;
  }
}

export async function writeTags(ref: ObjectRef, tags: Record<string, string>): Promise<void> {
  await s3.send(
    new PutObjectTaggingCommand({
      Bucket: ref.bucket,
      Key: ref.key,
      Tagging: { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
    }),
  );
}

/**
 * Rewrites an object onto itself, so S3's lifecycle clock (which counts from creation)
 * starts again. S3 refuses a self-copy that changes nothing, so the metadata is replaced
 * with the same metadata plus `stamp`. In a versioned bucket the old version stays as a
 * noncurrent version until the noncurrent-version rule removes it.
 */
export async function restampObject(ref: ObjectRef, stamp: Record<string, string>): Promise<void> {
  const head = await s3.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
  await s3.send(
    new CopyObjectCommand({
      Bucket: ref.bucket,
      Key: ref.key,
      CopySource: `${ref.bucket}/${ref.key.split('/').map(encodeURIComponent).join('/')}`,
      MetadataDirective: 'REPLACE',
      ContentType: head.ContentType,
      Metadata: { ...head.Metadata, ...stamp },
    }),
  );
}
