import { createHash } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { HeldDecision } from '../intake/held-chain.ts';
import { RESEND_WINDOW_DAYS } from '../intake/resend.ts';
import { log } from '../log.ts';
import { dueDate } from '../workflow/act.ts';
import type { AuditEvent, HeldMailEvent } from '../workflow/audit.ts';
import type {
  Filing,
  FilingResult,
  HeldMailRecord,
  HeldResolution,
  MessagePointer,
  MessageRecord,
  ReceivedFingerprint,
  RequestRecord,
} from '../workflow/records.ts';
import { dynamo } from './clients.ts';
import { assertItemFits } from './item-size.ts';
import { keys, stageIndex } from './keys.ts';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * How many numbers back a reference claim is kept on the counter item. A claim only
 * matters to a retry of a filing that crashed between claiming and committing, which SQS
 * redelivers within the hour; a thousand letters is months of an office's mail.
 */
const CLAIMS_KEPT = 1000;
/** Every this many numbers, the allocator drops claims older than CLAIMS_KEPT. */
const PRUNE_EVERY = 100;
/** A transaction that keeps losing races is retried for this long, then SQS retries it. */
const CONFLICT_BUDGET_MS = 30_000;

/** The counter-item attribute holding one letter's claimed number. */
const claimAttribute = (claimKey: string) =>
  `c_${createHash('sha256').update(claimKey).digest('base64url').slice(0, 16)}`;

/**
 * Message-ID pointers for threading, written inside the transaction that files (or sends)
 * the message, so a crash cannot leave mail that replies cannot find. if_not_exists keeps
 * the first request that claimed an id (ids can be reused or forged) without failing.
 */
export const messageIdItems = (
  tableName: string,
  messageIds: readonly string[],
  requestId: string,
): TransactItem[] =>
  [...new Set(messageIds)].slice(0, 10).map((messageId) => ({
    Update: {
      TableName: tableName,
      Key: keys.messageId(messageId),
      // sent: an id postroom gave its own mail, so intake never mistakes it for a resend.
      UpdateExpression:
        'SET #type = :type, messageId = :messageId, requestId = if_not_exists(requestId, :requestId), sent = :sent',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: {
        ':type': 'message-id',
        ':messageId': messageId,
        ':requestId': requestId,
        ':sent': true,
      },
    },
  }));

/**
 * Marks uploads as filed on a request, inside the transaction that files them: each must
 * be recorded and not filed yet, so an upload named by two requests (or replies) at once
 * is filed by one, and the other's transaction fails on this condition, writing nothing.
 */
export const claimedUploadItems = (
  tableName: string,
  uploadIds: readonly string[],
  requestId: string,
  at: string,
): TransactItem[] =>
  uploadIds.map((uploadId) => ({
    Update: {
      TableName: tableName,
      Key: keys.upload(uploadId),
      UpdateExpression: 'SET claimed = :claimed',
      ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(claimed)',
      ExpressionAttributeValues: { ':claimed': { requestId, at } },
    },
  }));

/** What an action changes beyond the request and its audit event, in the same transaction. */
export interface ActionEffects {
  /** The failed notification this action sends again. */
  resent?: { seq: number; kind: string; recipient: string };
  /** The message the action files (a reply staff sent). */
  message?: MessageRecord;
  /** Uploads the action files, each only once. */
  uploadIds?: readonly string[];
}

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
  // A type of its own: the stream consumers that act on request events never see these.
  const heldEventItem = (event: HeldMailEvent) =>
    putNew(keys.heldEvent(event.heldId, event.seq), { type: 'held-event', ...event });
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

  /**
   * Takes a held message off the held list, keeping it (and why) for the record: the
   * decision's event and the held item's new chain head, together. The held item's update
   * comes last, so a transaction's final two reasons say whether it was resolved already.
   */
  const resolveHeldItems = (resolution: HeldDecision): TransactItem[] => [
    heldEventItem(resolution.event),
    {
      Update: {
        TableName: tableName,
        Key: keys.held(resolution.heldId),
        UpdateExpression:
          'SET #status = :status, resolvedBy = :by, resolvedAt = :at, resolution = :resolution, GSI1PK = :resolved, eventSeq = :seq, lastHash = :hash',
        ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(#status)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': resolution.status,
          ':by': resolution.by,
          ':at': resolution.at,
          ':resolution': resolution.detail,
          ':resolved': 'HELD#RESOLVED',
          ':seq': resolution.event.seq,
          ':hash': resolution.event.hash,
        },
      },
    },
  ];
  /** Whether a transaction that took mail out of held mail failed because someone else did. */
  const resolvedAlready = (failures: boolean[] | undefined, fromHeld?: HeldResolution) =>
    Boolean(fromHeld && (failures?.at(-1) || failures?.at(-2)));

  /** The stored form of a request: its stage index keys and the text search looks in. */
  const requestItem = (request: RequestRecord) => ({
    ...keys.request(request.id),
    type: 'request',
    ...request,
    // Due dates are the office's calendar days, so "overdue" agrees with the office's clock.
    ...stageIndex.request(request.stage, dueDate(request, timeZone), request.id),
    searchText: [
      request.reference,
      request.organisation,
      request.subject,
      request.sender.address ?? request.sender.name,
    ]
      .filter(Boolean)
      .join(' ')
      .toLowerCase(),
  });

  /**
   * The pointer for a message received: the request it threads to, plus its first copy
   * (which request it went to, who sent it, when), which is how a later delivery of the
   * same message is recognised as a resend. Filing a new copy (not a recognised resend)
   * is conditional on there being no matching first copy: two copies filed at once must
   * not both open requests, so the loser fails here and is decided again as a resend.
   */
  const pointerItems = (message: MessageRecord, requestId: string): TransactItem[] => {
    if (message.direction !== 'inbound' || !message.messageId) return [];
    const received: ReceivedFingerprint = {
      requestId,
      from: message.from,
      ...(message.sentAt ? { sentAt: message.sentAt } : {}),
      filedAt: message.at,
      messageKey: message.key,
    };
    const guard = !message.duplicateOf && message.sentAt;
    const windowStart = new Date(
      Date.parse(message.at) - RESEND_WINDOW_DAYS * 86_400_000,
    ).toISOString();
    return [
      {
        Update: {
          TableName: tableName,
          Key: keys.messageId(message.messageId),
          UpdateExpression:
            'SET #type = :type, messageId = :messageId, requestId = if_not_exists(requestId, :requestId), received = if_not_exists(received, :received)',
          ...(guard
            ? {
                ConditionExpression:
                  'attribute_not_exists(received) OR received.#from <> :from OR attribute_not_exists(received.sentAt) OR received.sentAt <> :sentAt OR received.filedAt < :windowStart',
              }
            : {}),
          ExpressionAttributeNames: { '#type': 'type', ...(guard ? { '#from': 'from' } : {}) },
          ExpressionAttributeValues: {
            ':type': 'message-id',
            ':messageId': message.messageId,
            ':requestId': requestId,
            ':received': received,
            ...(guard
              ? { ':from': message.from, ':sentAt': message.sentAt, ':windowStart': windowStart }
              : {}),
          },
        },
      },
    ];
  };

  /**
   * Where a failed notification is stored: under its kind too, or (recorded before kinds
   * were part of the key) under its event and recipient alone.
   */
  const failureKey = async (
    requestId: string,
    failure: { seq: number; kind: string; recipient: string },
  ): Promise<{ PK: string; SK: string }> => {
    const current = keys.failedNotification(
      requestId,
      failure.seq,
      failure.kind,
      failure.recipient,
    );
    const older = {
      PK: current.PK,
      SK: `FAIL#${String(failure.seq).padStart(6, '0')}#${failure.recipient.toLowerCase()}`,
    };
    const found = await dynamo.send(
      new BatchGetCommand({
        RequestItems: { [tableName]: { Keys: [current, older], ConsistentRead: true } },
      }),
    );
    const items = found.Responses?.[tableName] ?? [];
    return items.some((item) => item.SK === current.SK) || items.length === 0 ? current : older;
  };

  /** Throws, before any write, when a request or its audit record could not be stored. */
  const assertFits = (request: RequestRecord | undefined, event: AuditEvent) => {
    if (request) assertItemFits(`request ${request.reference}`, requestItem(request), requestParts);
    assertItemFits(
      `the audit record of ${event.action}`,
      eventItem(event).Put?.Item ?? {},
      eventParts,
    );
  };

  /** True when a transaction lost a race with another (not a failed condition). */
  const conflicted = (error: unknown): boolean =>
    (error as Error | undefined)?.name === 'TransactionCanceledException' &&
    ((error as TransactionCanceledException).CancellationReasons ?? []).some(
      (reason) => reason.Code === 'TransactionConflict',
    );
  /** Full-jitter exponential backoff: 10 ms doubling to 1 s, so racers spread out. */
  const backoff = (attempt: number) =>
    new Promise((resolve) =>
      setTimeout(resolve, Math.random() * Math.min(1000, 10 * 2 ** attempt)),
    );
  /** Runs a transaction, retrying lost races (never failed conditions) until the budget ends. */
  const transactWithRetries = async (items: TransactItem[], what: string): Promise<void> => {
    const started = Date.now();
    for (let attempt = 0; ; attempt += 1) {
      try {
        await dynamo.send(new TransactWriteCommand({ TransactItems: items }));
        return;
      } catch (error) {
        if (!conflicted(error) || Date.now() - started > CONFLICT_BUDGET_MS) throw error;
        log.info('transaction lost a race; retrying', { what, attempt });
        await backoff(attempt);
      }
    }
  };

  /** Drops claims far behind the counter, so the counter item stays small. */
  const pruneClaims = async (year: number, current: number): Promise<void> => {
    const counter = await get<Record<string, unknown>>(keys.counter(year));
    const stale = Object.entries(counter ?? {})
      .filter(([name, value]) => name.startsWith('c_') && Number(value) <= current - CLAIMS_KEPT)
      .map(([name]) => name);
    for (let start = 0; start < stale.length; start += 100) {
      const chunk = stale.slice(start, start + 100);
      await dynamo.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.counter(year),
          UpdateExpression: `REMOVE ${chunk.map((_, index) => `#c${index}`).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(
            chunk.map((name, index) => [`#c${index}`, name]),
          ),
        }),
      );
    }
  };

  /** The number a claim attribute holds on the year's counter, if it is there. */
  const claimed = async (year: number, claim: string): Promise<number | undefined> => {
    const found = await dynamo.send(
      new GetCommand({
        TableName: tableName,
        Key: keys.counter(year),
        ProjectionExpression: '#claim',
        ExpressionAttributeNames: { '#claim': claim },
        ConsistentRead: true,
      }),
    );
    const sequence = Number(found.Item?.[claim]);
    return Number.isInteger(sequence) ? sequence : undefined;
  };

  /**
   * The yearly sequence number for one letter (or hand-opened request), claimed once.
   * One atomic update of the counter both advances it and records which letter took the
   * number, so concurrent letters never fail against each other (DynamoDB serialises
   * single-item updates) and a retry of the same letter gets the same number back: no
   * number is skipped, even after a crash between claiming and filing.
   */
  const claimSequence = async (year: number, claimKey: string, attempt = 0): Promise<number> => {
    const claim = claimAttribute(claimKey);
    try {
      const claimed = await dynamo.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.counter(year),
          UpdateExpression:
            'SET #type = :type, n = if_not_exists(n, :zero) + :one, #claim = if_not_exists(n, :zero) + :one',
          ConditionExpression: 'attribute_not_exists(#claim)',
          ExpressionAttributeNames: { '#type': 'type', '#claim': claim },
          ExpressionAttributeValues: { ':type': 'counter', ':zero': 0, ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const sequence = Number(claimed.Attributes?.n);
      if (sequence % PRUNE_EVERY === 0) {
        await pruneClaims(year, sequence).catch((error) =>
          log.warn('could not prune reference claims; the next prune will', { year, error }),
        );
      }
      return sequence;
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      // This letter claimed its number on an earlier attempt: the same number again.
      const sequence = await claimed(year, claim);
      if (sequence !== undefined) return sequence;
      // Dropped between the two calls (staff resolved its held mail meanwhile): claim again.
      if (attempt < 5) return claimSequence(year, claimKey, attempt + 1);
      throw new Error(`the claim on ${year}'s counter kept being dropped`);
    }
  };

  /** Which cancellation reasons were condition failures, by position in the transaction. */
  const conditionFailures = (error: unknown): boolean[] | undefined =>
    error instanceof TransactionCanceledException ||
    (error as Error | undefined)?.name === 'TransactionCanceledException'
      ? ((error as TransactionCanceledException).CancellationReasons ?? []).map(
          (reason) => reason.Code === 'ConditionalCheckFailed',
        )
      : undefined;

  /**
   * Writes a decided action with whatever else it files, in one transaction; 'stale' when
   * the request moved on, 'uploads-taken' when an upload it files was filed first.
   */
  async function writeAction(
    previous: Pick<RequestRecord, 'version' | 'eventSeq'>,
    request: RequestRecord,
    event: AuditEvent,
    effects: ActionEffects = {},
  ): Promise<'applied' | 'stale' | 'uploads-taken'> {
    const resent = effects.resent && (await failureKey(request.id, effects.resent));
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
            // Marked in the same transaction, so two people resending at once send once.
            ...(resent
              ? [
                  {
                    Update: {
                      TableName: tableName,
                      Key: resent,
                      UpdateExpression: 'SET resent = :resent',
                      ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(resent)',
                      ExpressionAttributeValues: {
                        ':resent': { seq: event.seq, by: event.actor, at: event.at },
                      },
                    },
                  },
                ]
              : []),
            ...(effects.message ? [messageItem(effects.message)] : []),
            ...claimedUploadItems(tableName, effects.uploadIds ?? [], request.id, event.at),
          ],
        }),
      );
      return 'applied';
    } catch (error) {
      const failures = conditionFailures(error);
      // The uploads are the last items: one filed elsewhere first cannot be filed here.
      const uploadsFrom = 2 + (resent ? 1 : 0) + (effects.message ? 1 : 0);
      if (failures?.slice(uploadsFrom).some(Boolean)) return 'uploads-taken';
      // A lost race and a failed condition both mean: read again and decide again.
      if (conflicted(error) || failures?.some(Boolean)) return 'stale';
      throw error;
    }
  }

  return {
    findFiling: (raw: { bucket: string; key: string }) =>
      get<Filing & { filedAt: string }>(keys.filing(raw.bucket, raw.key)),

    getRequest: (id: string) => get<RequestRecord>(keys.request(id)),

    /** What postroom knows of a Message-ID, if anything. */
    findMessagePointer: (messageId: string) => get<MessagePointer>(keys.messageId(messageId)),

    async findRequestByReference(reference: string): Promise<RequestRecord | undefined> {
      // A void reference (claimed, never used) points at no request.
      const pointer = await get<{ requestId?: string }>(keys.reference(reference));
      return pointer?.requestId ? get<RequestRecord>(keys.request(pointer.requestId)) : undefined;
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

    claimSequence,

    /**
     * Lets go of the number a claim key holds when it will not be used (the mail became
     * a reply, a resend, or was discarded), returning it so the caller can record why it
     * went unused. Only one caller gets it back. The counter never steps back: a number
     * handed out, even one never used, is never handed out again.
     */
    async dropClaim(year: number, claimKey: string): Promise<number | undefined> {
      const claim = claimAttribute(claimKey);
      const sequence = await claimed(year, claim);
      if (sequence === undefined) return undefined;
      try {
        await dynamo.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.counter(year),
            UpdateExpression: 'REMOVE #claim',
            ConditionExpression: '#claim = :sequence',
            ExpressionAttributeNames: { '#claim': claim },
            ExpressionAttributeValues: { ':sequence': sequence },
          }),
        );
        return sequence;
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') return undefined;
        throw error;
      }
    },

    /** Records why a reference was never used, where anyone looking it up will find it. */
    async voidReference(reference: string, reason: string, at: string): Promise<void> {
      try {
        await dynamo.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...keys.reference(reference), type: 'reference', void: { reason, at } },
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        );
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      }
    },

    /**
     * Files a new request, whose reference was claimed for this object (claimSequence):
     * request, first event, message, reference pointer and filing record in one
     * transaction. A lost race is retried; the filing record failing its condition means
     * another delivery of the same object filed it, with the same reference.
     */
    async fileNewRequest(
      raw: { bucket: string; key: string },
      {
        request,
        event,
        message,
      }: { request: RequestRecord; event: AuditEvent; message: MessageRecord },
      fromHeld?: HeldDecision,
    ): Promise<FilingResult> {
      assertFits(request, event);
      const items: TransactItem[] = [
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
        ...pointerItems(message, request.id),
        ...(fromHeld ? resolveHeldItems(fromHeld) : []),
      ];
      try {
        await transactWithRetries(items, `filing ${request.reference}`);
        return { outcome: 'filed', request };
      } catch (error) {
        const failures = conditionFailures(error);
        // The filing record (or, from held mail, the held item) says it is done already.
        if (failures?.[0] || resolvedAlready(failures, fromHeld))
          return { outcome: 'already-filed' };
        if (failures?.[5]) return { outcome: 'resend' };
        throw error;
      }
    },

    /**
     * Files a request staff opened by hand, whose reference was claimed for it: request,
     * first event, message and reference pointer, and its uploads marked filed, in one
     * transaction. 'uploads-taken' when another request filed one of the uploads first.
     */
    async fileOpenedRequest(
      {
        request,
        event,
        message,
      }: { request: RequestRecord; event: AuditEvent; message: MessageRecord },
      uploadIds: readonly string[],
    ): Promise<'filed' | 'uploads-taken'> {
      assertFits(request, event);
      const items: TransactItem[] = [
        putNew(keys.request(request.id), requestItem(request)),
        eventItem(event),
        messageItem(message),
        putNew(keys.reference(request.reference), { type: 'reference', requestId: request.id }),
        ...claimedUploadItems(tableName, uploadIds, request.id, new Date().toISOString()),
      ];
      try {
        await transactWithRetries(items, `opening ${request.reference}`);
        return 'filed';
      } catch (error) {
        if (conditionFailures(error)?.slice(4).some(Boolean)) return 'uploads-taken';
        throw error;
      }
    },

    /** Adds a message and its event to an existing request, continuing the hash chain. */
    async fileReply(
      raw: { bucket: string; key: string },
      requestId: string,
      build: (current: RequestRecord) => {
        event: AuditEvent;
        message: MessageRecord;
        flags?: string[];
        participants?: string[];
      },
      fromHeld?: HeldDecision,
    ): Promise<FilingResult> {
      const started = Date.now();
      for (let attempt = 0; ; attempt += 1) {
        const current = await get<RequestRecord>(keys.request(requestId));
        if (!current) throw new Error(`request ${requestId} vanished while filing a reply`);
        const { event, message, flags, participants } = build(current);
        assertFits(undefined, event);
        // Whole lists, built from the request as read: the eventSeq condition makes that safe.
        const lists = `${flags ? ', flags = :flags' : ''}${participants ? ', participants = :participants' : ''}`;
        const items: TransactItem[] = [
          {
            Update: {
              TableName: tableName,
              Key: keys.request(requestId),
              UpdateExpression: `SET eventSeq = :seq, lastHash = :hash, lastMessageAt = :at${lists} ADD messageCount :one`,
              ConditionExpression: 'eventSeq = :previous',
              ExpressionAttributeValues: {
                ':seq': event.seq,
                ':hash': event.hash,
                ':at': message.at,
                ':one': 1,
                ':previous': current.eventSeq,
                ...(flags ? { ':flags': flags } : {}),
                ...(participants ? { ':participants': participants } : {}),
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
          ...pointerItems(message, requestId),
          ...(fromHeld ? resolveHeldItems(fromHeld) : []),
        ];
        try {
          await dynamo.send(new TransactWriteCommand({ TransactItems: items }));
          return { outcome: 'filed', request: current };
        } catch (error) {
          const failures = conditionFailures(error);
          // The filing record (or, from held mail, the held item) says it is done already.
          if (failures?.[1] || resolvedAlready(failures, fromHeld))
            return { outcome: 'already-filed' };
          if (failures?.[4]) return { outcome: 'resend' };
          // A lost race, or another event joined the chain first: continue from the new end.
          const raced = conflicted(error) || failures?.[0];
          if (!raced || Date.now() - started > CONFLICT_BUDGET_MS) throw error;
          await backoff(attempt);
        }
      }
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
      effects: Pick<ActionEffects, 'resent'> = {},
    ): Promise<'applied' | 'stale'> {
      return (await writeAction(previous, request, event, effects)) === 'applied'
        ? 'applied'
        : 'stale';
    },

    /**
     * Records a reply staff sent: the request, its audit event, the outbound message, and
     * its uploads marked filed, in one transaction (applyAction, with those effects).
     */
    async recordReply(
      previous: Pick<RequestRecord, 'version' | 'eventSeq'>,
      { request, event }: { request: RequestRecord; event: AuditEvent },
      message: MessageRecord,
      uploadIds: readonly string[],
    ): Promise<'recorded' | 'stale' | 'uploads-taken'> {
      const applied = await writeAction(previous, request, event, { message, uploadIds });
      return applied === 'applied' ? 'recorded' : applied;
    },

    /** Discards held mail with a reason; the raw message and the record stay. */
    async discardHeld(resolution: HeldDecision): Promise<'discarded' | 'already-resolved'> {
      try {
        await dynamo.send(
          new TransactWriteCommand({ TransactItems: resolveHeldItems(resolution) }),
        );
        return 'discarded';
      } catch (error) {
        if (conditionFailures(error)?.some(Boolean)) return 'already-resolved';
        throw error;
      }
    },

    /** Holds mail: its filing record, the held item and the first event of its chain. */
    async fileHeld({
      held,
      event,
    }: {
      held: HeldMailRecord;
      event: HeldMailEvent;
    }): Promise<'filed' | 'already-filed'> {
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
              heldEventItem(event),
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
      for (const item of messageIdItems(tableName, messageIds, requestId)) {
        if (item.Update) await dynamo.send(new UpdateCommand(item.Update));
      }
    },
  };
}

export type RequestStore = ReturnType<typeof requestStore>;
