import {
  type _Record,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { streams } from './clients.ts';

/**
 * Reads a table stream shard by shard, the way Lambda's event source mapping does, and
 * hands back records in the shape Lambda delivers them. Local mode only: on AWS the
 * event source mapping does this.
 */
export function streamReader(streamArn: string, checkpoint: Map<string, string>) {
  const iterators = new Map<string, string>();
  const finished = new Set<string>();

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

  return {
    /** Every record that arrived since the last read, in shard order. */
    async read(): Promise<Array<{ shardId: string; record: DynamoDBRecord }>> {
      const described = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
      for (const shard of described.StreamDescription?.Shards ?? []) {
        const shardId = shard.ShardId;
        if (!shardId || iterators.has(shardId) || finished.has(shardId)) continue;
        const after = checkpoint.get(shardId);
        const iterator = await streams.send(
          new GetShardIteratorCommand({
            StreamArn: streamArn,
            ShardId: shardId,
            ...(after
              ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }
              : { ShardIteratorType: 'TRIM_HORIZON' }),
          }),
        );
        if (iterator.ShardIterator) iterators.set(shardId, iterator.ShardIterator);
      }
      const batch: Array<{ shardId: string; record: DynamoDBRecord }> = [];
      for (const [shardId, iterator] of iterators) {
        const page = await streams.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }),
        );
        for (const record of page.Records ?? [])
          batch.push({ shardId, record: toLambdaRecord(record) });
        if (page.NextShardIterator) iterators.set(shardId, page.NextShardIterator);
        else {
          iterators.delete(shardId);
          finished.add(shardId);
        }
      }
      return batch;
    },
  };
}
