import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import * as functions from '../infra/functions.ts';
import { requestsChangedIn } from '../shared/aws/stream.ts';
import * as wiring from '../shared/aws/wiring.ts';
import { catalogueRequests } from '../shared/catalogue/catalogue.ts';
import { readConfig } from '../shared/config.ts';
import { log } from '../shared/log.ts';

const { ports } = wiring.catalogue(readConfig(functions.catalogue.env));

/**
 * Audit events and disposals from the table stream -> the catalogue's entries for the
 * requests they touch, all in one read and write of the catalogue. A failure fails the
 * whole batch from its first record: entries are made again from the table, so the
 * retry writes what this would have.
 */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>().handler(
  async (event) => {
    const changes = requestsChangedIn(event);
    try {
      const outcome = await catalogueRequests(
        changes.map((change) => change.requestId),
        ports,
        new Date(),
      );
      log.info('catalogue', { requests: changes.length, ...outcome });
      return { batchItemFailures: [] };
    } catch (error) {
      log.error('the catalogue update failed; the stream will retry the batch', { error });
      const first = changes[0];
      return { batchItemFailures: first ? [{ itemIdentifier: first.sequenceNumber }] : [] };
    }
  },
);
