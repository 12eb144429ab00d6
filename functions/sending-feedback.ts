import middy from '@middy/core';
import type { SNSEvent } from 'aws-lambda';
import * as functions from '../infra/functions.ts';
import * as wiring from '../shared/aws/wiring.ts';
import { readConfig } from '../shared/config.ts';
import { log, logsFailure } from '../shared/log.ts';
import { readFeedback } from '../shared/sending/feedback.ts';

const { ports } = wiring.sendingFeedback(readConfig(functions.sendingFeedback.env));

/**
 * SES bounce and complaint events, by way of SNS -> addresses never mailed again.
 * A store failure throws, so Lambda retries the delivery and then dead-letters it;
 * an event that is not feedback is logged and left, since no retry could change it.
 */
export const handler = middy<SNSEvent, void>()
  .use(logsFailure('handling sending feedback'))
  .handler(async (event) => {
    for (const record of event.Records) {
      const verdict = readFeedback(record.Sns.Message);
      if (verdict.kind === 'ignore') {
        log.info('sending feedback needs no action', {
          snsMessageId: record.Sns.MessageId,
          why: verdict.why,
        });
        continue;
      }
      for (const suppression of verdict.suppressions) {
        const outcome = await ports.suppress(suppression);
        log.warn('address suppressed: no further mail will go to it', {
          snsMessageId: record.Sns.MessageId,
          address: suppression.address,
          reason: suppression.reason,
          detail: suppression.detail,
          outcome,
        });
      }
    }
  });
