import { randomUUID } from 'node:crypto';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { log } from '../log.ts';
import { dynamo } from './clients.ts';
import { keys } from './keys.ts';

const conditionFailed = (error: unknown) =>
  (error as Error).name === 'ConditionalCheckFailedException';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One publisher at a time. The index, the parts of the year archives, the feed, the
 * registers and the state they come from are read, changed and written back; two
 * publications at once (parallel stream batches, or the sweep releasing an embargo beside
 * the stream) would each write their own view and one meeting would drop out. A lease item in the table, taken with a
 * conditional write and given back after, serialises them; a holder that dies loses it
 * when it expires, so nobody waits on a crashed publisher for longer than `leaseMs`.
 */
export function siteLease(table: string, timings: LeaseTimings = {}) {
  return lease(table, keys.siteLease(), 'publication', timings);
}

interface LeaseTimings {
  leaseMs?: number;
  waitMs?: number;
}

/**
 * The same, for any state one writer at a time may read, change and write back: the
 * lease is the item at `key`, and `work` names the work that waits in the error a
 * caller's trigger retries on.
 */
export function lease(
  table: string,
  key: { PK: string; SK: string },
  work: string,
  { leaseMs = 60_000, waitMs = 120_000 }: LeaseTimings = {},
) {
  return async function exclusive<T>(run: () => Promise<T>): Promise<T> {
    const holder = randomUUID();
    const giveUpAt = Date.now() + waitMs;
    for (let attempt = 0; ; attempt += 1) {
      const now = Date.now();
      try {
        await dynamo.send(
          new PutCommand({
            TableName: table,
            Item: { ...key, type: 'lease', holder, until: now + leaseMs },
            ConditionExpression: 'attribute_not_exists(PK) OR #until < :now',
            ExpressionAttributeNames: { '#until': 'until' },
            ExpressionAttributeValues: { ':now': now },
          }),
        );
        break;
      } catch (error) {
        if (!conditionFailed(error)) throw error;
        if (Date.now() > giveUpAt) {
          // Thrown, so the trigger delivers the publication again later.
          throw new Error(`another ${work} held the lease for over ${waitMs} ms`);
        }
        await pause(Math.min(25 * 2 ** attempt, 500) * (0.5 + Math.random()));
      }
    }
    try {
      return await run();
    } finally {
      try {
        await dynamo.send(
          new DeleteCommand({
            TableName: table,
            Key: key,
            ConditionExpression: 'holder = :holder',
            ExpressionAttributeValues: { ':holder': holder },
          }),
        );
      } catch (error) {
        // Expired and taken by another: theirs now, and ours ends when it expires.
        if (!conditionFailed(error)) log.warn('a lease was not given back', { work, error });
      }
    }
  };
}
