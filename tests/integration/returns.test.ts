import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localToken } from '../../infra/local/users.ts';
import { keys, stageIndex } from '../../shared/aws/keys.ts';
import type { RequestRecord } from '../../shared/workflow/records.ts';
import { type ApprovedSeed, approvedRequest } from '../support/approved-request.ts';
import {
  act,
  documentClient,
  env,
  s3Client,
  staff,
  staffClient,
  startPostroom,
} from '../support/postroom.ts';

/**
 * The quarterly return, through the real staff API, sweep and publication against the
 * emulators: a seeded quarter (a meeting held without a note, one with three
 * organisations, one with a private individual, and meetings outside it or never held)
 * matches a hand-checked CSV byte for byte.
 */
let postroom: Awaited<ReturnType<typeof startPostroom>>;
const publicBucket = () => process.env.PUBLIC_BUCKET ?? '';
const site = 'http://127.0.0.1:3001/';

/** A request as intake and the workflow would leave it at `stage`, with its letter stored. */
async function seed(
  serial: number,
  stage: RequestRecord['stage'],
  shape: ApprovedSeed & { change?: (request: RequestRecord) => RequestRecord },
) {
  const { change = (request) => request, ...rest } = shape;
  const { request, items, objects } = approvedRequest(serial, { ...rest, stage });
  const changed = change(request);
  for (const { key, body } of objects)
    await s3Client.send(
      new PutObjectCommand({
        Bucket: env().documents,
        Key: key,
        Body: body,
        ContentType: 'text/plain',
      }),
    );
  const [, ...others] = items;
  await documentClient.send(
    new PutCommand({
      TableName: env().table,
      Item: {
        ...keys.request(changed.id),
        type: 'request',
        ...changed,
        ...stageIndex.request(stage, '2026-12-01', changed.id),
      },
    }),
  );
  for (const Item of others)
    await documentClient.send(new PutCommand({ TableName: env().table, Item }));
  return changed;
}

/** What the sweep says of the returns it published. */
type SweepReport = { returnsPublished?: string[] };

const withoutNote = ({ draft: _draft, ...request }: RequestRecord): RequestRecord => request;

async function getCsv(as: string, quarter: string) {
  const response = await fetch(`http://127.0.0.1:${postroom.apiPort}/api/returns/${quarter}`, {
    headers: { authorization: `Bearer ${await localToken(as)}` },
  });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: await response.text(),
  };
}

async function publicObject(key: string): Promise<string | undefined> {
  try {
    const found = await s3Client.send(new GetObjectCommand({ Bucket: publicBucket(), Key: key }));
    return await found.Body?.transformToString();
  } catch {
    return undefined;
  }
}

async function publicReturns(): Promise<Map<string, string>> {
  const listed = await s3Client.send(
    new ListObjectsV2Command({ Bucket: publicBucket(), Prefix: 'returns/' }),
  );
  const found = new Map<string, string>();
  for (const object of listed.Contents ?? [])
    found.set(object.Key ?? '', (await publicObject(object.Key ?? '')) ?? '');
  return found;
}

const line = (...cells: string[]) => `${cells.map((cell) => `"${cell}"`).join(',')}\r\n`;
const header = line(
  'Office-holder',
  'Date',
  'Name of organisation or individual',
  'Purpose of meeting',
  'Reference',
  'Note URL',
  'Letter URL',
);
const note = `${site}meetings/2026/req-2026-0002/`;
const cameras = (organisation: string) =>
  line(
    'The Deputy Commissioner',
    '2026-08-03',
    organisation,
    'To discuss cameras in public places.',
    'REQ-2026-0002',
    note,
    `${note}letter.html`,
  );
/** The return as checked by hand; `individual` is the last row's name column. */
const expected = (individual: string) =>
  header +
  // 23:30 on 30 June UTC is half past midnight on 1 July in London: the third quarter.
  line(
    'The Commissioner',
    '2026-07-01',
    'Harbour Trust',
    'Harbour dredging plans',
    'REQ-2026-0001',
    '',
    '',
  ) +
  cameras('LumenCam Ltd') +
  cameras('Northlight Communications') +
  cameras('Civic Cameras Association') +
  line(
    'The Commissioner',
    '2026-09-30',
    individual,
    // Its note was never published (closed without it): the subject stands in, redacted.
    '[redacted]: my planning appeal',
    'REQ-2026-0003',
    '',
    '',
  );

const office = {
  name: 'The Commissioner',
  role: 'Commissioner',
  organisation: 'The Commissioner’s Office',
  host: true,
  invitedGuest: false,
};

beforeAll(async () => {
  postroom = await startPostroom();
  // Held, with no note yet: the purpose is the subject.
  await seed(1, 'held', {
    subject: 'Harbour dredging plans',
    organisation: 'Harbour Trust',
    start: '2026-06-30T23:30:00Z',
    attendee: { name: 'Ewan Bell', role: 'Chair', organisation: 'Harbour Trust' },
    change: withoutNote,
  });
  // Published, with three organisations, and met by someone other than the office-holder.
  await seed(2, 'published', {
    organisation: 'LumenCam Ltd',
    start: '2026-08-03T13:00:00Z',
    body: '## Purpose\n\nTo discuss cameras in public places.\n\n## Discussion\n\nRetention.',
    attendees: [
      {
        name: 'Helen Marsh',
        role: 'VP',
        organisation: 'LumenCam Ltd',
        host: true,
        invitedGuest: false,
      },
      {
        name: 'Sophie Grant',
        role: 'Director',
        organisation: 'Northlight Communications',
        host: false,
        invitedGuest: false,
      },
      {
        name: 'Ravi Patel',
        role: 'Secretary',
        organisation: 'Civic Cameras Association',
        host: false,
        invitedGuest: false,
      },
    ],
    change: (request) => ({
      ...request,
      meeting: {
        ...(request.meeting as NonNullable<RequestRecord['meeting']>),
        officeHolder: 'The Deputy Commissioner',
      },
    }),
  });
  // A private individual, closed without a published note, late on the quarter's last day.
  await seed(3, 'closed', {
    subject: 'Morag Fairlie: my planning appeal',
    senderName: 'Morag Fairlie',
    senderAddress: 'morag@home.example',
    start: '2026-09-30T21:30:00Z',
    body: '## Purpose\n\nMorag Fairlie asked about her planning appeal.',
    attendees: [office],
    change: ({ organisation: _organisation, ...request }) => request,
  });
  // Outside the quarter, or never held.
  await seed(4, 'published', { start: '2026-10-01T09:00:00Z', organisation: 'Later Ltd' });
  await seed(5, 'published', { start: '2026-06-30T12:00:00Z', organisation: 'Earlier Ltd' });
  await seed(6, 'withdrawn', { start: '2026-08-10T09:00:00Z', organisation: 'Withdrawn Ltd' });
  await seed(7, 'scheduled', {
    start: '2026-09-01T09:00:00Z',
    organisation: 'Scheduled Ltd',
    change: withoutNote,
  });
});
afterAll(async () => {
  await postroom.close();
});

describe('the quarterly return from the staff API', () => {
  it('is the hand-checked CSV for a caseworker, private individuals redacted', async () => {
    const response = await getCsv(staff.caseworker, '2026-Q3.csv');
    expect(response.status).toBe(200);
    expect(response.type).toBe('text/csv; charset=utf-8');
    expect(response.body).toBe(expected('[redacted]'));
  });

  it('names private individuals for an admin, and nothing else changes', async () => {
    const response = await getCsv(staff.admin, '2026-Q3.csv');
    expect(response.status).toBe(200);
    expect(response.body).toBe(expected('Morag Fairlie'));
  });

  it('is only a header for a quarter with no meetings', async () => {
    const response = await getCsv(staff.approver, '2025-Q1.csv');
    expect(response.body).toBe(header);
  });

  it('answers a quarter it cannot read with a 400 that says what it accepts', async () => {
    for (const quarter of [
      '2026-Q5.csv',
      '2026-Q3',
      '26-Q3.csv',
      '2026-q3.csv',
      // Years no office has records of; 9999's last quarter once made a 500.
      '9999-Q4.csv',
      '0000-Q1.csv',
      '1969-Q4.csv',
      '3000-Q1.csv',
    ]) {
      const response = await getCsv(staff.caseworker, quarter);
      expect(response.status, quarter).toBe(400);
      expect(response.body, quarter).toContain('such as 2026-Q3.csv');
    }
  });

  it('refuses a caller without a token', async () => {
    const response = await fetch(`http://127.0.0.1:${postroom.apiPort}/api/returns/2026-Q3.csv`);
    expect(response.status).toBe(401);
  });
});

describe('the quarterly return on the public site', () => {
  // Q3 2026 ends on Wednesday 30 September; 20 working days on is Wednesday 28 October.
  const before = new Date('2026-10-27T12:00:00Z');
  const due = new Date('2026-10-28T08:00:00Z');

  it('is not published before it is due', async () => {
    const report = (await postroom.runScheduled('sweep', before)) as SweepReport;
    // The quarter before it is due by then, and goes out (with its one meeting); a new
    // installation goes no further back.
    expect(report.returnsPublished).toEqual(['2026-Q2']);
    expect(await publicObject('returns/2026-Q3.csv')).toBeUndefined();
    expect(await publicObject('returns/2026-Q2.csv')).toContain('Earlier Ltd');
  });

  it('is published once due: the redacted CSV, its page and the index of returns', async () => {
    const report = (await postroom.runScheduled('sweep', due)) as SweepReport;
    expect(report.returnsPublished).toEqual(['2026-Q3']);
    expect(await publicObject('returns/2026-Q3.csv')).toBe(expected('[redacted]'));
    const page = (await publicObject('returns/2026-Q3/index.html')) ?? '';
    expect(page).toContain('<caption>');
    expect(page).toContain('<th scope="col">Name of organisation or individual</th>');
    expect(page).toContain('Civic Cameras Association');
    const index = (await publicObject('returns/index.html')) ?? '';
    expect(index).toContain('href="2026-Q3/"');
    expect(index).toContain('href="2026-Q3.csv"');
    expect(index).toContain('href="2026-Q2/"');
    expect(index.indexOf('2026-Q3')).toBeLessThan(index.indexOf('2026-Q2'));
  });

  it('is not published again by a later sweep, and nothing is rewritten', async () => {
    const first = await publicReturns();
    const report = (await postroom.runScheduled(
      'sweep',
      new Date('2026-10-28T08:15:00Z'),
    )) as SweepReport;
    expect(report.returnsPublished).toBeUndefined();
    expect(await publicReturns()).toEqual(first);
  });

  it('holds no personal data of the private individual', async () => {
    for (const [key, body] of await publicReturns()) {
      expect(body, key).not.toContain('Morag');
      expect(body, key).not.toContain('Fairlie');
      expect(body, key).not.toContain('home.example');
    }
  });

  it('is rewritten when a meeting of its quarter is taken down, by publication, unaided', async () => {
    const api = staffClient(postroom.apiPort);
    const taken = approvedRequest(2).request;
    const result = await act(api, staff.admin, taken.id, 'takedown', {
      reason: 'The organisation asked for it to be withdrawn.',
    });
    expect(result.status).toBe(200);
    // The takedown's audit event reaches the publish function through the table stream.
    await postroom.settle();
    const csv = await publicObject('returns/2026-Q3.csv');
    expect(csv).not.toContain('REQ-2026-0002');
    expect(csv).toContain('REQ-2026-0001');
    const page = await publicObject('returns/2026-Q3/index.html');
    expect(page).not.toContain('LumenCam');
    // Its first publication date stands.
    expect(page).toContain('published on <time datetime="2026-10-28T08:00:00.000Z">');
  });

  it('moves a meeting whose date a correction changed from one quarter to the other', async () => {
    const api = staffClient(postroom.apiPort);
    // REQ-2026-0005 was met on 30 June, in the second quarter's return; it was the first of July.
    const moved = approvedRequest(5).request;
    expect(await publicObject('returns/2026-Q2.csv')).toContain('REQ-2026-0005');
    const corrected = await act(api, staff.admin, moved.id, 'correct', {
      note: 'The meeting was on the first of July, not the thirtieth of June.',
    });
    expect(corrected.body.stage).toBe('drafting');
    const note = await api(staff.caseworker, 'GET', `/api/requests/${moved.id}/note`);
    const { start: _start, end: _end, sequence: _sequence, ...meeting } = note.body.meeting;
    const saved = await api(staff.caseworker, 'PUT', `/api/requests/${moved.id}/note`, {
      expectedVersion: note.body.version,
      title: note.body.title,
      body: note.body.body,
      meeting: { ...meeting, start: '2026-07-01T09:00:00Z', end: '2026-07-01T10:00:00Z' },
    });
    expect(saved.status).toBe(200);
    await act(api, staff.caseworker, moved.id, 'submit_note');
    expect((await act(api, staff.approver, moved.id, 'approve')).body.stage).toBe('approved');
    await postroom.settle();
    // Out of the quarter it was in, into the one it is now in: both returns are out.
    const second = (await publicObject('returns/2026-Q2.csv')) ?? '';
    expect(second).toBe(header);
    const third = (await publicObject('returns/2026-Q3.csv')) ?? '';
    expect(third).toContain('"2026-07-01","Earlier Ltd"');
    expect(third).toContain('REQ-2026-0005');
    expect(await publicObject('returns/2026-Q2/index.html')).not.toContain('Earlier Ltd');
  });

  it('catches up, oldest first, on the returns a sweep stopped for months missed', async () => {
    // No sweep ran between October 2026 and August 2027: the fourth quarter of 2026 and
    // the first two of 2027 are all due (the second 20 working days after 30 June 2027).
    const report = (await postroom.runScheduled(
      'sweep',
      new Date('2027-08-02T08:00:00Z'),
    )) as SweepReport;
    expect(report.returnsPublished).toEqual(['2026-Q4', '2027-Q1', '2027-Q2']);
    expect(await publicObject('returns/2026-Q4.csv')).toContain('"2026-10-01","Later Ltd"');
    expect(await publicObject('returns/2027-Q1.csv')).toBe(header);
    const index = (await publicObject('returns/index.html')) ?? '';
    const order = ['2027-Q2', '2027-Q1', '2026-Q4', '2026-Q3', '2026-Q2'].map((name) =>
      index.indexOf(`href="${name}/"`),
    );
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // And once caught up, the next sweep has nothing to do.
    const again = (await postroom.runScheduled(
      'sweep',
      new Date('2027-08-03T08:00:00Z'),
    )) as SweepReport;
    expect(again.returnsPublished).toBeUndefined();
  });
});
