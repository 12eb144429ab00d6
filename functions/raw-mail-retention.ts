import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import * as functions from '../infra/functions.ts';
import { inStreamOrder, retentionChangesIn } from '../shared/aws/stream.ts';
import * as wiring from '../shared/aws/wiring.ts';
import { readConfig } from '../shared/config.ts';
import { log } from '../shared/log.ts';
import { applyRetentionChange, retentionSubject } from '../shared/retention/raw-mail.ts';

const { ports } = wiring.rawMailRetention(readConfig(functions.rawMailRetention.env));

/**
 * Requests closing or reopening, and held mail discarded, from the table stream -> their
 * raw mail marked for the inbound bucket's lifecycle rule to expire (or unmarked).
 */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>().handler((event) =>
  inStreamOrder(
    retentionChangesIn(event),
    'raw mail retention',
    async (change) => {
      const outcome = await applyRetentionChange(change, ports);
      if (outcome) log.info('raw mail retention', { ...retentionSubject(change), ...outcome });
    },
    retentionSubject,
  ),
);
