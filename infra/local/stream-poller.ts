import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { streamReader } from '../../shared/aws/stream-reader.ts';
import { log } from '../../shared/log.ts';
import { matchesAny } from './event-filter.ts';

export interface StreamConsumer {
  name: string;
  filters: ReadonlyArray<unknown>;
  batchSize: number;
  retryAttempts: number;
  invoke(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse | undefined>;
}

/**
 * Lambda's stream event source mapping, for one consumer: filter, batch, report partial
 * failures, bounded retries, then an on-failure destination (a JSON-lines file here).
 * Checkpoints persist so a restarted `npm run dev` neither replays nor skips events.
 */
export function startStreamPoller(
  streamArn: string,
  consumer: StreamConsumer,
  options: { stateFile?: string; deadLetterFile?: string; intervalMs?: number } = {},
) {
  const saved: Record<string, string> =
    options.stateFile && existsSync(options.stateFile)
      ? JSON.parse(readFileSync(options.stateFile, 'utf8'))
      : {};
  const checkpoint = new Map(Object.entries(saved));
  const reader = streamReader(streamArn, checkpoint);
  const pending: Array<{ shardId: string; record: DynamoDBRecord; attempts: number }> = [];
  const deadLetters: DynamoDBRecord[] = [];

  const advance = (shardId: string, record: DynamoDBRecord) => {
    const sequence = record.dynamodb?.SequenceNumber;
    if (!sequence) return;
    checkpoint.set(shardId, sequence);
    if (options.stateFile)
      writeFileSync(options.stateFile, JSON.stringify(Object.fromEntries(checkpoint)));
  };

  async function deliver(): Promise<void> {
    while (pending.length > 0) {
      const batch = pending.slice(0, consumer.batchSize);
      let failedAt = -1;
      try {
        const response = await consumer.invoke({ Records: batch.map((entry) => entry.record) });
        const failed = response?.batchItemFailures?.[0]?.itemIdentifier;
        failedAt = failed
          ? batch.findIndex((entry) => entry.record.dynamodb?.SequenceNumber === failed)
          : -1;
        if (failed && failedAt === -1) failedAt = 0;
      } catch (error) {
        log.error(`${consumer.name} threw; the whole batch will be retried`, { error });
        failedAt = 0;
      }
      const done = failedAt === -1 ? batch.length : failedAt;
      for (const entry of pending.splice(0, done)) advance(entry.shardId, entry.record);
      if (failedAt === -1) continue;
      const failed = pending[0];
      if (!failed) continue;
      failed.attempts += 1;
      if (failed.attempts > consumer.retryAttempts) {
        pending.shift();
        deadLetters.push(failed.record);
        if (options.deadLetterFile)
          appendFileSync(options.deadLetterFile, `${JSON.stringify(failed.record)}\n`);
        log.error(
          `${consumer.name} gave up on a stream record after ${consumer.retryAttempts} retries`,
          {
            sequenceNumber: failed.record.dynamodb?.SequenceNumber,
            deadLetterFile: options.deadLetterFile ?? '(memory)',
          },
        );
        advance(failed.shardId, failed.record);
      }
      return; // try again on the next tick, as Lambda waits between retries
    }
  }

  async function tick(): Promise<number> {
    const arrived = await reader.read();
    for (const { shardId, record } of arrived) {
      if (matchesAny(consumer.filters, record)) pending.push({ shardId, record, attempts: 0 });
      else if (pending.length === 0) advance(shardId, record);
    }
    await deliver();
    return arrived.length;
  }

  let running: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = running.then(work, work);
    running = next.catch(() => undefined);
    return next;
  };
  let stopped = false;
  const timer = setInterval(() => {
    if (!stopped)
      serial(tick).catch((error) => log.error(`${consumer.name} poll failed`, { error }));
  }, options.intervalMs ?? 250);

  return {
    deadLetters,
    /** Delivers everything the stream holds now; says how many records it read. */
    async drain(): Promise<number> {
      let total = 0;
      for (let quiet = 0; quiet < 2; ) {
        const arrived = await serial(tick);
        total += arrived;
        quiet = arrived === 0 && pending.length === 0 ? quiet + 1 : 0;
      }
      return total;
    },
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

export type StreamPoller = ReturnType<typeof startStreamPoller>;
