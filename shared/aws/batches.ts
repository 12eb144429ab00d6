import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './clients.ts';

export type TableKey = { PK: string; SK: string };

/** BatchGetItem takes at most 100 keys, BatchWriteItem 25 requests. */
export const BATCH_GET_LIMIT = 100;
export const BATCH_WRITE_LIMIT = 25;

/** Retries what DynamoDB leaves unprocessed in a batch, with backoff, a bounded number of times. */
export async function untilProcessed<T>(
  what: string,
  first: T[],
  send: (pending: T[]) => Promise<T[]>,
): Promise<void> {
  let pending = first;
  for (let attempt = 0; pending.length > 0; attempt += 1) {
    if (attempt > 0) {
      if (attempt > 8) throw new Error(`${what} stayed unprocessed after 8 retries`);
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
    pending = await send(pending);
  }
}

/** Deletes items 25 at a time; deleting one already gone is not an error. */
export async function deleteItems(
  tableName: string,
  doomed: readonly TableKey[],
  what: string,
): Promise<void> {
  for (let start = 0; start < doomed.length; start += BATCH_WRITE_LIMIT) {
    const requests = doomed
      .slice(start, start + BATCH_WRITE_LIMIT)
      .map(({ PK, SK }) => ({ DeleteRequest: { Key: { PK, SK } } }));
    await untilProcessed(what, requests, async (batch) => {
      const result = await dynamo.send(
        new BatchWriteCommand({ RequestItems: { [tableName]: batch } }),
      );
      return (result.UnprocessedItems?.[tableName] ?? []) as typeof batch;
    });
  }
}
