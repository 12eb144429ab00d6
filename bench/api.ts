/**
 * npm run bench:api [-- --quick] — seeds 10,000 requests (1,000 with --quick), then times
 * the staff API handler, at 1 and at 8 clients at once, for a list by stage, a list with
 * q=, the overdue list across the open stages and a request's detail, and for one action;
 * each against a floor measured in the same run, in interleaved rounds: the raw DynamoDB
 * calls the route cannot do without (the same index pages and filters, the same item and
 * partition, the same two-item transaction). Targets: at most 2x the floor at p50 and 3x
 * at p99. Not yet covered: the note (GET, PUT) and the publication preview.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  BatchWriteCommand,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import {
  emulatorEnvironment,
  provision,
  resourceNames,
  startEmulators,
} from '../infra/local/cloud.ts';
import { lambdaContext } from '../infra/local/lambda-context.ts';
import { freePort } from '../infra/local/processes.ts';
import { GENESIS_HASH, sealEvent } from '../shared/workflow/audit.ts';
import type { RequestRecord } from '../shared/workflow/records.ts';
import { benchOptions, type Figure, figure, reportFigures } from './lib/figures.ts';

const options = benchOptions();
const SEED = options.quick ? 1_000 : 10_000;
const RUNS = options.quick ? 30 : 200;
const figures: Figure[] = [];
const stageMix = [
  'received',
  'accepted',
  'scheduled',
  'held',
  'drafting',
  'in_review',
  'published',
  'declined',
] as const;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

const dataDir = mkdtempSync(join(tmpdir(), 'postroom-bench-api-'));
const ports = { dynamodb: await freePort(), s3: await freePort(), ses: await freePort() };
console.log('starting the emulators…');
const emulators = await startEmulators(ports, { dataDir, persist: false });
try {
  const names = resourceNames('benchapi');
  Object.assign(process.env, emulatorEnvironment(ports), names, {
    OFFICE_ADDRESS: 'commissioner@office.example',
    STAFF_ALERT_ADDRESS: 'staff@office.example',
    SITE_BASE_URL: 'http://127.0.0.1:3001/',
    LOG_LEVEL: 'warn',
  });
  await provision(names);
  const { dynamo } = await import('../shared/aws/clients.ts');
  const { keys, stageIndex } = await import('../shared/aws/keys.ts');
  const { dueDate } = await import('../shared/workflow/act.ts');
  const { handler } = await import('../functions/staff-api.ts');

  console.log(`seeding ${SEED} requests…`);
  const seeded: RequestRecord[] = [];
  for (let n = 1; n <= SEED; n += 1) {
    const day = String(1 + (n % 28)).padStart(2, '0');
    // The shape intake gives ids (20 lower-case hex), which the API checks.
    const id = `be${String(n).padStart(18, '0')}`;
    const event = sealEvent(
      {
        requestId: id,
        seq: 1,
        action: 'receive',
        actor: 'system:intake',
        at: `2026-11-${day}T09:00:00.000Z`,
        from: null,
        to: 'received',
        details: {},
      },
      GENESIS_HASH,
    );
    seeded.push({
      id,
      reference: `REQ-2026-${String(n).padStart(5, '0')}`,
      stage: stageMix[n % stageMix.length] ?? 'received',
      version: 1,
      eventSeq: 1,
      lastHash: event.hash,
      subject: `Request for a meeting ${n}`,
      sender: { address: `writer${n}@org${n % 300}.example`, name: `Writer ${n}` },
      organisation: `Organisation ${n % 300}`,
      receivedAt: event.at,
      replyBy: `2026-12-${day}`,
      flags: [],
      messageCount: 1,
      lastMessageAt: event.at,
    });
  }
  const items = seeded.map((request) => ({
    ...keys.request(request.id),
    type: 'request',
    ...request,
    ...stageIndex.request(request.stage, dueDate(request, 'Europe/London'), request.id),
    searchText: `${request.reference} ${request.organisation} ${request.subject}`.toLowerCase(),
  }));
  const batches: Array<typeof items> = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  for (let i = 0; i < batches.length; i += 8) {
    await Promise.all(
      batches.slice(i, i + 8).map(async (batch) => {
        let pending: Record<string, unknown>[] = batch.map((Item) => ({ PutRequest: { Item } }));
        while (pending.length) {
          const result = await dynamo.send(
            new BatchWriteCommand({ RequestItems: { [names.TABLE_NAME]: pending as never } }),
          );
          pending = (result.UnprocessedItems?.[names.TABLE_NAME] ?? []) as Record<
            string,
            unknown
          >[];
        }
      }),
    );
  }

  const claims = {
    sub: 'bench',
    email: 'cara.caseworker@office.example',
    name: 'Cara',
    'cognito:groups': '[caseworker]',
  };
  // A fresh context per call, as Lambda gives each invocation: its clock starts then.
  /** As API Gateway calls the handler: the route as declared, its {id} filled in. */
  const call = async (
    method: string,
    route: string,
    query?: Record<string, string>,
    body?: unknown,
    id?: string,
  ) => {
    const path = id ? route.replace('{id}', id) : route;
    return (await handler(
      {
        version: '2.0',
        routeKey: `${method} ${route}`,
        rawPath: path,
        pathParameters: id ? { id } : undefined,
        rawQueryString: '',
        headers: { 'content-type': 'application/json' },
        queryStringParameters: query,
        body: body === undefined ? undefined : JSON.stringify(body),
        isBase64Encoded: false,
        requestContext: {
          http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
          authorizer: { jwt: { claims, scopes: [] }, principalId: '', integrationLatency: 0 },
        },
      } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer,
      lambdaContext('staff-api', 15),
    )) as APIGatewayProxyStructuredResultV2;
  };

  const time = async (work: () => Promise<unknown>) => {
    const start = performance.now();
    await work();
    return performance.now() - start;
  };

  const row = (label: string, handlerMs: number[], floorMs: number[]) => {
    const [p50, p99, f50, f99] = [
      percentile(handlerMs, 50),
      percentile(handlerMs, 99),
      percentile(floorMs, 50),
      percentile(floorMs, 99),
    ];
    console.log(
      `${label.padEnd(22)} p50 ${p50.toFixed(1).padStart(6)} ms (floor ${f50.toFixed(1).padStart(5)} ms, ${(p50 / f50).toFixed(2)}x)   p99 ${p99.toFixed(1).padStart(6)} ms (floor ${f99.toFixed(1).padStart(5)} ms, ${(p99 / f99).toFixed(2)}x)`,
    );
    figures.push(
      figure('api', `${label}: p50 / floor`, p50 / f50, '×', { max: 2 }),
      figure('api', `${label}: p99 / floor`, p99 / f99, '×', { max: 3 }),
    );
  };

  /** What the list query does at the index, raw: the same pages, filters and bounds. */
  const rawList = async (filter: {
    stages: readonly string[];
    text?: string;
    dueBefore?: string;
  }) => {
    let found = 0;
    let stage = 0;
    let key: Record<string, unknown> | undefined;
    for (let reads = 0; stage < filter.stages.length && found < 50 && reads < 10; reads += 1) {
      const page = await dynamo.send(
        new QueryCommand({
          TableName: names.TABLE_NAME,
          IndexName: 'GSI1',
          KeyConditionExpression: `GSI1PK = :stage${filter.dueBefore ? ' AND GSI1SK < :due' : ''}`,
          ExpressionAttributeValues: {
            ':stage': `STAGE#${filter.stages[stage]}`,
            ...(filter.dueBefore ? { ':due': filter.dueBefore } : {}),
            ...(filter.text ? { ':text': filter.text } : {}),
          },
          ...(filter.text ? { FilterExpression: 'contains(searchText, :text)' } : {}),
          Limit: 50 - found,
          ExclusiveStartKey: key,
        }),
      );
      found += page.Items?.length ?? 0;
      key = page.LastEvaluatedKey;
      if (!key) stage += 1;
    }
  };
  const ok = async (response: Promise<APIGatewayProxyStructuredResultV2>, what: string) => {
    const answered = await response;
    if (answered.statusCode !== 200) throw new Error(`${what} failed: ${answered.body}`);
  };
  const today = new Date().toISOString().slice(0, 10);
  const open = ['received', 'accepted', 'scheduled', 'held', 'drafting', 'in_review'];
  let next = 0;
  const someRequest = () => seeded[(next++ * 7919) % seeded.length] as RequestRecord;
  /** Each read: the handler's route, and the raw calls it cannot do without. */
  const reads: Array<{
    label: string;
    handler: () => Promise<unknown>;
    floor: () => Promise<unknown>;
  }> = [
    {
      label: 'list by stage',
      handler: () => ok(call('GET', '/api/requests', { stage: 'received', limit: '50' }), 'list'),
      floor: () => rawList({ stages: ['received'] }),
    },
    {
      label: 'list with q=',
      handler: () =>
        ok(
          call('GET', '/api/requests', { stage: 'received', q: 'organisation 17', limit: '50' }),
          'q',
        ),
      floor: () => rawList({ stages: ['received'], text: 'organisation 17' }),
    },
    {
      label: 'list overdue',
      handler: () => ok(call('GET', '/api/requests', { overdue: 'true', limit: '50' }), 'overdue'),
      floor: () => rawList({ stages: open, dueBefore: today }),
    },
    {
      label: 'request detail',
      handler: () =>
        ok(call('GET', '/api/requests/{id}', undefined, undefined, someRequest().id), 'detail'),
      floor: () => {
        const { id } = someRequest();
        return Promise.all([
          dynamo.send(new GetCommand({ TableName: names.TABLE_NAME, Key: keys.request(id) })),
          dynamo.send(
            new QueryCommand({
              TableName: names.TABLE_NAME,
              KeyConditionExpression: 'PK = :pk',
              ExpressionAttributeValues: { ':pk': keys.request(id).PK },
            }),
          ),
        ]);
      },
    },
  ];

  /** `total` calls of `work`, by `clients` callers at once; each call's time. */
  const timed = async (work: () => Promise<unknown>, total: number, clients: number) => {
    const times: number[] = [];
    let left = total;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (left > 0) {
          left -= 1;
          times.push(await time(work));
        }
      }),
    );
    return times;
  };
  for (const read of reads) {
    // Warm both paths first so neither figure carries JIT or connection set-up.
    await timed(read.handler, 20, 1);
    await timed(read.floor, 20, 1);
    for (const clients of [1, 8]) {
      // Interleaved in rounds, so a disturbance of the machine falls on both alike.
      const handlerMs: number[] = [];
      const floorMs: number[] = [];
      for (let round = 0; round < 4; round += 1) {
        floorMs.push(...(await timed(read.floor, RUNS / 4, clients)));
        handlerMs.push(...(await timed(read.handler, RUNS / 4, clients)));
      }
      row(`${read.label}, ${clients} client${clients > 1 ? 's' : ''}`, handlerMs, floorMs);
    }
  }

  const actionFloor: number[] = [];
  const actionHandler: number[] = [];
  const received = seeded.filter((request) => request.stage === 'received');
  for (let run = 0; run < RUNS; run += 1) {
    const floorTarget = received[run * 2] as RequestRecord;
    const floorEvent = sealEvent(
      {
        requestId: floorTarget.id,
        seq: 2,
        action: 'comment',
        actor: claims.email,
        at: new Date().toISOString(),
        from: 'received',
        to: 'received',
        details: { text: 'x' },
      },
      floorTarget.lastHash,
    );
    actionFloor.push(
      await time(() =>
        dynamo.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: names.TABLE_NAME,
                  Item: {
                    ...items.find((item) => item.id === floorTarget.id),
                    version: 2,
                    eventSeq: 2,
                    lastHash: floorEvent.hash,
                  },
                  ConditionExpression: 'version = :v AND eventSeq = :s',
                  ExpressionAttributeValues: { ':v': 1, ':s': 1 },
                },
              },
              {
                Put: {
                  TableName: names.TABLE_NAME,
                  Item: { ...keys.event(floorTarget.id, 2), type: 'event', ...floorEvent },
                  ConditionExpression: 'attribute_not_exists(PK)',
                },
              },
            ],
          }),
        ),
      ),
    );
    const target = received[run * 2 + 1] as RequestRecord;
    actionHandler.push(
      await time(async () => {
        const response = await call(
          'POST',
          '/api/requests/{id}/actions',
          undefined,
          { action: 'comment', expectedVersion: 1, text: 'Called them back' },
          target.id,
        );
        if (response.statusCode !== 200) throw new Error(`action failed: ${response.body}`);
      }),
    );
  }

  console.log(`\n${SEED} requests seeded; ${RUNS} calls each`);
  row('one action (comment), 1 client', actionHandler, actionFloor);
  reportFigures(figures, options);
} finally {
  await emulators.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
