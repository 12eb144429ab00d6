import middy from '@middy/core';
import type { S3Event, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as functions from '../infra/functions.ts';
import * as wiring from '../shared/aws/wiring.ts';
import { readConfig } from '../shared/config.ts';
import { receiveMail } from '../shared/intake/receive-mail.ts';
import { deliveredObjects } from '../shared/intake/s3-event.ts';
import { log } from '../shared/log.ts';

const { ports, rules } = wiring.intakeMail(readConfig(functions.intakeMail.env));

/** S3 ObjectCreated (via SQS) -> one filing per raw message; failures retry per message. */
export const handler = middy<SQSEvent | S3Event, SQSBatchResponse>().handler(async (event) => {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const object of deliveredObjects(event)) {
    try {
      await receiveMail(object, ports, rules);
    } catch (error) {
      // Only transient faults reach here (bad mail is held, not thrown); the raw object
      // stays in the inbound bucket and the delivery is retried, then dead-lettered.
      log.error('intake failed; delivery will be retried', {
        bucket: object.bucket,
        objectKey: object.key,
        error,
      });
      if (!object.carrier) throw error;
      batchItemFailures.push({ itemIdentifier: object.carrier });
    }
  }
  return { batchItemFailures };
});
