import {
  CopyObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  type ClaimedUpload,
  UPLOAD_URL_SECONDS,
  type UploadPorts,
  type UploadRecord,
  uploadKey,
} from '../correspondence/uploads.ts';
import { dynamo, s3, uploadSigning } from './clients.ts';
import { asciiMetadata } from './documents.ts';
import { keys } from './keys.ts';

const missing = (error: unknown) =>
  ['NoSuchKey', 'NotFound'].includes((error as Error).name) ||
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;

/**
 * Uploads in the table and the documents bucket: the record of each (expiring by the
 * table's TTL), the presigned PUT, the object as uploaded, and the copy a request files.
 */
export function uploadStore(tableName: string, documentsBucket: string) {
  const ports: UploadPorts & {
    recordUpload(upload: UploadRecord): Promise<void>;
    presignUpload(upload: UploadRecord): Promise<string>;
    copyUpload(upload: ClaimedUpload, to: string): Promise<void>;
  } = {
    async recordUpload(upload) {
      await dynamo.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...keys.upload(upload.id),
            type: 'upload',
            ...upload,
            // The table's TTL attribute (infra/resources.ts), in epoch seconds.
            expiresAt: Math.ceil(Date.parse(upload.claimableUntil) / 1000),
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
    },

    /**
     * A PUT to `uploads/<id>` with the declared Content-Type and Content-Length signed in:
     * S3 refuses any other type or size, so what arrives is what was declared.
     */
    presignUpload: (upload) =>
      getSignedUrl(
        uploadSigning,
        new PutObjectCommand({
          Bucket: documentsBucket,
          Key: uploadKey(upload.id),
          ContentType: upload.contentType,
          ContentLength: upload.size,
        }),
        {
          expiresIn: UPLOAD_URL_SECONDS,
          // The presigner leaves Content-Type unsigned unless told otherwise.
          signableHeaders: new Set(['content-type', 'content-length']),
        },
      ),

    async findUpload(uploadId) {
      const found = await dynamo.send(
        new GetCommand({ TableName: tableName, Key: keys.upload(uploadId), ConsistentRead: true }),
      );
      if (!found.Item) return undefined;
      const { PK: _pk, SK: _sk, type: _type, expiresAt: _ttl, ...upload } = found.Item;
      return upload as UploadRecord;
    },

    async readUploaded(key, maxBytes) {
      const ref = { Bucket: documentsBucket, Key: key };
      let size: number;
      try {
        size = (await s3.send(new HeadObjectCommand(ref))).ContentLength ?? 0;
      } catch (error) {
        if (missing(error)) return undefined;
        throw error;
      }
      if (size > maxBytes) return { size };
      // The size, ETag and bytes of one GET belong together, whatever was put since the HEAD.
      const object = await s3.send(new GetObjectCommand(ref));
      if (!object.Body) throw new Error(`s3://${documentsBucket}/${key} has no body`);
      const bytes = await object.Body.transformToByteArray();
      return { size: bytes.byteLength, bytes, ...(object.ETag ? { etag: object.ETag } : {}) };
    },

    /**
     * Copies within S3, only if the upload is still the object whose bytes were checked
     * (its ETag): a file put to the URL again after the check is never filed. (The local
     * emulator ignores the condition.)
     */
    async copyUpload(upload, to) {
      await s3.send(
        new CopyObjectCommand({
          Bucket: documentsBucket,
          Key: to,
          CopySource: `${documentsBucket}/${upload.key.split('/').map(encodeURIComponent).join('/')}`,
          ...(upload.etag ? { CopySourceIfMatch: upload.etag } : {}),
          MetadataDirective: 'REPLACE',
          ContentType: upload.contentType,
          Metadata: asciiMetadata({ filename: upload.filename, sha256: upload.sha256 }),
        }),
      );
    },
  };
  return ports;
}

export type UploadStore = ReturnType<typeof uploadStore>;
