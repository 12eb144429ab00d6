import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { dueDate } from '../workflow/act.ts';
import type { AuditEvent } from '../workflow/audit.ts';
import type {
  Filing,
  HeldMailRecord,
  HeldResolution,
  MessageRecord,
  RequestRecord,
} from '../workflow/records.ts';
import { dynamo } from './clients.ts';
import { assertItemFits } from './item-size.ts';
import { keys, stageIndex } from './keys.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** A request's attributes in the words of the 413 that names the largest. */
const requestParts: Record<string, string> = {
  draft: 'the note and the meeting it records',
  meeting: 'the scheduled meeting',
  redactions: 'the redaction decisions',
  corrections: 'the corrections',
  searchText: 'the search text',
  subject: 'the subject',
  closedReason: 'the reason it was closed',
  pendingCorrection: 'the pending correction',
};
const eventParts: Record<string, string> = { details: "the action's details" };

/** Request, event and mail items in the one table; every multi-item write is a transaction. */
export function requestStore(tableName: string, timeZone: string) {
  // The counter value this container last saw per year. A warm container usually guesses
  // right and saves a read; a wrong guess fails the condition and reads the real value.
  const counterSeen = new Map<number, number>();

  const get = async <T>(key: { PK: string; SK: string }): Promise<T | undefined> =>
    (await dynamo.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true })))
      .Item as T | undefined;

  const putNew = (key: { PK: string; SK: string }, fields: object): TransactItem => ({
    Put: {
      TableName: tableName,
      Item: { ...key, ...fields },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  });

  const eventItem = (event: AuditEvent) =>
    putNew(keys.event(event.requestId, event.seq), { type: 'event', ...event });
  const messageItem = (message: MessageRecord) =>
    putNew(keys.message(message.requestId, message.at, message.key), {
      type: 'message',
      ...message,
    });
  /**
   * The filing record. New mail must have none yet; mail staff take out of held mail must
   * still be filed as held, so two people resolving it at once cannot both succeed.
   */
  const filingItem = (
    raw: { bucket: string; key: string },
    filing: Filing,
    at: string,
    fromHeld?: HeldResolution,
  ): TransactItem =>
    fromHeld
      ? {
          Put: {
            TableName: tableName,
            Item: {
              ...keys.filing(raw.bucket, raw.key),
              type: 'filing',
              ...filing,
              filedAt: at,
              resolvedFromHeld: fromHeld.heldId,
            },
            ConditionExpression: 'place = :held',
            ExpressionAttributeValues: { ':held': 'held' },
          },
        }
      : putNew(keys.filing(raw.bucket, raw.key), { type: 'filing', ...filing, filedAt: at });

  /** Takes a held message off the held list, keeping it (and why) for the record. */
  const resolveHeldItem = (resolution: HeldResolution, at: string): TransactItem => ({
    Update: {
      TableName: tableName,
      Key: keys.held(resolution.heldId),
      UpdateExpression:
        'SET #status = :status, resolvedBy = :by, resolvedAt = :at, resolution = :resolution, GSI1PK = :resolved',
      ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(#status)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':status': resolution.status,
        ':by': resolution.by,
        ':at': at,
        ':resolution': resolution.detail,
        ':resolved': 'HELD#RESOLVED',
      },
    },
  });

  /** The stored form of a request: its stage index keys and the text search looks in. */
  const requestItem = (request: RequestRecord) => ({
    ...keys.request(request.id),
    type: 'request',
    ...request,
    // Due dates are the office's calendar days, so "overdue" agrees with the office's clock.
    ...stageIndex.request(request.stage, dueDate(request, timeZone), request.id),
    searchText: [request.reference, request.organisation, request.subject, request.sender.address]
      .filter(Boolean)
      .join(' ')
      .toLowerCase(),
  });

  /**
   * Message-ID pointers for threading, written inside the filing transaction so a crash
   * cannot leave a filed message that replies cannot find. if_not_exists keeps the first
   * request that claimed an id (ids can be reused or forged) without failing the write.
   */
  const messageIdItems = (messageIds: readonly string[], requestId: string): TransactItem[] =>
    [...new Set(messageIds)].slice(0, 10).map((messageId) => ({
      Update: {
        TableName: tableName,
        Key: keys.messageId(messageId),
        UpdateExpression:
          'SET #type = :type, messageId = :messageId, requestId = if_not_exists(requestId, :requestId)',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: {
          ':type': 'message-id',
          ':messageId': messageId,
          ':requestId': requestId,
        },
      },
    }));

  /** True when a transaction lost a race with another (not a failed condition). */
  const conflicted = (error: unknown): boolean =>
    (error as Error | undefined)?.name === 'TransactionCanceledException' &&
    ((error as TransactionCanceledException).CancellationReasons ?? []).some(
      (reason) => reason.Code === 'TransactionConflict',
    );
  const jitter = () => new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 80));

  /** Which cancellation reasons were condition failures, by position in the transaction. */
  const conditionFailures = (error: unknown): boolean[] | undefined =>
    error instanceof TransactionCanceledException ||
    (error as Error | undefined)?.name === 'TransactionCanceledException'
      ? ((error as TransactionCanceledException).CancellationReasons ?? []).map(
          (reason) => reason.Code === 'ConditionalCheckFailed',
        )
      : undefined;

  return {
    findFiling: (raw: { bucket: string; key: string }) =>
      get<Filing & { filedAt: string }>(keys.filing(raw.bucket, raw.key)),

    getRequest: (id: string) => get<RequestRecord>(keys.request(id)),

    async findRequestByReference(reference: string): Promise<RequestRecord | undefined> {
      const pointer = await get<{ requestId: string }>(keys.reference(reference));
      return pointer ? get<RequestRecord>(keys.request(pointer.requestId)) : undefined;
    },

    /** The request that owns the first of these Message-IDs postroom knows, in the order given. */
    async findRequestByMessageIds(
      messageIds: readonly string[],
    ): Promise<{ request: RequestRecord; messageId: string } | undefined> {
      const unique = [...new Set(messageIds)].slice(0, 100);
      if (unique.length === 0) return undefined;
      const result = await dynamo.send(
        new BatchGetCommand({
          RequestItems: { [tableName]: { Keys: unique.map(keys.messageId), ConsistentRead: true } },
        }),
      );
      if (Object.keys(result.UnprocessedKeys ?? {}).length > 0) {
        // Throttled: guessing "no thread" would open a duplicate request, so retry later.
        throw new Error(
          'thread lookup was throttled (unprocessed keys); the delivery will be retried',
        );
      }
      const found = new Map(
        (result.Responses?.[tableName] ?? []).map((item) => [
          item.messageId as string,
          item.requestId as string,
        ]),
      );
      for (const messageId of unique) {
        const requestId = found.get(messageId);
        const request = requestId ? await get<RequestRecord>(keys.request(requestId)) : undefined;
        if (request) return { request, messageId };
      }
      return undefined;
    },

    /**
     * Files a new request: counter, request, first event, message, reference pointer and
     * the filing record in one transaction. The counter is read then set with a condition,
     * so references have no gaps; a lost race re-reads and tries again.
     */
    async fileNewRequest(
      raw: { bucket: string; key: string },
      year: number,
      build: (sequence: number) => {
        request: RequestRecord;
        event: AuditEvent;
        message: MessageRecord;
      },
      messageIds: readonly string[] = [],
      fromHeld?: HeldResolution,
    ): Promise<{ outcome: 'filed' | 'already-filed'; request?: RequestRecord }> {
      for (let attempt = 0; attempt < 25; attempt += 1) {
        const seen = counterSeen.get(year);
        const counter =
          seen === undefined ? await get<{ n: number }>(keys.counter(year)) : { n: seen };
        const current = counter?.n ?? 0;
        const { request, event, message } = build(current + 1);
        const items: TransactItem[] = [
          {
            Update: {
              TableName: tableName,
              Key: keys.counter(year),
              UpdateExpression: 'SET n = :next',
              ConditionExpression: counter ? 'n = :current' : 'attribute_not_exists(n)',
              ExpressionAttributeValues: {
                ':next': current + 1,
                ...(counter ? { ':current': current } : {}),
              },
            },
          },
          filingItem(
            raw,
            {
              place: 'request',
              requestId: request.id,
              reference: request.reference,
              messageKey: message.key,
            },
            request.receivedAt,
            fromHeld,
          ),
          putNew(keys.request(request.id), requestItem(request)),
          eventItem(event),
          messageItem(message),
          putNew(keys.reference(request.reference), { type: 'reference', requestId: request.id }),
          ...messageIdItems(messageIds, request.id),
          ...(fromHeld ? [resolveHeldItem(fromHeld, request.receivedAt)] : []),
        ];
        try {
          await dynamo.send(new TransactWriteCommand({ TransactItems: items }));
          counterSeen.set(year, current + 1);
          return { outcome: 'filed', request };
        } catch (error) {
          if (conflicted(error)) {
            await jitter();
            continue;
          }
          const failures = conditionFailures(error);
          if (!failures) throw error;
          // The filing record (or, from held mail, the held item) says it is done already.
          if (failures[1] || (fromHeld && failures.at(-1))) return { outcome: 'already-filed' };
          if (!failures[0]) throw error;
          // Another letter took this number first (or the guess was stale); read it again.
          counterSeen.delete(year);
        }
      }
      throw new Error(`could not allocate a reference for ${year} after 25 attempts`);
    },

    /** Adds a message and its event to an existing request, continuing the hash chain. */
    async fileReply(
      raw: { bucket: string; key: string },
      requestId: string,
      build: (current: RequestRecord) => { event: AuditEvent; message: MessageRecord },
      messageIds: readonly string[] = [],
      fromHeld?: HeldResolution,
    ): Promise<{ outcome: 'filed' | 'already-filed'; request?: RequestRecord }> {
      for (let attempt = 0; attempt < 25; attempt += 1) {
        const current = await get<RequestRecord>(keys.request(requestId));
        if (!current) throw new Error(`request ${requestId} vanished while filing a reply`);
        const { event, message } = build(current);
        const items: TransactItem[] = [
          {
            Update: {
              TableName: tableName,
              Key: keys.request(requestId),
              UpdateExpression:
                'SET eventSeq = :seq, lastHash = :hash, lastMessageAt = :at ADD messageCount :one',
              ConditionExpression: 'eventSeq = :previous',
              ExpressionAttributeValues: {
                ':seq': event.seq,
                ':hash': event.hash,
                ':at': message.at,
                ':one': 1,
                ':previous': current.eventSeq,
              },
            },
          },
          filingItem(
            raw,
            { place: 'request', requestId, reference: current.reference, messageKey: message.key },
            message.at,
            fromHeld,
          ),
          eventItem(event),
          messageItem(message),
          ...messageIdItems(messageIds, requestId),
          ...(fromHeld ? [resolveHeldItem(fromHeld, event.at)] : []),
        ];
        try {
          await dynamo.send(new TransactWriteCommand({ TransactItems: items }));
          return { outcome: 'filed', request: current };
        } catch (error) {
          if (conflicted(error)) {
            await jitter();
            continue;
          }
          const failures = conditionFailures(error);
          if (!failures) throw error;
          // The filing record (or, from held mail, the held item) says it is done already.
          if (failures[1] || (fromHeld && failures.at(-1))) return { outcome: 'already-filed' };
          if (!failures[0]) throw error;
          // Another event joined the chain first; continue from the new end.
        }
      }
      throw new Error(`could not append to request ${requestId} after 25 attempts`);
    },

    /**
     * Writes a decided action: the request, conditional on the version and chain position
     * it was decided from, and its audit event, in one transaction. Returns 'stale' when
     * either moved on, so the caller can re-read and decide again or answer 409.
     */
    async applyAction(
      previous: Pick<RequestRecord, 'version' | 'eventSeq'>,
      request: RequestRecord,
      event: AuditEvent,
    ): Promise<'applied' | 'stale'> {
      const stored = requestItem(request);
      const audit = eventItem(event);
      // Staff input within every field's own limit can still add up past DynamoDB's item
      // limit; refuse it by name before DynamoDB refuses it with a ValidationException.
      assertItemFits(`request ${request.reference}`, stored, requestParts);
      assertItemFits(`the audit record of ${event.action}`, audit.Put?.Item ?? {}, eventParts);
      try {
        await dynamo.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: stored,
                  ConditionExpression: 'version = :version AND eventSeq = :seq',
                  ExpressionAttributeValues: {
                    ':version': previous.version,
                    ':seq': previous.eventSeq,
                  },
                },
              },
              audit,
            ],
          }),
        );
        return 'applied';
      } catch (error) {
        // A lost race and a failed condition both mean: read again and decide again.
        if (conflicted(error) || conditionFailures(error)?.some(Boolean)) return 'stale';
        throw error;
      }
    },

    /** Discards held mail with a reason; the raw message and the record stay. */
    async discardHeld(
      resolution: HeldResolution,
      at: string,
    ): Promise<'discarded' | 'already-resolved'> {
      try {
        await dynamo.send(
          new TransactWriteCommand({ TransactItems: [resolveHeldItem(resolution, at)] }),
        );
        return 'discarded';
      } catch (error) {
        if (conditionFailures(error)?.[0]) return 'already-resolved';
        throw error;
      }
    },

    async fileHeld(held: HeldMailRecord): Promise<'filed' | 'already-filed'> {
      try {
        await dynamo.send(
          new TransactWriteCommand({
            TransactItems: [
              filingItem(
                held.raw,
                { place: 'held', heldId: held.id, reason: held.reason },
                held.receivedAt,
              ),
              putNew(keys.held(held.id), {
                type: 'held',
                ...held,
                ...stageIndex.held(held.receivedAt, held.id),
              }),
            ],
          }),
        );
        return 'filed';
      } catch (error) {
        if (conditionFailures(error)?.[0]) return 'already-filed';
        throw error;
      }
    },

    /** Records Message-IDs (such as those of mail postroom sends) for threading. */
    async rememberMessageIds(messageIds: readonly string[], requestId: string): Promise<void> {
      for (const item of messageIdItems(messageIds, requestId)) {
        if (item.Update) await dynamo.send(new UpdateCommand(item.Update));
      }
    },
  };
}

export type RequestStore = ReturnType<typeof requestStore>;
