import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import * as functions from '../infra/functions.ts';
import { eachAuditEvent } from '../shared/aws/stream.ts';
import * as wiring from '../shared/aws/wiring.ts';
import { readConfig } from '../shared/config.ts';
import { notifyForEvent } from '../shared/notify/send-notifications.ts';

const { ports, rules } = wiring.notify(readConfig(functions.notify.env));

/** Audit-event inserts from the table stream -> the mail each one calls for. */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>().handler((event) =>
  eachAuditEvent(event, 'notification', (auditEvent) => notifyForEvent(auditEvent, ports, rules)),
);
