import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as functions from '../infra/functions.ts';
import * as wiring from '../shared/aws/wiring.ts';
import { readConfig } from '../shared/config.ts';
import { log, logsFailure } from '../shared/log.ts';
import { disposeClosedRequests } from '../shared/retention/disposal.ts';

const { ports, rules } = wiring.disposeRequests(readConfig(functions.disposeRequests.env));

/** Leave this long before the timeout: a disposal in progress finishes, the rest wait a day. */
const MARGIN_MS = 60_000;

/**
 * EventBridge schedule -> closed requests past their retention period disposed of, each
 * leaving a disposal record (shared/retention/disposal.ts).
 */
export const handler = middy<unknown, unknown, Error, Context>()
  .use(logsFailure('disposal'))
  .handler(async (_event, context) => {
    const report = await disposeClosedRequests(
      ports,
      rules,
      new Date(),
      Date.now() + context.getRemainingTimeInMillis() - MARGIN_MS,
    );
    log.info('disposal done', { ...report });
    return report;
  });
