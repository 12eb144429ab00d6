import { randomUUID } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';

/** What S3 sends to SQS for a new object, wrapped as the SQS event Lambda receives. */
export function objectCreatedDelivery(
  bucket: string,
  key: string,
  size: number,
  region: string,
  receiveCount = 1,
): SQSEvent {
  const at = new Date().toISOString();
  const notification = {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: region,
        eventTime: at,
        eventName: 'ObjectCreated:Put',
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'inbound-mail',
          bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
          object: {
            key: encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/'),
            size,
            sequencer: Date.now().toString(16).toUpperCase(),
          },
        },
      },
    ],
  };
  return {
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: randomUUID(),
        body: JSON.stringify(notification),
        attributes: {
          ApproximateReceiveCount: String(receiveCount),
          SentTimestamp: String(Date.now()),
          SenderId: 's3.amazonaws.com',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:${region}:000000000000:postroom-inbound-mail`,
        awsRegion: region,
      },
    ],
  };
}
