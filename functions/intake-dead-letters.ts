import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as functions from '../infra/functions.ts';
import * as wiring from '../shared/aws/wiring.ts';
import { readConfig } from '../shared/config.ts';
import { holdUnfiled } from '../shared/intake/receive-mail.ts';
import { deliveredObjects } from '../shared/intake/s3-event.ts';
import { log } from '../shared/log.ts';

const { ports } = wiring.intakeDeadLetters(readConfig(functions.intakeDeadLetters.env));
const attempts = functions.intakeMail.trigger.maxReceiveCount;

/** intakeMail's dead-letter queue -> held mail ("could not be filed"), where staff see it. */
export const handler = middy<SQSEvent, SQSBatchResponse>().handler(async (event) => {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const object of deliveredObjects(event)) {
    try {
      await holdUnfiled(object, ports, attempts);
    } catch (error) {
      log.error('could not hold dead-lettered mail; the delivery stays in the queue', {
        objectKey: object.key,
        error,
      });
      if (!object.carrier) throw error;
      batchItemFailures.push({ itemIdentifier: object.carrier });
    }
  }
  return { batchItemFailures };
});
