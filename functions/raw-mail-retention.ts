import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { functions } from '../infra/functions.ts';
import { retentionPorts } from '../shared/aws/retention-ports.ts';
import { inStreamOrder, retentionChangesIn } from '../shared/aws/stream.ts';
import { readConfig } from '../shared/config.ts';
import { log } from '../shared/log.ts';
import { applyDiscardRetention, applyRetention } from '../shared/retention/raw-mail.ts';

const config = readConfig(functions.rawMailRetention.env);
const ports = retentionPorts(config.TABLE_NAME);

/**
 * Requests closing or reopening, and held mail discarded, from the table stream -> their
 * raw mail marked for the inbound bucket's lifecycle rule to expire (or unmarked).
 */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>().handler((event) =>
  inStreamOrder(
    retentionChangesIn(event),
    'raw mail retention',
    async (change) => {
      if ('discarded' in change) {
        const outcome = await applyDiscardRetention(change.discarded.raw, ports);
        log.info('raw mail retention', { heldId: change.discarded.heldId, ...outcome });
        return;
      }
      const outcome = await applyRetention(change.event, ports);
      if (outcome)
        log.info('raw mail retention', { requestId: change.event.requestId, ...outcome });
    },
    (change) =>
      'discarded' in change
        ? { heldId: change.discarded.heldId }
        : { requestId: change.event.requestId, seq: change.event.seq },
  ),
);
