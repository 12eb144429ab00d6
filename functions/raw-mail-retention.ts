import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { functions } from '../infra/functions.ts';
import { retentionPorts } from '../shared/aws/retention-ports.ts';
import { eachAuditEvent } from '../shared/aws/stream.ts';
import { readConfig } from '../shared/config.ts';
import { log } from '../shared/log.ts';
import { applyRetention } from '../shared/retention/raw-mail.ts';

const config = readConfig(functions.rawMailRetention.env);
const ports = retentionPorts(config.TABLE_NAME);

/** Requests closing or reopening, from the table stream -> their raw mail marked for expiry. */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>().handler((event) =>
  eachAuditEvent(event, 'raw mail retention', async (change) => {
    const outcome = await applyRetention(change, ports);
    if (outcome) log.info('raw mail retention', { requestId: change.requestId, ...outcome });
  }),
);
