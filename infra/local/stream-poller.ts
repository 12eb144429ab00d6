import { appendFileSync } from 'node:fs';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { log } from '../../shared/log.ts';
import { matchesAny } from './event-filter.ts';
import { readStateFile, writeStateFile } from './state-file.ts';
import { type StreamPosition, streamReader } from './stream-reader.ts';

export interface StreamConsumer {
  name: string;
  filters: ReadonlyArray<unknown>;
  batchSize: number;
  retryAttempts: number;
  /** Batches handled at once per shard; records of one partition key stay in order. */
  parallelization: number;
  invoke(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse | undefined>;
}

/** Records read but not yet handled, beyond which the poller stops reading for a while. */
const MAX_OUTSTANDING = 2000;

/**
 * The saved positions, one per shard. A file that cannot be read (a crash while it was
 * written by an older version, a hand edit) means starting from the oldest records:
 * replaying is safe, skipping is not.
 */
function loadCheckpoint(name: string, file: string | undefined): Map<string, StreamPosition> {
  if (!file) return new Map();
  try {
    const saved = readStateFile(file);
    if (saved === undefined) return new Map();
    if (!saved || typeof saved !== 'object' || Array.isArray(saved))
      throw new Error('not an object of shard positions');
    return new Map(
      Object.entries(saved).map(([shardId, value]): [string, StreamPosition] => {
        // Files written before positions carried the event id hold the sequence number alone.
        if (typeof value === 'string') return [shardId, { sequenceNumber: value }];
        if (value && typeof value.sequenceNumber === 'string') return [shardId, value];
        throw new Error(`shard ${shardId} has no sequence number`);
      }),
    );
  } catch (error) {
    log.warn(
      `${name}: the saved stream position is unreadable; reading the stream from its oldest records`,
      {
        file,
        error,
        safety: 'consumers are idempotent, so records already handled are skipped by them',
      },
    );
    return new Map();
  }
}

/** FNV-1a: the same partition key always lands in the same lane. */
function laneOf(key: string, lanes: number): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index += 1) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % lanes;
}

interface Entry {
  position: StreamPosition;
  done: boolean;
}

interface Pending {
  shardId: string;
  record: DynamoDBRecord;
  entry: Entry;
  attempts: number;
}

/**
 * Lambda's stream event source mapping, for one consumer: filter, batch, report partial
 * failures, bounded retries, then an on-failure destination (a JSON-lines file here).
 *
 * Like Lambda's ParallelizationFactor, up to `parallelization` batches of a shard run at
 * once, in lanes chosen by the record's partition key, so one request's events stay in
 * order while a flood of new requests cannot hold up another's mail. A shard's checkpoint
 * only moves past a record once it and every record before it are handled, so a restart
 * (or a kill) resumes at the oldest record not yet handled: some records may be handled
 * twice, none is skipped. The checkpoint file is replaced atomically.
 */
export function startStreamPoller(
  streamArn: string,
  consumer: StreamConsumer,
  options: { stateFile?: string; deadLetterFile?: string; intervalMs?: number } = {},
) {
  const checkpoint = loadCheckpoint(consumer.name, options.stateFile);
  const reader = streamReader(streamArn, checkpoint);
  const deadLetters: DynamoDBRecord[] = [];
  const ledgers = new Map<string, Entry[]>();
  const lanes = new Map<string, { queue: Pending[]; running?: Promise<void> }>();
  let outstanding = 0;
  let idleWaiters: Array<() => void> = [];
  let stopped = false;
  let dirty = false;

  const save = () => {
    if (!dirty || !options.stateFile) return;
    dirty = false;
    // Shards that expired are no longer listed; their positions are of no further use.
    const live = new Set(reader.shardIds());
    for (const shardId of checkpoint.keys()) if (!live.has(shardId)) checkpoint.delete(shardId);
    writeStateFile(options.stateFile, Object.fromEntries(checkpoint));
  };

  /** Marks a record handled and moves the shard's checkpoint over every handled record. */
  const finish = (shardId: string, entry: Entry) => {
    entry.done = true;
    outstanding -= 1;
    const ledger = ledgers.get(shardId) ?? [];
    let handled = 0;
    while (ledger[handled]?.done) handled += 1;
    const last = ledger[handled - 1];
    if (last) {
      checkpoint.set(shardId, last.position);
      ledger.splice(0, handled);
      dirty = true;
    }
  };

  const wakeIdle = () => {
    if (outstanding > 0 || [...lanes.values()].some((lane) => lane.running)) return;
    for (const resolve of idleWaiters) resolve();
    idleWaiters = [];
  };

  async function runLane(queue: Pending[]): Promise<void> {
    while (!stopped && queue.length > 0) {
      const batch = queue.slice(0, consumer.batchSize);
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
      for (const handled of queue.splice(0, done)) finish(handled.shardId, handled.entry);
      const failed = failedAt === -1 ? undefined : queue[0];
      if (failed) {
        failed.attempts += 1;
        if (failed.attempts > consumer.retryAttempts) {
          queue.shift();
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
          finish(failed.shardId, failed.entry);
        } else {
          // Lambda waits between retries; so does this lane (the others carry on).
          await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
        }
      }
      save();
    }
  }

  type Lane = { queue: Pending[]; running?: Promise<void> };
  function startLane(lane: Lane) {
    lane.running = runLane(lane.queue)
      .catch((error) => log.error(`${consumer.name} lane failed`, { error }))
      .finally(() => {
        lane.running = undefined;
        // A record may have arrived between the lane's last look and now.
        if (lane.queue.length > 0 && !stopped) startLane(lane);
        else wakeIdle();
      });
  }

  function dispatch(pending: Pending) {
    const key = String(pending.record.dynamodb?.Keys?.PK?.S ?? '');
    const laneId = `${pending.shardId}#${laneOf(key, Math.max(1, consumer.parallelization))}`;
    const lane: Lane = lanes.get(laneId) ?? { queue: [] };
    lanes.set(laneId, lane);
    lane.queue.push(pending);
    if (!lane.running && !stopped) startLane(lane);
  }

  /** Reads what arrived and hands it to the lanes; says how many records it read. */
  async function tick(): Promise<{ read: number; throttled: boolean }> {
    if (outstanding >= MAX_OUTSTANDING) return { read: 0, throttled: true };
    const arrived = await reader.read();
    for (const { shardId, record } of arrived) {
      const sequenceNumber = record.dynamodb?.SequenceNumber;
      if (!sequenceNumber) continue;
      const entry: Entry = { position: { sequenceNumber, eventID: record.eventID }, done: false };
      const ledger = ledgers.get(shardId) ?? [];
      ledgers.set(shardId, ledger);
      ledger.push(entry);
      outstanding += 1;
      if (matchesAny(consumer.filters, record)) dispatch({ shardId, record, entry, attempts: 0 });
      else finish(shardId, entry);
    }
    save();
    return { read: arrived.length, throttled: false };
  }

  const idle = () =>
    outstanding === 0 && ![...lanes.values()].some((lane) => lane.running)
      ? Promise.resolve()
      : new Promise<void>((resolve) => idleWaiters.push(resolve));

  let reading: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = reading.then(work, work);
    reading = next.catch(() => undefined);
    return next;
  };
  const timer = setInterval(() => {
    if (!stopped)
      serial(tick).catch((error) => log.error(`${consumer.name} poll failed`, { error }));
  }, options.intervalMs ?? 250);

  return {
    deadLetters,
    /** Records read and not yet handled. */
    backlog: () => outstanding,
    /** Delivers everything the stream holds now; says how many records it read. */
    async drain(): Promise<number> {
      let total = 0;
      for (let quiet = 0; quiet < 2; ) {
        const { read, throttled } = await serial(tick);
        total += read;
        await idle();
        quiet = read === 0 && !throttled ? quiet + 1 : 0;
      }
      return total;
    },
    /** Stops reading; batches running now finish, and the rest is read again next start. */
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      await reading;
      await Promise.all([...lanes.values()].map((lane) => lane.running));
      save();
      for (const resolve of idleWaiters) resolve();
      idleWaiters = [];
    },
  };
}

export type StreamPoller = ReturnType<typeof startStreamPoller>;
