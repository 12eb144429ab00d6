/**
 * npm run bench:api [-- --quick] — seeds 10,000 requests (1,000 with --quick), those in
 * drafting and in review with a note and their letter, then times the staff API handlers,
 * at 1 and at 8 clients at once, for a list by stage, a list with q=, the overdue list
 * across the open stages, a request's detail, the note (GET and PUT) and the publication
 * preview, and for one action; each against a floor measured in the same run, in
 * interleaved rounds: the raw DynamoDB and S3 calls the route cannot do without (the same
 * index pages and filters, the same item and partition, the same transaction, the same
 * objects). Targets: at most 2x the floor at p50 and 3x at p99. Then the management
 * report for a year, from the catalogue made from the seeded requests' audit events:
 * under a second for its first call (reading the catalogue) and at p99.
 *
 * Then search: the staff index made by the catalogue's own rebuild from the seeded
 * requests and their letters, written to the documents bucket; GET /api/search through
 * the records function (10,000 queries; 1,000 with --quick) against the same query on
 * the same index loaded in memory, raw (target: p50 at most 3x); and the index's cold
 * load, fetched, parsed and loaded from S3 as a new instance would (target: under 500 ms).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
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
import { functions } from '../infra/functions.ts';
import {
  emulatorEnvironment,
  provision,
  resourceNames,
  startEmulators,
} from '../infra/local/cloud.ts';
import { lambdaContext } from '../infra/local/lambda-context.ts';
import { freePort } from '../infra/local/processes.ts';
import { messagePrefixOf, type PeopleFound, peopleKey } from '../shared/attachments/text-layer.ts';
import { noteVersionKey } from '../shared/notes/note.ts';
import { publicCopy } from '../shared/publication/public-copy.ts';
import { redactionReady } from '../shared/publication/redaction.ts';
import { renderLetterPage, renderMeetingPage } from '../shared/publication/render.ts';
import { type AuditEvent, GENESIS_HASH, sealEvent } from '../shared/workflow/audit.ts';
import type { DraftState, RequestRecord } from '../shared/workflow/records.ts';
import { approvedRequest } from '../tests/support/approved-request.ts';
import { benchOptions, type Figure, figure, reportFigures } from './lib/figures.ts';

const options = benchOptions();

/**
 * A full collection, run between rounds for the handler and the floor alike. This process
 * holds the 10,000 seeded requests, a heap no function has, so one major collection stalls
 * every call in flight for tens of milliseconds, and at 8 clients lands on 8 of a round's
 * calls at once: two of them made note GET's p99 at 8 clients 3.6x its floor (handler
 * 72 ms, floor 20 ms, p50 5.9 against 5.2). Between rounds, a round's own garbage is left
 * to the young generation, as in a function's small heap.
 */
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const SEED = options.quick ? 1_000 : 10_000;
const RUNS = options.quick ? 30 : 200;
/** Calls of each route (and of its floor) at each number of clients, in rounds. */
const CASE_CALLS = options.quick ? 40 : 1_000;
const CASE_ROUNDS = options.quick ? 4 : 20;
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

/**
 * A letter of the usual length, with what detection hides: a phone number, an address,
 * an email address and the writer's name.
 */
const letter = (n: number) => `Dear Commissioner,

I write on behalf of Organisation ${n % 300} to ask for a meeting about the proposed changes to the retention of camera footage, which our members raised at our annual meeting in January.

We would welcome the chance to explain how our members use footage today, who may see it and for how long, and what the proposals would change for them. We are happy to meet at your office or ours, at any time in February.

Please contact our office manager on 0131 496 0123 or at office.manager@org${n % 300}.example, or write to us at 12 Rose Street, Edinburgh EH2 2PR.

Yours sincerely,

Writer ${n}
Chair, Organisation ${n % 300}
`;
const NOTE_TITLE = 'Meeting about the retention of camera footage';
/** A note of the usual length, with a footnote; each saved version says which it is. */
const note = (version: number) => `## Purpose

The association asked to meet in its letter of 30 January 2026 about the proposed changes to the retention of camera footage.[^1]

## Points of discussion

### Retention of footage

- How long members keep footage today, and why
- Who may see it, and on whose request
- What the proposed 31-day limit would change for them

### Access by the police

The association described how requests from the police reach its members, and asked for guidance on what to record when footage is handed over.

### Next steps

- The office will send the draft guidance when it is ready
- The association will share its members' survey

## Conclusion

The Commissioner thanked the association and will write to it with the office's view. (Version ${version}.)

[^1]: The letter is published beside this note.
`;

/** The steps after receipt that bring a plain request to its stage: [action, stage entered]. */
const pathTo: Partial<Record<string, ReadonlyArray<readonly [string, string]>>> = {
  accepted: [['accept', 'accepted']],
  scheduled: [
    ['accept', 'accepted'],
    ['schedule', 'scheduled'],
  ],
  held: [
    ['accept', 'accepted'],
    ['schedule', 'scheduled'],
    ['record_held', 'held'],
  ],
  published: [
    ['accept', 'accepted'],
    ['schedule', 'scheduled'],
    ['record_held', 'held'],
    ['save_draft', 'drafting'],
    ['submit_note', 'in_review'],
    ['approve', 'approved'],
    ['publish', 'published'],
  ],
  declined: [['decline', 'declined']],
};
const assignees = [
  'cara.caseworker@office.example',
  'colin.caseworker@office.example',
  'amir.approver@office.example',
];

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
  const { dynamo, s3 } = await import('../shared/aws/clients.ts');
  const { writeObject } = await import('../shared/aws/documents.ts');
  const { keys, stageIndex } = await import('../shared/aws/keys.ts');
  const { dueDate } = await import('../shared/workflow/act.ts');
  const { handler: casework } = await import('../functions/staff-api.ts');
  const { handler: notes } = await import('../functions/staff-notes.ts');
  const { handler: records } = await import('../functions/staff-records.ts');
  const { cataloguePorts, everyRequestHistory } = await import('../shared/aws/catalogue-ports.ts');
  const { rebuildCatalogue } = await import('../shared/catalogue/catalogue.ts');
  const wiring = await import('../shared/aws/wiring.ts');
  const { readConfig } = await import('../shared/config.ts');

  console.log(`seeding ${SEED} requests…`);
  const plain: RequestRecord[] = [];
  /** The audit events of the plain requests, sealed in their chains. */
  const histories: AuditEvent[] = [];
  /** Requests in drafting and in review: each with its note, its letter and the people NLP found in it. */
  const noted: Array<ReturnType<typeof approvedRequest>> = [];
  for (let n = 1; n <= SEED; n += 1) {
    const stage = stageMix[n % stageMix.length] ?? 'received';
    if (stage === 'drafting' || stage === 'in_review') {
      const organisation = `Organisation ${n % 300}`;
      noted.push(
        approvedRequest(n, {
          stage,
          subject: `Request for a meeting ${n}`,
          senderName: `Writer ${n}`,
          senderAddress: `writer${n}@org${n % 300}.example`,
          organisation,
          attendee: { name: `Writer ${n}`, role: 'Chair', organisation },
          title: NOTE_TITLE,
          body: note(0),
          letter: letter(n),
        }),
      );
      continue;
    }
    const day = String(1 + (n % 28)).padStart(2, '0');
    // The shape intake gives ids (20 lower-case hex), which the API checks.
    const id = `be${String(n).padStart(18, '0')}`;
    // Received over ten months, and taken as far as its stage by real, sealed audit
    // events a few days apart, so the report (made from the events) has a year to cover.
    const month = String(1 + (n % 10)).padStart(2, '0');
    const received = Date.parse(`2026-${month}-${day}T09:00:00.000Z`);
    const gap = (1 + (n % 4)) * 86_400_000;
    let prevHash = GENESIS_HASH;
    let from: string | null = null;
    const events = [['receive', 'received'] as const, ...(pathTo[stage] ?? [])].map(
      ([action, to], index) => {
        const event = sealEvent(
          {
            requestId: id,
            seq: index + 1,
            action,
            actor: index === 0 ? 'system:intake' : 'cara.caseworker@office.example',
            at: new Date(received + index * gap).toISOString(),
            from,
            to,
            details: {},
          },
          prevHash,
        );
        prevHash = event.hash;
        from = to;
        return event;
      },
    );
    const last = events.at(-1) ?? events[0];
    if (!last) throw new Error('a request with no events');
    histories.push(...events);
    plain.push({
      id,
      reference: `REQ-2026-${String(n).padStart(5, '0')}`,
      stage,
      version: events.length,
      eventSeq: last.seq,
      lastHash: last.hash,
      subject: `Request for a meeting ${n}`,
      sender: { address: `writer${n}@org${n % 300}.example`, name: `Writer ${n}` },
      organisation: `Organisation ${n % 300}`,
      ...(n % 5 ? { assignee: assignees[n % assignees.length] } : {}),
      receivedAt: new Date(received).toISOString(),
      replyBy: `2026-12-${day}`,
      ...(stage === 'held' || stage === 'published' ? { noteDueBy: `2026-${month}-28` } : {}),
      flags: [],
      messageCount: 1,
      lastMessageAt: last.at,
    });
  }
  const seeded = [...plain, ...noted.map(({ request }) => request)];
  const items = plain.map((request) => ({
    ...keys.request(request.id),
    type: 'request',
    ...request,
    ...stageIndex.request(request.stage, dueDate(request, 'Europe/London'), request.id),
    searchText: `${request.reference} ${request.organisation} ${request.subject}`.toLowerCase(),
  }));
  const stored: Record<string, unknown>[] = [
    ...items,
    ...histories.map((event) => ({
      ...keys.event(event.requestId, event.seq),
      type: 'event',
      ...event,
    })),
    ...noted.flatMap((one) => one.items),
  ];
  const batches: Array<typeof stored> = [];
  for (let i = 0; i < stored.length; i += 25) batches.push(stored.slice(i, i + 25));
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
  // Each letter as intake stored it, with the people NLP found in it beside it, as the
  // extraction function leaves them: the preview reads both.
  const documents = noted.flatMap(({ request, objects }) => {
    const [text] = objects;
    if (!text) throw new Error(`request ${request.id} was seeded without its letter`);
    const people: PeopleFound = {
      names: [request.sender.name ?? ''],
      finder: 'bench',
      charsRead: text.body.length,
      complete: true,
      foundAt: request.receivedAt,
    };
    return [
      ...objects.map((object) => ({ ...object, type: 'text/plain; charset=utf-8' })),
      {
        key: peopleKey(messagePrefixOf(text.key)),
        body: JSON.stringify(people),
        type: 'application/json; charset=utf-8',
      },
    ];
  });
  for (let i = 0; i < documents.length; i += 16) {
    await Promise.all(
      documents
        .slice(i, i + 16)
        .map(({ key, body, type }) =>
          writeObject({ bucket: names.DOCUMENTS_BUCKET, key }, body, type),
        ),
    );
  }

  const claims = {
    sub: 'bench',
    email: 'cara.caseworker@office.example',
    name: 'Cara',
    'cognito:groups': '[caseworker]',
  };
  /** As API Gateway calls a route group's function: the route as declared, its {id} filled in. */
  const caller =
    (handler: typeof casework, functionName: string, timeoutSeconds: number) =>
    async (
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
        // A fresh context per call, as Lambda gives each invocation: its clock starts then.
        lambdaContext(functionName, timeoutSeconds),
      )) as APIGatewayProxyStructuredResultV2;
    };
  const call = caller(casework, 'staff-api', functions.staffApi.timeoutSeconds);
  const callNotes = caller(notes, 'staff-notes', functions.staffNotes.timeoutSeconds);

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
  /** The requests of a pool in turn, strided so that neighbours in the table are not read in a row. */
  const inTurn = (pool: readonly RequestRecord[]) => {
    let next = 0;
    return () => pool[(next++ * 7919) % pool.length] as RequestRecord;
  };
  const someRequest = inTurn(seeded);
  const inReview = noted.flatMap(({ request }) => (request.stage === 'in_review' ? [request] : []));
  const drafting = noted.flatMap(({ request }) => (request.stage === 'drafting' ? [request] : []));
  // Read, never saved (in review, a note is no longer saved): the same notes for both paths.
  const someNote = inTurn(inReview);

  /**
   * Runs saves on a pool of drafting requests, one caller at a time on each, each at the
   * version its last save left: no save meets a stale version, however many callers.
   */
  const savesOn = <T>(pool: T[]) => {
    if (pool.length < 8) throw new Error('fewer drafts than callers at once');
    return async (save: (target: T) => Promise<T>) => {
      const target = pool.shift() as T;
      pool.push(await save(target));
    };
  };
  // At least the 8 callers, and no more than the warm-up's 20 saves, so each draft has been
  // saved once (with who saved it and when) before the timed saves: the handler then
  // writes the previous version's copy too, as it does in use, and so does the floor.
  const POOL = 16;
  const handlerSave = savesOn(
    drafting.slice(0, POOL).map(({ id, draft }) => ({ id, note: draft?.version ?? 0 })),
  );
  const floorSave = savesOn(drafting.slice(POOL, 2 * POOL).map(({ id }) => id));
  const saveNote = async (target: { id: string; note: number }) => {
    await ok(
      callNotes(
        'PUT',
        '/api/requests/{id}/note',
        undefined,
        { expectedVersion: target.note, title: NOTE_TITLE, body: note(target.note + 1) },
        target.id,
      ),
      'note PUT',
    );
    return { ...target, note: target.note + 1 };
  };

  /**
   * A save, raw: the consistent read the version check needs; the request (with the next
   * draft) and the audit event in one conditional transaction; then the version's copy in
   * the note store, and the previous version's again (when it has a saver to name), which
   * is how a save that died before writing its copy is healed (shared/staff/notes.ts,
   * keepNoteVersions), so without it a crash would lose a version.
   */
  const rawSave = async (id: string) => {
    const found = await dynamo.send(
      new GetCommand({ TableName: names.TABLE_NAME, Key: keys.request(id), ConsistentRead: true }),
    );
    const current = found.Item as RequestRecord & Record<string, unknown>;
    const previous = current.draft as DraftState;
    const at = new Date().toISOString();
    const draft: DraftState = {
      ...previous,
      version: previous.version + 1,
      body: note(previous.version + 1),
      savedBy: claims.email,
      savedAt: at,
    };
    const event = sealEvent(
      {
        requestId: id,
        seq: current.eventSeq + 1,
        action: 'save_draft',
        actor: claims.email,
        at,
        from: 'drafting',
        to: 'drafting',
        details: { draftVersion: draft.version, length: draft.body.length },
      },
      current.lastHash,
    );
    await dynamo.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: names.TABLE_NAME,
              Item: {
                ...current,
                version: current.version + 1,
                eventSeq: event.seq,
                lastHash: event.hash,
                draft,
              },
              ConditionExpression: 'version = :v AND eventSeq = :s',
              ExpressionAttributeValues: { ':v': current.version, ':s': current.eventSeq },
            },
          },
          {
            Put: {
              TableName: names.TABLE_NAME,
              Item: { ...keys.event(id, event.seq), type: 'event', ...event },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
        ],
      }),
    );
    const copy = ({ version, title, body, savedBy, savedAt }: DraftState) => {
      const stored = JSON.stringify({ version, title, body, savedBy, savedAt });
      return s3.send(
        new PutObjectCommand({
          Bucket: names.DOCUMENTS_BUCKET,
          Key: noteVersionKey(id, version),
          Body: stored,
          ContentLength: Buffer.byteLength(stored),
          ContentType: 'application/json',
        }),
      );
    };
    await Promise.all([copy(draft), previous.savedBy && copy(previous)]);
    return id;
  };

  const readObject = async (Key: string) =>
    (
      await s3.send(new GetObjectCommand({ Bucket: names.DOCUMENTS_BUCKET, Key }))
    ).Body?.transformToByteArray();
  /**
   * What the preview must read, raw: the request (the note, the meeting, the redaction
   * decisions) beside its messages (which say where the letter's text is), then the
   * letter's text beside the people NLP found in it. Its CPU (every detector over the
   * note and the letter, Markdown, the two pages) is not in the floor: it is the
   * handler's own work, timed alone below, so a miss it causes shows as one.
   */
  const rawPreview = async (id: string) => {
    const [, messages] = await Promise.all([
      dynamo.send(new GetCommand({ TableName: names.TABLE_NAME, Key: keys.request(id) })),
      dynamo.send(
        new QueryCommand({
          TableName: names.TABLE_NAME,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :message)',
          ExpressionAttributeValues: { ':pk': keys.request(id).PK, ':message': 'MSG#' },
        }),
      ),
    ]);
    const text = String((messages.Items?.[0]?.documents as { text?: string } | undefined)?.text);
    await Promise.all([readObject(text), readObject(peopleKey(messagePrefixOf(text)))]);
  };

  /** Each case: the handler's route, and the raw calls it cannot do without. */
  const cases: Array<{
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
    {
      label: 'note GET',
      handler: () =>
        ok(
          callNotes('GET', '/api/requests/{id}/note', undefined, undefined, someNote().id),
          'note',
        ),
      // A saved note is all in the request item: one read. (The partition, which only the
      // prefill of a note never saved needs, is not read for these.)
      floor: () =>
        dynamo.send(
          new GetCommand({ TableName: names.TABLE_NAME, Key: keys.request(someNote().id) }),
        ),
    },
    {
      label: 'note PUT',
      handler: () => handlerSave(saveNote),
      floor: () => floorSave(rawSave),
    },
    {
      label: 'publication preview',
      handler: () =>
        ok(
          callNotes(
            'GET',
            '/api/requests/{id}/publication-preview',
            undefined,
            undefined,
            someNote().id,
          ),
          'preview',
        ),
      floor: () => rawPreview(someNote().id),
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
  for (const read of cases) {
    // Warm both paths first so neither figure carries JIT or connection set-up.
    await timed(read.handler, 20, 1);
    await timed(read.floor, 20, 1);
    for (const clients of [1, 8]) {
      // Interleaved in short rounds, so a disturbance of the machine falls on both alike;
      // and enough calls that the p99 is not one pause of the collector (at 200 calls it
      // was the second slowest, and swung from 0.3x to 5x between runs).
      const handlerMs: number[] = [];
      const floorMs: number[] = [];
      for (let round = 0; round < CASE_ROUNDS; round += 1) {
        collectGarbage();
        floorMs.push(...(await timed(read.floor, CASE_CALLS / CASE_ROUNDS, clients)));
        collectGarbage();
        handlerMs.push(...(await timed(read.handler, CASE_CALLS / CASE_ROUNDS, clients)));
      }
      row(`${read.label}, ${clients} client${clients > 1 ? 's' : ''}`, handlerMs, floorMs);
    }
  }

  // The preview's own work between its reads, alone: the public copy (every detector over
  // the note, the letter and the meeting) and its two pages, for the same requests and
  // letters. It is in the handler's time and not in the floor's; this says how much of
  // the preview's ratio is that work rather than the handler's I/O.
  const { site } = wiring.staffNotes(readConfig(functions.staffNotes.env));
  const previews = noted.flatMap(({ request, objects }) =>
    request.stage === 'in_review'
      ? [
          {
            request,
            letter: {
              // The first object is the letter's text, always a string.
              text: String(objects[0]?.body ?? ''),
              at: request.receivedAt,
              attachments: [],
              namesFound: [request.sender.name ?? ''],
            },
          },
        ]
      : [],
  );
  // What the preview loads before redacting: the phone detector, and RE2 for any patterns.
  await Promise.all(previews.map(({ request }) => redactionReady(request.redactions)));
  const renderMs: number[] = [];
  for (let run = 0; run < RUNS + 20; run += 1) {
    const { request, letter: opening } = previews[(run * 7919) % previews.length] ?? {};
    if (!request || !opening) throw new Error('no request in review to preview');
    const start = performance.now();
    const meeting = publicCopy(request, opening, site, new Date());
    renderMeetingPage(meeting, site);
    renderLetterPage(meeting, site);
    // The first 20 warm the JIT, as the cases' warm-up does.
    if (run >= 20) renderMs.push(performance.now() - start);
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

  /*
   * The management report over a year of the seeded requests: the catalogue is made from
   * their items and audit events as `npm run search:rebuild` makes it, then the records
   * function answers GET /api/reports for the year to today. Its first call reads and
   * parses the catalogue; later calls find it unchanged (a 304) and only compute.
   * Target: under a second, each.
   */
  console.log('\nmaking the catalogue from the table…');
  const rebuildStart = performance.now();
  const rebuilt = await rebuildCatalogue(
    everyRequestHistory(names.TABLE_NAME),
    cataloguePorts(names.TABLE_NAME, names.DOCUMENTS_BUCKET),
    new Date(),
  );
  console.log(
    `catalogue of ${rebuilt.requests} requests made in ${((performance.now() - rebuildStart) / 1000).toFixed(1)} s`,
  );
  if (rebuilt.requests < SEED) throw new Error(`the catalogue holds ${rebuilt.requests} requests`);
  const callRecords = caller(records, 'staff-records', functions.staffRecords.timeoutSeconds);
  const year = {
    from: new Date(Date.now() - 364 * 86_400_000).toISOString().slice(0, 10),
    to: today,
  };
  const yearReport = async (format?: 'csv') => {
    const answer = await callRecords('GET', '/api/reports', format ? { ...year, format } : year);
    if (answer.statusCode !== 200) throw new Error(`report failed: ${answer.body}`);
    return answer;
  };
  const firstStart = performance.now();
  const first = JSON.parse(String((await yearReport()).body)) as {
    received: { total: number };
  };
  const firstMs = performance.now() - firstStart;
  if (first.received.total < SEED / 2)
    throw new Error(`the year's report counted ${first.received.total} requests received`);
  await yearReport('csv');
  const reportMs = await timed(() => yearReport(), RUNS / 4, 1);
  const [reportP50, reportP99] = [percentile(reportMs, 50), percentile(reportMs, 99)];
  console.log(
    `report for a year (${first.received.total} of ${SEED} requests received in it): first call ${firstMs.toFixed(0)} ms, then p50 ${reportP50.toFixed(0)} ms, p99 ${reportP99.toFixed(0)} ms`,
  );
  figures.push(
    figure('api', `report, a year of ${SEED} requests: first call`, firstMs, 'ms', { max: 1000 }),
    figure('api', `report, a year of ${SEED} requests: p99`, reportP99, 'ms', { max: 1000 }),
  );
  const search = await benchSearch();

  console.log(`\n${SEED} requests seeded; ${CASE_CALLS} calls of each route and its floor`);
  row('one action (comment), 1 client', actionHandler, actionFloor);
  console.log(
    `\npublication preview's redaction and rendering alone (in the handler's time, not the floor's): p50 ${percentile(renderMs, 50).toFixed(1)} ms, p99 ${percentile(renderMs, 99).toFixed(1)} ms`,
  );
  console.log(
    `\nsearch over ${SEED} requests with their letters (fields + entries ${(search.fieldsBytes / 1e6).toFixed(1)} MB, text shards ${(search.textBytes / 1e6).toFixed(1)} MB in all, the largest ${(search.largestShard / 1e6).toFixed(1)} MB; ${search.queries} queries):`,
  );
  const [s50, s99, r50, r99] = [
    percentile(search.handlerMs, 50),
    percentile(search.handlerMs, 99),
    percentile(search.rawMs, 50),
    percentile(search.rawMs, 99),
  ];
  console.log(
    `search, 1 client        p50 ${s50.toFixed(2)} ms (raw in-memory query, passages included ${r50.toFixed(2)} ms, ${(s50 / r50).toFixed(2)}x)   p99 ${s99.toFixed(2)} ms (raw ${r99.toFixed(2)} ms)`,
  );
  // The p99 is printed above with no figure: the target is set at p50 only.
  figures.push(figure('api', 'search: p50 / raw in-memory query', s50 / r50, '×', { max: 3 }));
  console.log(
    `search cold load of one query (fields + its shards: fetch, parse, load; ${search.coldMs.length} queries, ${(percentile(search.coldBytes, 50) / 1e6).toFixed(1)} MB p50): p50 ${percentile(search.coldMs, 50).toFixed(0)} ms, max ${Math.max(...search.coldMs).toFixed(0)} ms`,
  );
  reportFigures(figures, options);

  /**
   * The search figures. The index is made by rebuildCatalogue itself, with the letters
   * given from the seed rather than read back from the bucket one by one (the reading is
   * the rebuild's, not the search's, cost).
   */
  async function benchSearch() {
    const { cataloguePorts, catalogueKeys } = await import('../shared/aws/catalogue-ports.ts');
    const { rebuildCatalogue } = await import('../shared/catalogue/catalogue.ts');
    const {
      SearchFields,
      SearchShard,
      TEXT_SHARDS,
      searchDocumentOf,
      searchRequests,
      shardsOfQuery,
    } = await import('../shared/search/staff-index.ts');
    const letters = new Map(
      noted.map(({ request, objects }) => [request.id, String(objects[0]?.body)]),
    );
    const letterOf = (request: RequestRecord) =>
      letters.get(request.id) ?? letter(Number(request.reference.slice(-5)));
    async function* histories() {
      for (const request of seeded) yield { request, events: [] };
    }
    const sourcesOf = (request: RequestRecord) => ({
      letters: [letterOf(request)],
      attachments: [],
    });
    const catalogue = {
      ...cataloguePorts(names.TABLE_NAME, names.DOCUMENTS_BUCKET),
      searchSources: async (request: RequestRecord) => sourcesOf(request),
    };
    const built = performance.now();
    await rebuildCatalogue(histories(), catalogue, new Date());
    console.log(
      `\nsearch index built by the catalogue in ${((performance.now() - built) / 1000).toFixed(1)} s`,
    );
    const fetchObject = async (Key: string) => {
      const object = await s3.send(new GetObjectCommand({ Bucket: names.DOCUMENTS_BUCKET, Key }));
      return (await object.Body?.transformToByteArray()) ?? new Uint8Array();
    };
    const fieldsBytes = await fetchObject(catalogueKeys.searchFields);
    const shardBytes = await Promise.all(
      TEXT_SHARDS.map((shard) => fetchObject(catalogueKeys.searchShard(shard))),
    );
    const shardSizes = shardBytes.map((bytes) => bytes.byteLength);
    // What staff type: a reference, an organisation, an address, a writer, topic words.
    const queryFor = (n: number) => {
      const m = 1 + ((n * 7919) % SEED);
      return [
        `REQ-2026-${String(m).padStart(5, '0')}`,
        `organisation ${m % 300}`,
        `writer${m}@org${m % 300}.example`,
        `Writer ${m}`,
        'camera footage police',
        `retention ${m % 300}`,
      ][n % 6] as string;
    };
    // A cold start: what a new instance pays for its first query, nothing kept from
    // before: the fields object and that query's shards, fetched in parallel (as the
    // records function does), parsed and loaded. Each of the six kinds of query, over.
    const coldMs: number[] = [];
    const coldBytes: number[] = [];
    for (let n = 0; n < (options.quick ? 6 : 18); n += 1) {
      const shards = shardsOfQuery(queryFor(n));
      coldMs.push(
        await time(async () => {
          const [fields, ...texts] = await Promise.all([
            fetchObject(catalogueKeys.searchFields),
            ...shards.map((shard) => fetchObject(catalogueKeys.searchShard(shard))),
          ]);
          SearchFields.parse(fields);
          for (const bytes of texts) SearchShard.parse(bytes);
          coldBytes.push(
            fields.byteLength + texts.reduce((sum, bytes) => sum + bytes.byteLength, 0),
          );
        }),
      );
    }
    // The raw side: the same sharded query on objects already loaded, with its passages
    // cut from texts held in memory (the handler reads a page's texts from S3, or its LRU).
    const loaded = {
      fields: SearchFields.parse(fieldsBytes),
      shards: new Map(
        shardBytes.map((bytes) => SearchShard.parse(bytes)).map((shard) => [shard.shard, shard]),
      ),
    };
    const texts = new Map(
      seeded.map((request) => [
        request.id,
        searchDocumentOf(request, sourcesOf(request)).document.text,
      ]),
    );
    const rawQuery = (q: string) => searchRequests(loaded, q, { offset: 0, limit: 20 }, texts);
    const callRecords = caller(records, 'staff-records', functions.staffRecords.timeoutSeconds);
    const QUERIES = options.quick ? 1_000 : 10_000;
    const handlerMs: number[] = [];
    const rawMs: number[] = [];
    for (let n = 0; n < 200; n += 1) {
      await ok(callRecords('GET', '/api/search', { q: queryFor(n) }), 'search');
      rawQuery(queryFor(n));
    }
    // Interleaved, query by query, so a disturbance of the machine falls on both alike.
    for (let n = 0; n < QUERIES; n += 1) {
      const q = queryFor(n);
      rawMs.push(await time(async () => rawQuery(q)));
      handlerMs.push(await time(() => ok(callRecords('GET', '/api/search', { q }), 'search')));
    }
    figures.push(
      figure(
        'api',
        'search: cold load of a query (fields + its shards: fetch, parse, load), max',
        Math.max(...coldMs),
        'ms',
        { max: 500 },
      ),
    );
    return {
      handlerMs,
      rawMs,
      coldMs,
      coldBytes,
      fieldsBytes: fieldsBytes.byteLength,
      textBytes: shardSizes.reduce((sum, size) => sum + size, 0),
      largestShard: Math.max(...shardSizes),
      queries: QUERIES,
    };
  }
} finally {
  await emulators.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
