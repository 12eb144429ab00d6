import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { s3 } from './clients.ts';

/** Raw mail and parsed documents in S3: the only S3 calls intake makes. */
export interface ObjectRef {
  bucket: string;
  key: string;
}

export async function describeObject(
  ref: ObjectRef,
): Promise<{ size: number; lastModified: Date }> {
  const head = await s3.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
  return { size: head.ContentLength ?? 0, lastModified: head.LastModified ?? new Date() };
}

export async function readObject(ref: ObjectRef): Promise<Uint8Array> {
  const object = await s3.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
  if (!object.Body) throw new Error(`s3://${ref.bucket}/${ref.key} has no body`);
  return object.Body.transformToByteArray();
}

export async function writeObject(
  ref: ObjectRef,
  body: string | Uint8Array,
  contentType: string,
  metadata: Record<string, string> = {},
): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: ref.bucket,
      Key: ref.key,
      Body: body,
      // Stated, so empty bodies and buffers are never sent as streams of unknown length.
      ContentLength: typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength,
      ContentType: contentType,
      // S3 metadata must be US-ASCII; anything else is percent-encoded.
      Metadata: Object.fromEntries(
        Object.entries(metadata).map(([name, value]) => [name, encodeURIComponent(value)]),
      ),
    }),
  );
}
