import middy from '@middy/core';
import type { S3Event, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { functions } from '../infra/functions.ts';
import { intakePorts } from '../shared/aws/intake-ports.ts';
import { readConfig } from '../shared/config.ts';
import { receiveMail } from '../shared/intake/receive-mail.ts';
import { deliveredObjects } from '../shared/intake/s3-event.ts';
import { log } from '../shared/log.ts';
import { loadHolidayCalendar } from '../shared/workflow/deadlines.ts';

const config = readConfig(functions.intakeMail.env);
const ports = intakePorts(config.TABLE_NAME, config.DOCUMENTS_BUCKET, config.OFFICE_TIMEZONE);
const rules = {
  calendar: loadHolidayCalendar(config.BANK_HOLIDAYS_FILE),
  timeZone: config.OFFICE_TIMEZONE,
  replyWorkingDays: config.REPLY_WORKING_DAYS,
  limits: {
    maxBytes: config.MAX_MESSAGE_BYTES,
    maxParts: config.MAX_MIME_PARTS,
    maxDepth: config.MAX_MIME_DEPTH,
  },
};

if (new Date().getFullYear() > rules.calendar.lastYear) {
  log.warn('the bank-holiday calendar has no dates for this year; deadlines count weekends only', {
    lastYear: rules.calendar.lastYear,
    fix: 'add this year to shared/workflow/bank-holidays.scotland.json or set BANK_HOLIDAYS_FILE',
  });
}

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
