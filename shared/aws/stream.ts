import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { log } from '../log.ts';
import type { ObjectRef, RetentionChange } from '../retention/raw-mail.ts';
import type { AuditEvent } from '../workflow/audit.ts';
import type { MessageRecord } from '../workflow/records.ts';

const newItem = (record: DynamoDBRecord) =>
  record.dynamodb?.NewImage
    ? unmarshall(record.dynamodb.NewImage as Record<string, AttributeValue>)
    : undefined;
const sequenceOf = (record: DynamoDBRecord) => record.dynamodb?.SequenceNumber ?? '';
/** A change with the stream record id a batch failure names. */
type Sequenced<T> = T & { sequenceNumber: string };

/** The audit event a stream record inserted, if that is what it is. */
function auditEventOf(record: DynamoDBRecord): AuditEvent | undefined {
  const item = record.eventName === 'INSERT' ? newItem(record) : undefined;
  if (item?.type !== 'event') return undefined;
  const { PK: _pk, SK: _sk, type: _type, ...auditEvent } = item;
  return auditEvent as AuditEvent;
}

/** The audit events a stream batch carries, each with the record id for batch failures. */
export function auditEventsIn(event: DynamoDBStreamEvent): Array<Sequenced<{ event: AuditEvent }>> {
  return event.Records.flatMap((record) => {
    const auditEvent = auditEventOf(record);
    return auditEvent ? [{ sequenceNumber: sequenceOf(record), event: auditEvent }] : [];
  });
}

/**
 * The changes raw-mail retention follows, in stream order: audit events (a request closing
 * or reopening) and held mail being discarded (the MODIFY that sets its status).
 */
export function retentionChangesIn(event: DynamoDBStreamEvent): Array<Sequenced<RetentionChange>> {
  return event.Records.flatMap((record): Array<Sequenced<RetentionChange>> => {
    const sequenceNumber = sequenceOf(record);
    const auditEvent = auditEventOf(record);
    if (auditEvent) return [{ sequenceNumber, event: auditEvent }];
    const item = record.eventName === 'MODIFY' ? newItem(record) : undefined;
    if (item?.type !== 'held' || item.status !== 'discarded' || !item.raw) return [];
    return [{ sequenceNumber, discarded: { heldId: String(item.id), raw: item.raw as ObjectRef } }];
  });
}

/**
 * Runs `handle` on each item of a stream batch, in order. Batches are ordered, so the
 * first failure is reported and the records after it are left for the retry.
 */
export async function inStreamOrder<T extends { sequenceNumber: string }>(
  items: T[],
  what: string,
  handle: (item: T) => Promise<void>,
  describe: (item: T) => Record<string, unknown>,
): Promise<DynamoDBBatchResponse> {
  for (const item of items) {
    try {
      await handle(item);
    } catch (error) {
      log.error(`${what} failed; the stream will retry from this record`, {
        ...describe(item),
        error,
      });
      return { batchItemFailures: [{ itemIdentifier: item.sequenceNumber }] };
    }
  }
  return { batchItemFailures: [] };
}

/** Runs `handle` on each audit event of a stream batch, in order (see inStreamOrder). */
export function eachAuditEvent(
  event: DynamoDBStreamEvent,
  what: string,
  handle: (auditEvent: AuditEvent) => Promise<void>,
): Promise<DynamoDBBatchResponse> {
  return inStreamOrder(
    auditEventsIn(event),
    what,
    (item) => handle(item.event),
    (item) => ({ requestId: item.event.requestId, seq: item.event.seq }),
  );
}

/** Received messages a stream batch shows being filed, each with its record id. */
export function filedMessagesIn(
  event: DynamoDBStreamEvent,
): Array<Sequenced<{ message: MessageRecord }>> {
  return event.Records.flatMap((record) => {
    const item = record.eventName === 'INSERT' ? newItem(record) : undefined;
    if (item?.type !== 'message' || item.direction !== 'inbound') return [];
    return [{ sequenceNumber: sequenceOf(record), message: item as unknown as MessageRecord }];
  });
}

/**
 * The requests whose catalogue entries a stream batch changes: those an audit event was
 * appended to, those disposed of (their entries go), and those whose attachments' text
 * was read (search indexes it). Each with its record id.
 */
export function requestsChangedIn(
  event: DynamoDBStreamEvent,
): Array<Sequenced<{ requestId: string }>> {
  return event.Records.flatMap((record) => {
    const sequenceNumber = sequenceOf(record);
    const auditEvent = auditEventOf(record);
    if (auditEvent) return [{ sequenceNumber, requestId: auditEvent.requestId }];
    const item = record.eventName === 'INSERT' ? newItem(record) : undefined;
    const changes = item?.type === 'disposal' || item?.type === 'textRead';
    if (changes && typeof item?.requestId === 'string')
      return [{ sequenceNumber, requestId: item.requestId }];
    return [];
  });
}
