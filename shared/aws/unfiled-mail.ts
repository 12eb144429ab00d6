import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, s3 } from './clients.ts';
import { keys } from './keys.ts';

/** BatchGetItem takes at most 100 keys. */
const BATCH_GET_LIMIT = 100;

/**
 * Raw mail in the inbound bucket with no filing record: stored, and so accepted, but never
 * filed because the process delivering it died first. Local mode delivers these again on
 * start, as SQS would redeliver on AWS. One ListObjectsV2 page at a time, and the page's
 * filing records read 100 at a time with BatchGetItem (keys only).
 */
export async function findUnfiledMail(options: {
  tableName: string;
  bucket: string;
  prefix: string;
  /** Keys per ListObjectsV2 page; S3's own limit (1000) unless a test wants small pages. */
  pageSize?: number;
}): Promise<Array<{ key: string; size: number }>> {
  const unfiled: Array<{ key: string; size: number }> = [];
  let continuationToken: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: options.bucket,
        Prefix: options.prefix,
        ContinuationToken: continuationToken,
        MaxKeys: options.pageSize,
      }),
    );
    const objects = (page.Contents ?? []).flatMap((object) =>
      object.Key ? [{ key: object.Key, size: object.Size ?? 0 }] : [],
    );
    for (let start = 0; start < objects.length; start += BATCH_GET_LIMIT) {
      const batch = objects.slice(start, start + BATCH_GET_LIMIT);
      const filed = await filedKeys(
        options.tableName,
        batch.map((object) => keys.filing(options.bucket, object.key).PK),
      );
      for (const object of batch)
        if (!filed.has(keys.filing(options.bucket, object.key).PK)) unfiled.push(object);
    }
    continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (continuationToken);
  return unfiled;
}

/** Which of these filing-record partition keys exist, retrying what the table leaves unprocessed. */
async function filedKeys(tableName: string, partitionKeys: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  let wanted: Array<Record<string, unknown>> = partitionKeys.map((PK) => ({ PK, SK: 'MAIL' }));
  for (let attempt = 0; wanted.length > 0; attempt += 1) {
    if (attempt > 0) {
      if (attempt > 8) throw new Error('filing records stayed unprocessed after 8 retries');
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
    const result = await dynamo.send(
      new BatchGetCommand({
        RequestItems: {
          [tableName]: { Keys: wanted, ProjectionExpression: 'PK', ConsistentRead: true },
        },
      }),
    );
    for (const item of result.Responses?.[tableName] ?? []) found.add(String(item.PK));
    wanted = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
  }
  return found;
}
