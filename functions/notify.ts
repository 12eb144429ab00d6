import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { functions } from '../infra/functions.ts';
import { writeObject } from '../shared/aws/documents.ts';
import { mailer } from '../shared/aws/mailer.ts';
import { notificationStore } from '../shared/aws/notification-store.ts';
import { eachAuditEvent } from '../shared/aws/stream.ts';
import { suppressionList } from '../shared/aws/suppression-list.ts';
import { readConfig } from '../shared/config.ts';
import { notifyForEvent } from '../shared/notify/send-notifications.ts';

const config = readConfig(functions.notify.env);
const ports = {
  ...notificationStore(config.TABLE_NAME, config.OFFICE_TIMEZONE),
  suppressionOf: suppressionList(config.TABLE_NAME).suppressionOf,
  sendRawMail: mailer(config.SES_CONFIGURATION_SET).sendRawMail,
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
  timeZone: config.OFFICE_TIMEZONE,
  acknowledgementsPerHour: config.ACK_LIMIT_PER_HOUR,
  now: () => new Date(),
};

/** Audit-event inserts from the table stream -> the mail each one calls for. */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>().handler((event) =>
  eachAuditEvent(event, 'notification', (auditEvent) => notifyForEvent(auditEvent, ports, rules)),
);
