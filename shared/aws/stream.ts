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

/**
 * Runs `handle` on each audit event of a stream batch, in order. Batches are ordered, so
 * the first failure is reported and the records after it are left for the retry.
 */
export async function eachAuditEvent(
  event: DynamoDBStreamEvent,
  what: string,
  handle: (auditEvent: AuditEvent) => Promise<void>,
): Promise<DynamoDBBatchResponse> {
  for (const { sequenceNumber, event: auditEvent } of auditEventsIn(event)) {
    try {
      await handle(auditEvent);
    } catch (error) {
      log.error(`${what} failed; the stream will retry from this record`, {
        requestId: auditEvent.requestId,
        seq: auditEvent.seq,
        error,
      });
      return { batchItemFailures: [{ itemIdentifier: sequenceNumber }] };
    }
  }
  return { batchItemFailures: [] };
}
