import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import * as functions from '../infra/functions.ts';
import { readPdf } from '../shared/attachments/pdf-text.ts';
import { findPeople } from '../shared/attachments/people.ts';
import { readFiledMessage } from '../shared/attachments/text-layer.ts';
import { filedMessagesIn, inStreamOrder } from '../shared/aws/stream.ts';
import * as wiring from '../shared/aws/wiring.ts';
import { readConfig } from '../shared/config.ts';
import { log } from '../shared/log.ts';

const { ports, recordTextRead } = wiring.extractText(readConfig(functions.extractText.env));

/**
 * Received messages filed, from the table stream -> each attachment's text layer, and the
 * people the message names; then an item on the request saying so, which the catalogue
 * follows to index that text for search.
 */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>().handler((event) =>
  inStreamOrder(
    filedMessagesIn(event),
    'text extraction',
    async ({ message }) => {
      const { documents } = message;
      if (!documents) return;
      const outcome = await readFiledMessage(
        { ...message, documents },
        { ...ports, readPdf, findPeople, recordTextRead },
        new Date(),
      );
      log.info('text extraction', {
        requestId: message.requestId,
        message: message.key,
        ...outcome,
      });
    },
    ({ message }) => ({ requestId: message.requestId, message: message.key }),
  ),
);
