import type { S3Event, S3EventRecord, SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { deliveredObjects } from '../../shared/intake/s3-event.ts';

function s3Record(key: string, eventName = 'ObjectCreated:Put', bucket = 'inbound'): S3EventRecord {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'eu-west-1',
    eventTime: '2026-01-30T09:12:35.000Z',
    eventName,
    userIdentity: { principalId: 'AWS:SES' },
    requestParameters: { sourceIPAddress: '198.51.100.1' },
    responseElements: { 'x-amz-request-id': 'r', 'x-amz-id-2': 'i' },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'inbound-mail',
      bucket: { name: bucket, ownerIdentity: { principalId: 'p' }, arn: `arn:aws:s3:::${bucket}` },
      object: { key, size: 6170, eTag: 'e', sequencer: '0' },
    },
  };
}

function sqsRecord(messageId: string, body: unknown): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body: JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 's3',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: 'md5',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:000000000000:intake',
    awsRegion: 'eu-west-1',
  };
}

describe('deliveredObjects', () => {
  it('reads an S3 notification carried in an SQS message body, naming the carrier', () => {
    const event: SQSEvent = {
      Records: [sqsRecord('msg-1', { Records: [s3Record('inbound/abc123')] })],
    };
    expect(deliveredObjects(event)).toEqual([
      { bucket: 'inbound', key: 'inbound/abc123', carrier: 'msg-1' },
    ]);
  });

  it('decodes keys: + is a space and %2B is a plus', () => {
    const event: SQSEvent = {
      Records: [sqsRecord('msg-1', { Records: [s3Record('inbound/a+b%2Bc')] })],
    };
    expect(deliveredObjects(event)[0]?.key).toBe('inbound/a b+c');
  });

  it('decodes percent-encoded UTF-8 in keys', () => {
    const event: S3Event = { Records: [s3Record('inbound/caf%C3%A9%20%281%29')] };
    expect(deliveredObjects(event)[0]?.key).toBe('inbound/café (1)');
  });

  it('reads a direct S3 event, with no carrier', () => {
    const event: S3Event = { Records: [s3Record('inbound/x', 'ObjectCreated:Put', 'mail-bucket')] };
    expect(deliveredObjects(event)).toEqual([
      { bucket: 'mail-bucket', key: 'inbound/x', carrier: undefined },
    ]);
  });

  it('ignores the s3:TestEvent S3 sends when the notification is configured', () => {
    const event: SQSEvent = {
      Records: [
        sqsRecord('test', {
          Service: 'Amazon S3',
          Event: 's3:TestEvent',
          Time: '2026-01-30T09:00:00.000Z',
          Bucket: 'inbound',
        }),
      ],
    };
    expect(deliveredObjects(event)).toEqual([]);
  });

  it('ignores records that are not ObjectCreated', () => {
    const direct: S3Event = {
      Records: [s3Record('inbound/gone', 'ObjectRemoved:Delete'), s3Record('inbound/new')],
    };
    expect(deliveredObjects(direct).map((object) => object.key)).toEqual(['inbound/new']);
    const queued: SQSEvent = {
      Records: [sqsRecord('m', { Records: [s3Record('inbound/x', 'ObjectRestore:Completed')] })],
    };
    expect(deliveredObjects(queued)).toEqual([]);
  });

  it('accepts every ObjectCreated variant', () => {
    const event: S3Event = {
      Records: [
        s3Record('a', 'ObjectCreated:Put'),
        s3Record('b', 'ObjectCreated:CompleteMultipartUpload'),
        s3Record('c', 'ObjectCreated:Copy'),
      ],
    };
    expect(deliveredObjects(event).map((object) => object.key)).toEqual(['a', 'b', 'c']);
  });

  it('keeps each object with the SQS message that carried it, across a batch', () => {
    const event: SQSEvent = {
      Records: [
        sqsRecord('msg-1', { Records: [s3Record('inbound/one'), s3Record('inbound/two')] }),
        sqsRecord('msg-2', { Records: [s3Record('inbound/three')] }),
      ],
    };
    expect(deliveredObjects(event)).toEqual([
      { bucket: 'inbound', key: 'inbound/one', carrier: 'msg-1' },
      { bucket: 'inbound', key: 'inbound/two', carrier: 'msg-1' },
      { bucket: 'inbound', key: 'inbound/three', carrier: 'msg-2' },
    ]);
  });

  it('yields nothing for an SQS body with no Records', () => {
    expect(deliveredObjects({ Records: [sqsRecord('m', {})] })).toEqual([]);
  });
});
