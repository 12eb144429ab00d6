import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { functions } from '../infra/functions.ts';
import { writeObject } from '../shared/aws/documents.ts';
import { sendRawMail } from '../shared/aws/mailer.ts';
import { notificationStore } from '../shared/aws/notification-store.ts';
import { auditEventsIn } from '../shared/aws/stream.ts';
import { readConfig } from '../shared/config.ts';
import { log } from '../shared/log.ts';
import { notifyForEvent } from '../shared/notify/send-notifications.ts';

const config = readConfig(functions.notify.env);
const ports = {
  ...notificationStore(config.TABLE_NAME),
  sendRawMail,
  async keepCopy(key: string, raw: string) {
    const copy = { bucket: config.DOCUMENTS_BUCKET, key };
    await writeObject(copy, raw, 'message/rfc822');
    return copy;
  },
};
const rules = {
  officeName: config.OFFICE_NAME,
  officeAddress: config.OFFICE_ADDRESS,
  staffAlertAddress: config.STAFF_ALERT_ADDRESS,
  approverAddresses: config.APPROVER_ADDRESSES,
  acknowledgementsPerHour: config.ACK_LIMIT_PER_HOUR,
  now: () => new Date(),
};

/** Audit-event inserts from the table stream -> the mail each one calls for. */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>().handler(
  async (event) => {
    for (const { sequenceNumber, event: auditEvent } of auditEventsIn(event)) {
      try {
        await notifyForEvent(auditEvent, ports, rules);
      } catch (error) {
        log.error('notification failed; the stream will retry from this record', {
          requestId: auditEvent.requestId,
          seq: auditEvent.seq,
          error,
        });
        // Stream batches are ordered: report the first failure and let the rest retry.
        return { batchItemFailures: [{ itemIdentifier: sequenceNumber }] };
      }
    }
    return { batchItemFailures: [] };
  },
);
