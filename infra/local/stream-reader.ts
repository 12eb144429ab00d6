import {
  type _Record,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { log } from '../../shared/log.ts';

/**
 * One client for every reader, configured by the environment as shared/aws/clients.ts's
 * are. It lives here, not there, because no Lambda function reads a stream itself.
 */
const streams = new DynamoDBStreamsClient({});

/** Where a consumer is in a shard: the last record it has, by sequence number and event id. */
export interface StreamPosition {
  sequenceNumber: string;
  /** Checked on start, so a saved position that now names a different record is noticed. */
  eventID?: string;
}

/**
 * Reads a table stream shard by shard, the way Lambda's event source mapping does, and
 * hands back records in the shape Lambda delivers them. Local mode only: on AWS the
 * event source mapping does this.
 *
 * It starts each shard after the saved position in `start`, having checked that the
 * record saved is still there. DynamoDB Local can lose the last writes it acknowledged
 * when it is killed, and then hands their sequence numbers to new records; resuming
 * "after" such a number would skip a new record. So a saved position that no longer
 * names the same record, a shard whose records have expired (24 hours), or a damaged
 * position, starts that shard again from its oldest record: the consumers are idempotent,
 * so reading again is safe, and skipping is not. A child shard (DynamoDB Local rolls
 * shards every 4 hours) is read only once its parent is finished, as Lambda does.
 */
export function streamReader(streamArn: string, start: ReadonlyMap<string, StreamPosition>) {
  /** The last record handed out per shard; a lost iterator is renewed from here. */
  const positions = new Map(start);
  const iterators = new Map<string, string>();
  const finished = new Set<string>();
  const checked = new Set<string>();
  let shards: Shard[] = [];
  /**
   * DescribeStream is only needed to find new shards; DynamoDB Local makes one when a shard
   * closes (every 4 hours), so the list is read again when a shard ends, or every 10 s.
   */
  let describedAt = Number.NEGATIVE_INFINITY;
  /**
   * The streams client turns an empty map ({"M":{}} on the wire) into {}, which no
   * unmarshaller accepts; Lambda's event JSON keeps {"M":{}}, so restore that shape.
   */
  const restoreEmptyMaps = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(restoreEmptyMaps);
    if (!value || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    if (entries.length === 0) return { M: {} };
    return Object.fromEntries(
      entries.map(([key, inner]) =>
        key === 'M' || key === 'L' || !/^[A-Z]{1,4}$/.test(key)
          ? [key, restoreEmptyMaps(inner)]
          : [key, inner],
      ),
    );
  };

  const toLambdaRecord = (record: _Record): DynamoDBRecord => {
    const created = record.dynamodb?.ApproximateCreationDateTime;
    return {
      eventID: record.eventID,
      eventName: record.eventName,
      eventVersion: record.eventVersion,
      eventSource: 'aws:dynamodb',
      awsRegion: record.awsRegion,
      eventSourceARN: streamArn,
      dynamodb: {
        ...(record.dynamodb as DynamoDBRecord['dynamodb']),
        NewImage: restoreEmptyMaps(record.dynamodb?.NewImage) as never,
        OldImage: restoreEmptyMaps(record.dynamodb?.OldImage) as never,
        ApproximateCreationDateTime: created
          ? Math.floor(new Date(created).getTime() / 1000)
          : undefined,
      },
    };
  };

  const errorName = (error: unknown) => (error as Error | undefined)?.name ?? '';

  async function describe(): Promise<Shard[]> {
    const all: Shard[] = [];
    let after: string | undefined;
    do {
      const described = await streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: after }),
      );
      all.push(...(described.StreamDescription?.Shards ?? []));
      after = described.StreamDescription?.LastEvaluatedShardId;
    } while (after);
    return all;
  }

  const fromOldest = async (shardId: string) =>
    (
      await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      )
    ).ShardIterator;

  /**
   * An iterator just after `position`. The first time a saved position is used, the record
   * is read back to make sure it is still the same one; otherwise the shard starts again
   * from its oldest record.
   */
  async function iteratorAfter(shardId: string, position: StreamPosition) {
    if (checked.has(shardId)) {
      const after = await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shardId,
          ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
          SequenceNumber: position.sequenceNumber,
        }),
      );
      return after.ShardIterator;
    }
    checked.add(shardId);
    let problem: string;
    try {
      const at = await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shardId,
          ShardIteratorType: 'AT_SEQUENCE_NUMBER',
          SequenceNumber: position.sequenceNumber,
        }),
      );
      const page = await streams.send(
        new GetRecordsCommand({ ShardIterator: at.ShardIterator, Limit: 1 }),
      );
      const saved = page.Records?.[0];
      if (
        saved?.dynamodb?.SequenceNumber === position.sequenceNumber &&
        (!position.eventID || saved.eventID === position.eventID)
      )
        return page.NextShardIterator;
      problem = saved
        ? 'the saved record is now a different one (DynamoDB Local lost writes when it was killed)'
        : 'the saved record is gone (lost when DynamoDB Local was killed, or expired)';
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') throw error;
      problem = `the saved position is unusable (${errorName(error)}: ${(error as Error).message})`;
    }
    log.warn('stream position not found; reading the shard again from its oldest record', {
      streamArn,
      shardId,
      sequenceNumber: position.sequenceNumber,
      problem,
      safety: 'consumers are idempotent, so records already handled are skipped by them',
    });
    return fromOldest(shardId);
  }

  return {
    /** Every record that arrived since the last read, in shard order. */
    async read(): Promise<Array<{ shardId: string; record: DynamoDBRecord }>> {
      if (Date.now() - describedAt > 10_000 || iterators.size === 0) {
        shards = await describe();
        describedAt = Date.now();
      }
      const listed = new Set(shards.map((shard) => shard.ShardId));
      for (const shard of shards) {
        const shardId = shard.ShardId;
        if (!shardId || iterators.has(shardId) || finished.has(shardId)) continue;
        // A child waits for its parent, so one request's records stay in order.
        const parent = shard.ParentShardId;
        if (parent && listed.has(parent) && !finished.has(parent)) continue;
        const position = positions.get(shardId);
        const iterator = position
          ? await iteratorAfter(shardId, position)
          : await fromOldest(shardId);
        if (iterator) iterators.set(shardId, iterator);
      }
      // Expired shards (24 hours) are no longer listed; forget them.
      for (const shardId of [...iterators.keys()])
        if (!listed.has(shardId)) iterators.delete(shardId);

      const batch: Array<{ shardId: string; record: DynamoDBRecord }> = [];
      for (const [shardId, iterator] of iterators) {
        let page: GetRecordsCommandOutput;
        try {
          page = await streams.send(
            new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }),
          );
        } catch (error) {
          // An iterator lasts 15 minutes (a laptop asleep, a long retry): renew it from the
          // last record handed out. Anything else is retried on the next read.
          if (errorName(error) === 'ExpiredIteratorException') {
            iterators.delete(shardId);
            describedAt = Number.NEGATIVE_INFINITY;
            continue;
          }
          throw error;
        }
        for (const record of page.Records ?? []) {
          batch.push({ shardId, record: toLambdaRecord(record) });
          const sequenceNumber = record.dynamodb?.SequenceNumber;
          if (sequenceNumber) {
            positions.set(shardId, { sequenceNumber, eventID: record.eventID });
            checked.add(shardId);
          }
        }
        if (page.NextShardIterator) iterators.set(shardId, page.NextShardIterator);
        else {
          iterators.delete(shardId);
          finished.add(shardId);
          describedAt = Number.NEGATIVE_INFINITY;
        }
      }
      return batch;
    },
    /** The shards the stream listed at the last read. */
    shardIds: () => shards.flatMap((shard) => (shard.ShardId ? [shard.ShardId] : [])),
  };
}
