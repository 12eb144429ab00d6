import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableStreamArn } from '../../infra/local/provision.ts';
import { type StreamPoller, startStreamPoller } from '../../infra/local/stream-poller.ts';
import { documentClient, env } from '../support/postroom.ts';

/**
 * The local stream poller against DynamoDB Local's real stream: it resumes where it left
 * off, never skips a record after a crash or a damaged checkpoint, and runs different
 * partition keys side by side while keeping each one's records in order.
 */
let streamArn: string;
let stateDir: string;
const pollers: StreamPoller[] = [];

beforeAll(async () => {
  streamArn = await tableStreamArn(env().table);
  stateDir = mkdtempSync(join(tmpdir(), 'postroom-poller-'));
});
afterAll(async () => {
  await Promise.all(pollers.map((poller) => poller.stop()));
  rmSync(stateDir, { recursive: true, force: true });
});

async function write(prefix: string, from: number, to: number, partitions = 1): Promise<void> {
  for (let n = from; n <= to; n += 1) {
    await documentClient.send(
      new PutCommand({
        TableName: env().table,
        Item: { PK: `${prefix}#${n % partitions}`, SK: `N#${String(n).padStart(4, '0')}`, n },
      }),
    );
  }
}

/** A consumer that notes the records of one test (by key prefix), in the order handled. */
function consumer(
  prefix: string,
  options: {
    parallelization?: number;
    batchSize?: number;
    handle?: (n: number) => Promise<void>;
  } = {},
) {
  const seen: Array<{ pk: string; n: number }> = [];
  return {
    seen,
    numbers: () => seen.map((entry) => entry.n),
    definition: {
      name: `test-${prefix}`,
      filters: [],
      batchSize: options.batchSize ?? 1,
      retryAttempts: 2,
      parallelization: options.parallelization ?? 1,
      async invoke(event: DynamoDBStreamEvent) {
        for (const record of event.Records) {
          const pk = record.dynamodb?.NewImage?.PK?.S ?? '';
          if (!pk.startsWith(`${prefix}#`)) continue;
          const n = Number(record.dynamodb?.NewImage?.n?.N);
          await options.handle?.(n);
          seen.push({ pk, n });
        }
        return { batchItemFailures: [] };
      },
    },
  };
}

function start(
  definition: ReturnType<typeof consumer>['definition'],
  stateFile: string,
): StreamPoller {
  const poller = startStreamPoller(streamArn, definition, { stateFile, intervalMs: 50 });
  pollers.push(poller);
  return poller;
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, index) => from + index);

describe('the local stream poller', () => {
  it('resumes after its saved position: a restart neither skips nor repeats a record', async () => {
    const stateFile = join(stateDir, 'resume.json');
    await write('RESUME', 1, 5);
    const first = consumer('RESUME');
    const poller = start(first.definition, stateFile);
    await poller.drain();
    await poller.stop();
    expect(first.numbers()).toEqual(range(1, 5));
    const saved = JSON.parse(readFileSync(stateFile, 'utf8'));
    expect(Object.values(saved)).toEqual([
      { sequenceNumber: expect.any(String), eventID: expect.any(String) },
    ]);
    // Replaced by a rename, so no half-written file is ever left behind.
    expect(readdirSync(stateDir).filter((file) => file.includes('.tmp'))).toEqual([]);

    await write('RESUME', 6, 8);
    const second = consumer('RESUME');
    await start(second.definition, stateFile).drain();
    expect(second.numbers()).toEqual(range(6, 8));
  });

  it('after a crash mid-stream starts again at the oldest record not handled, skipping none', async () => {
    const stateFile = join(stateDir, 'crash.json');
    await write('CRASH', 1, 10);
    let release: () => void = () => undefined;
    const stuck = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The first poller handles four records, then hangs on the fifth, as if killed there.
    const dying = consumer('CRASH', { handle: async (n) => (n === 5 ? stuck : undefined) });
    const first = start(dying.definition, stateFile);
    await expect
      .poll(() => dying.numbers().length, { timeout: 10_000, interval: 50 })
      .toBeGreaterThanOrEqual(4);
    const restarted = consumer('CRASH');
    await start(restarted.definition, stateFile).drain();
    expect(restarted.numbers()).toEqual(range(5, 10));
    release();
    await first.stop();
  });

  it('reads from the oldest record when the saved position is empty, damaged or names another record', async () => {
    await write('DAMAGED', 1, 3);
    const shardIds = Object.keys(JSON.parse(readFileSync(join(stateDir, 'resume.json'), 'utf8')));
    const shardId = shardIds[0] ?? '';
    for (const content of [
      '',
      '{"shardId-',
      '[]',
      JSON.stringify({ [shardId]: { sequenceNumber: '9'.repeat(21), eventID: 'gone' } }),
      JSON.stringify({ [shardId]: { sequenceNumber: `${'0'.repeat(20)}1`, eventID: 'another' } }),
    ]) {
      const stateFile = join(stateDir, 'damaged.json');
      writeFileSync(stateFile, content);
      const reader = consumer('DAMAGED');
      const poller = start(reader.definition, stateFile);
      await poller.drain();
      await poller.stop();
      expect(reader.numbers(), `state file ${JSON.stringify(content)}`).toEqual(range(1, 3));
    }
  });

  it('handles different partition keys side by side, each one in order', async () => {
    await write('LANES', 1, 48, 8);
    let running = 0;
    let most = 0;
    const lanes = consumer('LANES', {
      parallelization: 4,
      batchSize: 2,
      handle: async () => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 15));
        running -= 1;
      },
    });
    await start(lanes.definition, join(stateDir, 'lanes.json')).drain();
    expect(lanes.seen).toHaveLength(48);
    const byKey = new Map<string, number[]>();
    for (const { pk, n } of lanes.seen) byKey.set(pk, [...(byKey.get(pk) ?? []), n]);
    for (const numbers of byKey.values())
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(4);
  });
});
