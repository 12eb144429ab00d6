import type { S3Event, SQSEvent } from 'aws-lambda';

/**
 * The raw objects an intake delivery names. On AWS the S3 notification reaches intake
 * through SQS (so failures retry and then land in a DLQ); a direct S3 event is accepted
 * too. Keys arrive URL-encoded with + for space.
 */
export interface DeliveredObject {
  bucket: string;
  key: string;
  /** The SQS message that carried it, for partial batch failures. */
  carrier?: string;
}

function decodeKey(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    // Not valid percent-encoding: S3 would not send it, so take it as it stands.
    return key;
  }
}

function fromS3Event(event: Partial<S3Event>, carrier?: string): DeliveredObject[] {
  return (event.Records ?? [])
    .filter((record) => record.eventName?.startsWith('ObjectCreated'))
    .map((record) => ({
      bucket: record.s3.bucket.name,
      key: decodeKey(record.s3.object.key),
      carrier,
    }));
}

export function deliveredObjects(event: SQSEvent | S3Event): DeliveredObject[] {
  return event.Records.flatMap((record) => {
    if ('s3' in record) return fromS3Event({ Records: [record] });
    // S3 sends an s3:TestEvent when the notification is first configured; it names no object.
    const body = JSON.parse(record.body) as Partial<S3Event> & { Event?: string };
    return body.Event === 's3:TestEvent' ? [] : fromS3Event(body, record.messageId);
  });
}
