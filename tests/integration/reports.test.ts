import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localToken, signLocalToken } from '../../infra/local/users.ts';
import { cataloguePorts, everyRequestHistory } from '../../shared/aws/catalogue-ports.ts';
import { keys, stageIndex } from '../../shared/aws/keys.ts';
import { rebuildCatalogue } from '../../shared/catalogue/catalogue.ts';
import { officeDate } from '../../shared/dates.ts';
import { reportCsv } from '../../shared/reports/csv.ts';
import type { Report } from '../../shared/reports/report.ts';
import { dueDate } from '../../shared/workflow/act.ts';
import { type AuditEvent, GENESIS_HASH, sealEvent } from '../../shared/workflow/audit.ts';
import type { Channel, RequestRecord } from '../../shared/workflow/records.ts';
import type { Stage } from '../../shared/workflow/stages.ts';
import { plainLetter } from '../support/letters.ts';
import {
  act,
  documentClient,
  env,
  records,
  staff,
  staffClient,
  startPostroom,
} from '../support/postroom.ts';

/**
 * GET /api/reports end to end: requests and their sealed audit trails seeded into the
 * table with chosen times, the catalogue rebuilt from the table, and the report read
 * through the local API (JSON and CSV) with exact figures; then a request moved through
 * the real API reaching the report through the stream.
 */
let postroom: Awaited<ReturnType<typeof startPostroom>>;
let api: ReturnType<typeof staffClient>;
const TZ = 'Europe/London';
const today = () => officeDate(new Date(), TZ);

/** One seeded request: its item now, and each step of its history as `[action, to, at]`. */
interface Seed {
  n: number;
  channel?: Channel;
  organisation?: string;
  assignee?: string;
  replyBy: string;
  noteDueBy?: string;
  steps: Array<[string, Stage, string]>;
}

const meeting = {
  start: '2026-05-07T13:00:00.000Z',
  end: '2026-05-07T14:00:00.000Z',
  location: 'Edinburgh',
  attendees: [
    {
      name: 'Helen Marsh',
      role: 'Vice-president',
      organisation: 'Lumen Cameras',
      host: true,
      invitedGuest: false,
    },
  ],
  sequence: 0,
};

// May 2026, on summer time; Monday 4 May is the early May bank holiday.
const seeds: Seed[] = [
  {
    n: 1,
    organisation: 'Lumen Cameras',
    assignee: staff.caseworker,
    replyBy: '2026-05-15',
    noteDueBy: '2026-05-26',
    steps: [
      ['receive', 'received', '2026-05-01T08:00:00.000Z'],
      ['accept', 'accepted', '2026-05-06T08:00:00.000Z'],
      ['schedule', 'scheduled', '2026-05-07T08:00:00.000Z'],
      ['record_held', 'held', '2026-05-11T08:00:00.000Z'],
      ['save_draft', 'drafting', '2026-05-12T08:00:00.000Z'],
    ],
  },
  {
    n: 2,
    channel: 'post',
    organisation: 'Harbour Trust',
    replyBy: '2026-05-12',
    steps: [
      ['receive', 'received', '2026-05-05T08:00:00.000Z'],
      ['decline', 'declined', '2026-05-13T08:00:00.000Z'],
    ],
  },
  {
    // 23:30 UTC on Sunday is 00:30 on Monday in the office.
    n: 3,
    channel: 'phone',
    organisation: 'Harbour Trust',
    replyBy: '2026-05-13',
    steps: [['receive', 'received', '2026-05-10T23:30:00.000Z']],
  },
  {
    n: 4,
    organisation: 'Old Org',
    assignee: staff.otherCaseworker,
    replyBy: '2026-05-05',
    noteDueBy: '2026-05-19',
    steps: [
      ['receive', 'received', '2026-04-20T08:00:00.000Z'],
      ['accept', 'accepted', '2026-04-21T08:00:00.000Z'],
      ['schedule', 'scheduled', '2026-04-22T08:00:00.000Z'],
      ['record_held', 'held', '2026-05-05T08:00:00.000Z'],
      ['save_draft', 'drafting', '2026-05-06T08:00:00.000Z'],
      ['submit_note', 'in_review', '2026-05-08T08:00:00.000Z'],
      ['approve', 'approved', '2026-05-11T08:00:00.000Z'],
      ['publish', 'published', '2026-05-12T08:00:00.000Z'],
    ],
  },
  {
    n: 5,
    assignee: staff.caseworker,
    replyBy: '2026-05-26',
    steps: [['receive', 'received', '2026-05-12T08:00:00.000Z']],
  },
];

/** The request item and its audit events, sealed in a chain the request's head names. */
function seeded(seed: Seed) {
  const id = `c0${String(seed.n).padStart(18, '0')}`;
  let prevHash = GENESIS_HASH;
  let from: Stage | null = null;
  const events: AuditEvent[] = seed.steps.map(([action, to, at], index) => {
    const event = sealEvent(
      {
        requestId: id,
        seq: index + 1,
        action,
        actor: action === 'receive' ? 'system:intake' : staff.caseworker,
        at,
        from,
        to,
        // What notify reads when it mails for the step, as the workflow would record it.
        details: { decline: { reason: 'Not within our remit.' }, schedule: meeting }[action] ?? {},
      },
      prevHash,
    );
    prevHash = event.hash;
    from = to;
    return event;
  });
  const [first] = seed.steps;
  const last = events.at(-1);
  const request: RequestRecord = {
    id,
    reference: `REQ-2026-${String(900 + seed.n).padStart(4, '0')}`,
    stage: last?.to as Stage,
    version: events.length,
    eventSeq: events.length,
    lastHash: last?.hash ?? GENESIS_HASH,
    subject: `Seeded request ${seed.n}`,
    sender: { address: `writer${seed.n}@seeded.example`, name: `Writer ${seed.n}` },
    ...(seed.organisation ? { organisation: seed.organisation } : {}),
    ...(seed.channel ? { channel: seed.channel } : {}),
    ...(seed.assignee ? { assignee: seed.assignee } : {}),
    receivedAt: first?.[2] ?? '',
    replyBy: seed.replyBy,
    ...(seed.noteDueBy ? { noteDueBy: seed.noteDueBy } : {}),
    ...(seed.steps.some(([action]) => action === 'schedule') ? { meeting } : {}),
    flags: [],
    messageCount: 0,
    lastMessageAt: first?.[2] ?? '',
  };
  return [
    {
      ...keys.request(id),
      type: 'request',
      ...request,
      ...stageIndex.request(request.stage, dueDate(request, TZ), id),
      searchText:
        `${request.reference} ${request.organisation ?? ''} ${request.subject}`.toLowerCase(),
    },
    ...events.map((event) => ({ ...keys.event(id, event.seq), type: 'event', ...event })),
  ];
}

/** The figures for 1 to 14 May 2026, worked out by hand from the seeds above. */
const expectedMay = (now: string): Omit<Report, 'today'> & { today: string } => ({
  period: { from: '2026-05-01', to: '2026-05-14' },
  today: now,
  received: {
    total: 4,
    byWeek: [
      { week: '2026-04-27', count: 1 },
      { week: '2026-05-04', count: 1 },
      { week: '2026-05-11', count: 2 },
    ],
    byChannel: [
      { channel: 'email', count: 2 },
      { channel: 'post', count: 1 },
      { channel: 'phone', count: 1 },
      { channel: 'office', count: 0 },
    ],
  },
  byStage: [
    { stage: 'received', count: 2 },
    { stage: 'accepted', count: 0 },
    { stage: 'declined', count: 1 },
    { stage: 'scheduled', count: 0 },
    { stage: 'held', count: 0 },
    { stage: 'drafting', count: 1 },
    { stage: 'in_review', count: 0 },
    { stage: 'approved', count: 0 },
    { stage: 'published', count: 0 },
    { stage: 'withdrawn', count: 0 },
    { stage: 'closed', count: 0 },
  ],
  timeInStage: [
    // 1: Friday to Wednesday over the bank holiday, 2; 2: Tuesday to the next Wednesday, 6.
    { stage: 'received', stays: 2, median: 2, p90: 6, ongoing: 2 },
    { stage: 'accepted', stays: 1, median: 1, p90: 1, ongoing: 0 },
    // 4: 22 April to 5 May, 8 working days (4 May is a holiday).
    { stage: 'scheduled', stays: 2, median: 2, p90: 8, ongoing: 0 },
    { stage: 'held', stays: 2, median: 1, p90: 1, ongoing: 0 },
    { stage: 'drafting', stays: 1, median: 2, p90: 2, ongoing: 1 },
    { stage: 'in_review', stays: 1, median: 1, p90: 1, ongoing: 0 },
    { stage: 'approved', stays: 1, median: 1, p90: 1, ongoing: 0 },
  ],
  onTime: {
    replies: { counted: 4, onTime: 2, late: 2, outstanding: 1, share: 0.5 },
    notes: { counted: 1, onTime: 1, late: 0, outstanding: 0, share: 1 },
  },
  byAssignee: [
    { assignee: staff.caseworker, open: 2, overdue: 2 },
    { assignee: null, open: 1, overdue: 1 },
  ],
  topOrganisations: [
    { organisation: 'Harbour Trust', requests: 2, meetingsHeld: 0 },
    { organisation: 'Lumen Cameras', requests: 1, meetingsHeld: 1 },
  ],
});

async function getCsv(path: string) {
  const response = await fetch(`http://127.0.0.1:${postroom.apiPort}${path}`, {
    headers: { authorization: `Bearer ${await localToken(staff.approver)}` },
  });
  return { response, text: await response.text() };
}

beforeAll(async () => {
  postroom = await startPostroom();
  api = staffClient(postroom.apiPort);
  const items = seeds.flatMap(seeded);
  for (let index = 0; index < items.length; index += 25)
    await documentClient.send(
      new BatchWriteCommand({
        RequestItems: {
          [env().table]: items.slice(index, index + 25).map((Item) => ({ PutRequest: { Item } })),
        },
      }),
    );
  await postroom.settle();
  await rebuildCatalogue(
    everyRequestHistory(env().table),
    cataloguePorts(env().table, env().documents),
    new Date(),
  );
}, 120_000);
afterAll(async () => {
  await postroom?.close();
});

describe('GET /api/reports', () => {
  it('answers exact figures, made from the seeded audit trails', async () => {
    const answer = await api(staff.caseworker, 'GET', '/api/reports?from=2026-05-01&to=2026-05-14');
    expect(answer.status).toBe(200);
    const { catalogueUpdatedAt, ...figures } = answer.body;
    expect(figures).toEqual(expectedMay(today()));
    expect(Date.parse(catalogueUpdatedAt)).toBeLessThanOrEqual(Date.now());
  });

  it('answers the same figures as one CSV file, every table in it', async () => {
    const { response, text } = await getCsv(
      '/api/reports?from=2026-05-01&to=2026-05-14&format=csv',
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(
      'attachment; filename="postroom-report-2026-05-01-to-2026-05-14.csv"',
    );
    expect(text).toBe(reportCsv(expectedMay(today()) as Report));
    const lines = text.split('\r\n');
    expect(lines.slice(0, 5)).toEqual([
      '"table","key","column","value"',
      '"report","period","from","2026-05-01"',
      '"report","period","to","2026-05-14"',
      `"report","period","today","${today()}"`,
      '"received-by-week","2026-04-27","requests","1"',
    ]);
    expect(lines).toContain('"time-in-stage","scheduled","p90_working_days","8"');
    expect(lines).toContain('"on-time","replies","share_on_time","0.5"');
    expect(lines).toContain('"by-assignee","(unassigned)","open","1"');
    expect(lines).toContain('"top-organisations","Harbour Trust","requests","2"');
  });

  it('refuses a token with no staff role', async () => {
    const token = await signLocalToken({
      sub: 'local-nobody',
      email: 'nobody@office.example',
      name: 'Nobody',
      'cognito:groups': [],
    });
    const response = await fetch(
      `http://127.0.0.1:${postroom.apiPort}/api/reports?from=2026-05-01&to=2026-05-14`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('forbidden');
  });

  it.each([
    [
      'from=2026-05-32&to=2026-06-01',
      'query.from',
      'from must be a date, YYYY-MM-DD, such as 2026-01-01',
    ],
    ['from=2026-05-01', 'query.to', 'to must be a date, YYYY-MM-DD, such as 2026-01-01'],
    [
      'from=2026-05-14&to=2026-05-01',
      'query.to',
      'the period must not end before it starts: from must be on or before to',
    ],
    [
      'from=2025-01-01&to=2026-05-01',
      'query.to',
      'a report covers at most 366 days, from and to included; ask for a year or less',
    ],
    [
      'from=2026-05-01&to=2026-05-14&format=pdf',
      'query.format',
      'format must be json (the default) or csv',
    ],
  ])('answers 400 to %s, saying what is accepted', async (query, path, message) => {
    const answer = await api(staff.caseworker, 'GET', `/api/reports?${query}`);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('bad_request');
    expect(answer.body.error.fields).toContainEqual({ path, message });
    expect(answer.body.error.message).toContain(message);
  });

  it('shows a request moved through the real API once the stream has passed it on', async () => {
    const requester = 'helen.marsh@lumencam.example';
    await postroom.deliver(
      plainLetter({ from: `Helen Marsh <${requester}>`, subject: 'A meeting, please' }),
      requester,
    );
    const [request] = (await records.requestsInStage('received')).filter(
      (candidate) => candidate.sender.address === requester,
    );
    if (!request) throw new Error('the letter did not become a request');
    expect((await act(api, staff.caseworker, request.id, 'accept')).status).toBe(200);
    await postroom.settle();
    const day = today();
    const answer = await api(staff.caseworker, 'GET', `/api/reports?from=${day}&to=${day}`);
    expect(answer.status).toBe(200);
    expect(answer.body.received.total).toBe(1);
    expect(answer.body.received.byChannel[0]).toEqual({ channel: 'email', count: 1 });
    expect(answer.body.byStage.find((row: { stage: string }) => row.stage === 'accepted')).toEqual({
      stage: 'accepted',
      count: 1,
    });
    expect(answer.body.onTime.replies).toEqual({
      counted: 1,
      onTime: 1,
      late: 0,
      outstanding: 0,
      share: 1,
    });
    expect(answer.body.timeInStage[0]).toMatchObject({ stage: 'received', stays: 1, median: 0 });
    // The seeded requests are still counted in the load now: two of Cara's, and this one.
    expect(answer.body.byAssignee).toEqual([
      { assignee: staff.caseworker, open: 3, overdue: 2 },
      { assignee: null, open: 1, overdue: 1 },
    ]);
  });
});
