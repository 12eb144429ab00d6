import { BatchGetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DisposalPorts, RequestInventory } from '../retention/disposal.ts';
import { requestDocumentsPrefix } from '../retention/disposal.ts';
import type { ObjectRef } from '../retention/raw-mail.ts';
import type { AuditEvent } from '../workflow/audit.ts';
import type { Filing, MessageRecord, RequestRecord } from '../workflow/records.ts';
import { closedStages } from '../workflow/stages.ts';
import { BATCH_GET_LIMIT, deleteItems, type TableKey, untilProcessed } from './batches.ts';
import { catalogueKeys } from './catalogue-ports.ts';
import { dynamo } from './clients.ts';
import { deleteObject, listKeys, storedSize } from './documents.ts';
import { EVENT_PREFIX, keys, stageIndex } from './keys.ts';
import { queryAll } from './query-all.ts';
import { requestQueries } from './request-queries.ts';

type Key = TableKey;
type Item = Record<string, unknown> & Key;

const isConditionFailure = (error: unknown) =>
  (error as Error | undefined)?.name === 'ConditionalCheckFailedException';

/**
 * Disposal's ports: the stage index for candidates, the request's partition and the
 * records outside it that lead back to it, and deletes in both buckets and the table.
 */
const catalogueText = catalogueKeys.searchText;

export function disposalPorts(names: {
  table: string;
  inbound: string;
  documents: string;
}): DisposalPorts {
  const queries = requestQueries(names.table);

  const partitionOf = (requestId: string) =>
    queryAll<Item>({
      TableName: names.table,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.request(requestId).PK },
      ConsistentRead: true,
    });

  const batchGet = async (wanted: Key[]): Promise<Item[]> => {
    const found: Item[] = [];
    const unique = [...new Map(wanted.map((key) => [`${key.PK}\n${key.SK}`, key])).values()];
    for (let start = 0; start < unique.length; start += BATCH_GET_LIMIT) {
      await untilProcessed(
        'disposal reads',
        unique.slice(start, start + BATCH_GET_LIMIT),
        async (batch) => {
          const result = await dynamo.send(
            new BatchGetCommand({
              RequestItems: { [names.table]: { Keys: batch, ConsistentRead: true } },
            }),
          );
          found.push(...((result.Responses?.[names.table] ?? []) as Item[]));
          return (result.UnprocessedKeys?.[names.table]?.Keys ?? []) as Key[];
        },
      );
    }
    return found;
  };

  const batchDelete = (doomed: Key[]) => deleteItems(names.table, doomed, 'disposal deletes');

  /**
   * The records outside the request's partition that lead back to it: Message-ID pointers
   * of its mail (each holding the first copy's sender), intake's filing records of its raw
   * mail, and the held mail a message of it was filed from. Only those that still name this
   * request: a Message-ID reused by another request's mail belongs to that request.
   */
  const recordsLeadingTo = async (requestId: string, messages: MessageRecord[]): Promise<Key[]> => {
    const messageIds = messages.flatMap((message) =>
      [message.messageId, message.sesMessageId].filter((id): id is string => Boolean(id)),
    );
    const pointers = (await batchGet(messageIds.map(keys.messageId))).filter(
      (pointer) => pointer.requestId === requestId,
    );
    const filings = (
      await batchGet(rawMailOf(messages).map((raw) => keys.filing(raw.bucket, raw.key)))
    ).filter(
      (filing) =>
        (filing as unknown as Filing & Item).place === 'request' && filing.requestId === requestId,
    );
    const heldIds = filings.flatMap((filing) =>
      typeof filing.resolvedFromHeld === 'string' ? [filing.resolvedFromHeld] : [],
    );
    const held = await batchGet(heldIds.map(keys.held));
    return [...pointers, ...filings, ...held].map(({ PK, SK }) => ({ PK, SK }));
  };

  return {
    documentsBucket: names.documents,

    async closedBefore(day) {
      const found: RequestRecord[] = [];
      let nextToken: string | undefined;
      do {
        const page = await queries.list({
          stages: closedStages,
          dueBefore: day,
          limit: 100,
          nextToken,
        });
        found.push(...page.items);
        nextToken = page.nextToken;
      } while (nextToken);
      return found;
    },

    async inventory(requestId): Promise<RequestInventory | undefined> {
      const partition = await partitionOf(requestId);
      const request = partition.find((item) => item.SK === 'META') as unknown as
        | RequestRecord
        | undefined;
      if (!request) return undefined;
      const of = (prefix: string) => partition.filter((item) => item.SK.startsWith(prefix));
      const events = of(EVENT_PREFIX) as unknown as AuditEvent[];
      const messages = of('MSG#') as unknown as MessageRecord[];
      const known = ['META', EVENT_PREFIX, 'MSG#', 'NOTIFY#', 'FAIL#'];
      // Raw mail already gone (the lifecycle rule may have expired it) is not counted, and
      // nothing outside the inbound bucket is raw mail this function may delete.
      const present = await Promise.all(
        rawMailOf(messages)
          .filter((raw) => raw.bucket === names.inbound)
          .map(async (raw) => ((await storedSize(raw)) === undefined ? [] : [raw])),
      );
      const leading = await recordsLeadingTo(requestId, messages);
      return {
        request,
        events,
        messages,
        rawMail: present.flat(),
        documents: [
          ...(await listKeys(names.documents, requestDocumentsPrefix(requestId))),
          // The catalogue's copy of the request's text, for search passages: private too.
          ...((await storedSize({ bucket: names.documents, key: catalogueText(requestId) })) ===
          undefined
            ? []
            : [catalogueText(requestId)]),
        ],
        records: {
          notificationClaims: of('NOTIFY#').length,
          failedNotifications: of('FAIL#').length,
          threadingPointers: leading.filter((key) => key.PK.startsWith('MID#')).length,
          filings: leading.filter((key) => key.PK.startsWith('MAIL#')).length,
          heldMail: leading.filter((key) => key.PK.startsWith('HELD#')).length,
          other: partition.filter((item) => !known.some((prefix) => item.SK.startsWith(prefix)))
            .length,
        },
      };
    },

    async claim(request, since) {
      // Conditional on the version read and on no hold: a hold (or any action) that lands
      // first wins, and once this lands every action is refused (decideAction).
      try {
        await dynamo.send(
          new UpdateCommand({
            TableName: names.table,
            Key: keys.request(request.id),
            UpdateExpression: 'SET disposing = :disposing, version = :next',
            ConditionExpression:
              'version = :version AND attribute_not_exists(legalHold) AND attribute_not_exists(disposing)',
            ExpressionAttributeValues: {
              ':disposing': { since },
              ':version': request.version,
              ':next': request.version + 1,
            },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async keepRecord(record) {
      try {
        await dynamo.send(
          new PutCommand({
            TableName: names.table,
            Item: {
              ...keys.disposal(record.requestId),
              type: 'disposal',
              ...record,
              ...stageIndex.disposal(record.disposedAt, record.requestId),
            },
            // A resumed disposal keeps the first record: it counted everything there was.
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    },

    async deleteRawMail(objects) {
      for (const object of objects) await deleteObject(object);
    },

    async deleteDocuments(documentKeys) {
      for (const key of documentKeys) await deleteObject({ bucket: names.documents, key });
    },

    async deleteRecords(inventory, disposedAt) {
      const { request } = inventory;
      // Outside records first, found from the messages: once the partition is gone, nothing
      // would lead to them.
      await batchDelete(await recordsLeadingTo(request.id, inventory.messages));
      const partition = await partitionOf(request.id);
      await batchDelete(partition.filter((item) => item.SK !== 'META'));
      // The number stays accounted for (README, "Intake under load"): it names a request
      // that was disposed of, and the disposal record says what became of it.
      await dynamo
        .send(
          new UpdateCommand({
            TableName: names.table,
            Key: keys.reference(request.reference),
            UpdateExpression: 'SET disposed = if_not_exists(disposed, :disposed)',
            ConditionExpression: 'attribute_exists(PK)',
            ExpressionAttributeValues: { ':disposed': { at: disposedAt } },
          }),
        )
        .catch((error: unknown) => {
          if (!isConditionFailure(error)) throw error;
        });
      // Last: while it stands, the next run finds the request and finishes the disposal.
      await batchDelete([keys.request(request.id)]);
    },
  };
}

/** The raw mail of a request's received messages, each object once. */
function rawMailOf(messages: readonly MessageRecord[]): ObjectRef[] {
  const refs = messages.flatMap((message) =>
    message.direction === 'inbound' && message.raw ? [message.raw] : [],
  );
  return [...new Map(refs.map((raw) => [`${raw.bucket}/${raw.key}`, raw])).values()];
}
