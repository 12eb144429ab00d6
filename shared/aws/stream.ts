import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
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
