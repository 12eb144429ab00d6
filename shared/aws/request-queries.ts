import { GetObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { DisposalRecord } from '../retention/disposal.ts';
import type { ListFilter } from '../staff/requests.ts';
import type { AuditEvent } from '../workflow/audit.ts';
import type {
  FailedNotification,
  HeldMailRecord,
  MessageRecord,
  RequestRecord,
} from '../workflow/records.ts';
import { dynamo, s3 } from './clients.ts';
import { keys, stageIndex } from './keys.ts';
import { queryAll } from './query-all.ts';

interface Cursor {
  stage: number;
  key?: Record<string, unknown>;
}

export class BadCursorError extends Error {
  override name = 'BadCursorError';
}

const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');
/** The key names of an index page's LastEvaluatedKey, as DynamoDB gives them. */
const indexKeyNames = ['GSI1PK', 'GSI1SK', 'PK', 'SK'].join();
/**
 * Reads a token back, checked as strictly as DynamoDB would check the start key it holds:
 * a token that was tampered with, or one from another list, is a 400 here rather than a
 * ValidationException (a 500) from the query. `partitionOf` is the index partition the
 * cursor's stage reads.
 */
function decodeCursor(
  token: string,
  partitionOf: (stage: number) => string | undefined,
  /** The sort keys the query reads are below this: a key outside DynamoDB refuses. */
  sortKeyBelow?: string,
): Cursor {
  try {
    const cursor = JSON.parse(Buffer.from(token, 'base64url').toString()) as Cursor;
    if (!Number.isInteger(cursor.stage) || cursor.stage < 0) throw new Error('no stage');
    const key = cursor.key;
    if (key !== undefined) {
      if (typeof key !== 'object' || key === null || Array.isArray(key)) throw new Error('key');
      if (Object.keys(key).sort().join() !== indexKeyNames) throw new Error('key names');
      for (const value of Object.values(key)) {
        // Key values are non-empty strings of at most 1 KB (a sort key's limit; partition
        // keys 2 KB): DynamoDB refuses an empty one with a 500-shaped ValidationException.
        if (typeof value !== 'string' || value === '' || Buffer.byteLength(value) > 1024)
          throw new Error('key value');
      }
      if (key.GSI1PK !== partitionOf(cursor.stage)) throw new Error('another list');
      if (sortKeyBelow !== undefined && !(String(key.GSI1SK) < sortKeyBelow))
        throw new Error('outside the range');
    }
    return { stage: cursor.stage, key };
  } catch {
    throw new BadCursorError('nextToken is not one this API issued; start again without it');
  }
}

/** Reads for the staff API: the stage index and the request's own partition, never a Scan. */
export function requestQueries(tableName: string) {
  return {
    /**
     * Requests in the given stages, each stage sorted by due date, paged across stages
     * with an opaque token. Filters apply on the index query, so pages may hold fewer
     * than `limit` items while more remain; the token says where to go on.
     */
    async list(filter: ListFilter): Promise<{ items: RequestRecord[]; nextToken?: string }> {
      const partitionOf = (stage: number) =>
        stageIndex.request(filter.stages[stage] ?? '', '', '').GSI1PK;
      const cursor = filter.nextToken
        ? decodeCursor(filter.nextToken, partitionOf, filter.dueBefore)
        : { stage: 0, key: undefined };
      const items: RequestRecord[] = [];
      let { stage, key } = cursor;
      // Bounded: a page never reads more than a few index pages, whatever the filters.
      for (
        let reads = 0;
        stage < filter.stages.length && items.length < filter.limit && reads < 10;
        reads += 1
      ) {
        const conditions = ['#status = :stage'];
        const values: Record<string, unknown> = {
          ':stage': partitionOf(stage),
        };
        if (filter.dueBefore) {
          conditions.push('GSI1SK < :due');
          values[':due'] = filter.dueBefore;
        }
        const filters: string[] = [];
        if (filter.assignee) {
          filters.push('assignee = :assignee');
          values[':assignee'] = filter.assignee;
        }
        if (filter.text) {
          filters.push('contains(searchText, :text)');
          values[':text'] = filter.text;
        }
        const page = await dynamo.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: stageIndex.name,
            KeyConditionExpression: conditions.join(' AND '),
            ExpressionAttributeNames: { '#status': 'GSI1PK' },
            ExpressionAttributeValues: values,
            ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
            Limit: filter.limit - items.length,
            ExclusiveStartKey: key,
          }),
        );
        items.push(...((page.Items ?? []) as RequestRecord[]));
        key = page.LastEvaluatedKey;
        if (!key) stage += 1;
      }
      const more = stage < filter.stages.length;
      return { items, ...(more ? { nextToken: encodeCursor({ stage, key }) } : {}) };
    },

    async detail(id: string) {
      const [request, partition] = await Promise.all([
        dynamo.send(new GetCommand({ TableName: tableName, Key: keys.request(id) })),
        queryAll<Record<string, unknown>>({
          TableName: tableName,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': keys.request(id).PK },
        }),
      ]);
      if (!request.Item) return undefined;
      const of = (prefix: string) => partition.filter((item) => String(item.SK).startsWith(prefix));
      return {
        request: request.Item as RequestRecord,
        messages: of('MSG#') as unknown as MessageRecord[],
        events: of('EVT#') as unknown as AuditEvent[],
        failedNotifications: of('FAIL#') as unknown as FailedNotification[],
      };
    },

    /** The request's messages, oldest first, without the rest of its partition. */
    messages: (id: string) =>
      queryAll<MessageRecord>({
        TableName: tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :message)',
        ExpressionAttributeValues: { ':pk': keys.request(id).PK, ':message': 'MSG#' },
      }),

    async listHeld(
      limit: number,
      nextToken?: string,
    ): Promise<{ items: HeldMailRecord[]; nextToken?: string }> {
      const partition = stageIndex.held('', '').GSI1PK;
      const cursor = nextToken ? decodeCursor(nextToken, () => partition) : { stage: 0 };
      const page = await dynamo.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: stageIndex.name,
          KeyConditionExpression: 'GSI1PK = :held',
          ExpressionAttributeValues: { ':held': partition },
          ScanIndexForward: false,
          Limit: limit,
          ExclusiveStartKey: cursor.key,
        }),
      );
      return {
        items: (page.Items ?? []) as HeldMailRecord[],
        ...(page.LastEvaluatedKey
          ? { nextToken: encodeCursor({ stage: 0, key: page.LastEvaluatedKey }) }
          : {}),
      };
    },

    /** Disposal records, newest first, from the index (they outlive their requests). */
    async listDisposals(
      limit: number,
      nextToken?: string,
    ): Promise<{ items: DisposalRecord[]; nextToken?: string }> {
      const partition = stageIndex.disposal('', '').GSI1PK;
      const cursor = nextToken ? decodeCursor(nextToken, () => partition) : { stage: 0 };
      const page = await dynamo.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: stageIndex.name,
          KeyConditionExpression: 'GSI1PK = :disposals',
          ExpressionAttributeValues: { ':disposals': partition },
          ScanIndexForward: false,
          Limit: limit,
          ExclusiveStartKey: cursor.key,
        }),
      );
      return {
        items: (page.Items ?? []) as DisposalRecord[],
        ...(page.LastEvaluatedKey
          ? { nextToken: encodeCursor({ stage: 0, key: page.LastEvaluatedKey }) }
          : {}),
      };
    },

    /** The record of the request's disposal, once it has been disposed of. */
    async disposalOf(requestId: string): Promise<DisposalRecord | undefined> {
      const found = await dynamo.send(
        new GetCommand({ TableName: tableName, Key: keys.disposal(requestId) }),
      );
      return found.Item as DisposalRecord | undefined;
    },

    async getHeld(id: string): Promise<(HeldMailRecord & { status?: string }) | undefined> {
      const found = await dynamo.send(new GetCommand({ TableName: tableName, Key: keys.held(id) }));
      return found.Item as (HeldMailRecord & { status?: string }) | undefined;
    },
  };
}

/** A short-lived link to download one stored document, named as the sender named it. */
export function presignDownload(
  bucket: string,
  key: string,
  filename: string,
  seconds = 300,
): Promise<string> {
  return getSignedUrl(
    s3,
    new GetObjectCommand({
      Bucket: bucket,
      Key: key,
      ResponseContentDisposition: `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`,
    }),
    { expiresIn: seconds },
  );
}
