import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { log } from '../log.ts';
import type { AuditEvent } from '../workflow/audit.ts';

/** The audit events a stream batch carries, each with the record id for batch failures. */
export function auditEventsIn(
  event: DynamoDBStreamEvent,
): Array<{ sequenceNumber: string; event: AuditEvent }> {
  return event.Records.flatMap((record) => {
    const image = record.dynamodb?.NewImage;
    if (record.eventName !== 'INSERT' || !image) return [];
    const item = unmarshall(image as Record<string, AttributeValue>);
    if (item.type !== 'event') return [];
    const { PK: _pk, SK: _sk, type: _type, ...auditEvent } = item;
    return [
      { sequenceNumber: record.dynamodb?.SequenceNumber ?? '', event: auditEvent as AuditEvent },
    ];
  });
}

/** Held mail that staff discarded: the stream's MODIFY of the held item, with its raw object. */
export interface HeldDiscard {
  heldId: string;
  raw: { bucket: string; key: string };
}

/**
 * The changes raw-mail retention follows, in stream order: audit events (a request closing
 * or reopening) and held mail being discarded.
 */
export type RetentionChange = { sequenceNumber: string } & (
  | { event: AuditEvent }
  | { discarded: HeldDiscard }
);

export function retentionChangesIn(event: DynamoDBStreamEvent): RetentionChange[] {
  const events = new Map(auditEventsIn(event).map((one) => [one.sequenceNumber, one]));
  return event.Records.flatMap((record): RetentionChange[] => {
    const sequenceNumber = record.dynamodb?.SequenceNumber ?? '';
    const auditEvent = events.get(sequenceNumber);
    if (auditEvent) return [auditEvent];
    const image = record.dynamodb?.NewImage;
    if (record.eventName !== 'MODIFY' || !image) return [];
    const item = unmarshall(image as Record<string, AttributeValue>);
    if (item.type !== 'held' || item.status !== 'discarded' || !item.raw) return [];
    return [
      {
        sequenceNumber,
        discarded: { heldId: String(item.id), raw: item.raw as HeldDiscard['raw'] },
      },
    ];
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
