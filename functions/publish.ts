import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import * as functions from '../infra/functions.ts';
import { eachAuditEvent } from '../shared/aws/stream.ts';
import * as wiring from '../shared/aws/wiring.ts';
import { readConfig } from '../shared/config.ts';
import { log } from '../shared/log.ts';
import { publish, takeDown } from '../shared/publication/publish.ts';
import { refreshReturnOf } from '../shared/publication/return-site.ts';

const wired = wiring.publish(readConfig(functions.publish.env));
const { ports, site, rules, returnSite, returnRules } = wired;

/**
 * Approvals and takedowns from the table stream -> the public site, unaided, and the
 * quarter's return rewritten when it is already out.
 */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>().handler((event) =>
  eachAuditEvent(event, 'publication', async (approval) => {
    const now = new Date();
    const outcome =
      approval.action === 'takedown'
        ? await takeDown(approval.requestId, ports, site, now)
        : await publish(approval.requestId, ports, site, rules, now);
    // The meeting's quarter's return, if already out, shows the change too.
    const request = await ports.getRequest(approval.requestId);
    const returnRewritten = await refreshReturnOf(request, returnSite, site, returnRules, now);
    log.info('publication', { requestId: approval.requestId, ...outcome, returnRewritten });
  }),
);
