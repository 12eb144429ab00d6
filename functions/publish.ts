import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import * as functions from '../infra/functions.ts';
import { eachAuditEvent } from '../shared/aws/stream.ts';
import * as wiring from '../shared/aws/wiring.ts';
import { readConfig } from '../shared/config.ts';
import { log } from '../shared/log.ts';
import { publish, takeDown } from '../shared/publication/publish.ts';

const { ports, site, rules } = wiring.publish(readConfig(functions.publish.env));

/** Approvals and takedowns from the table stream -> the public site, unaided. */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>().handler((event) =>
  eachAuditEvent(event, 'publication', async (approval) => {
    const now = new Date();
    const outcome =
      approval.action === 'takedown'
        ? await takeDown(approval.requestId, ports, site, now)
        : await publish(approval.requestId, ports, site, rules, now);
    log.info('publication', { requestId: approval.requestId, ...outcome });
  }),
);
