import { createHash } from 'node:crypto';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamo } from '../../shared/aws/clients.ts';
import { staffPorts } from '../../shared/aws/staff-ports.ts';
import {
  openedRequestSchema,
  openRequestByHand,
} from '../../shared/correspondence/opened-requests.ts';
import { replyByFor } from '../../shared/intake/filing.ts';
import { scottishBankHolidays } from '../../shared/workflow/deadlines.ts';
import { pdfWithText } from '../support/pdf.ts';
import {
  documentClient,
  documentKeys,
  documentObject,
  env,
  fixture,
  getItem,
  records,
  sentMail,
  staff,
  staffClient,
  startPostroom,
} from '../support/postroom.ts';
import { uploadFile } from '../support/uploads.ts';

/**
 * POST /api/requests: staff open a request by hand for a letter by post, a phone call or
 * a meeting the office arranged, with its text and uploaded scans. Real handlers, real
 * emulators, real uploads to the presigned URL, and the notifier on the table stream.
 */
let postroom: Awaited<ReturnType<typeof startPostroom>>;
let api: ReturnType<typeof staffClient>;
const year = new Date().getFullYear();
const reference = (n: number) => `REQ-${year}-${String(n).padStart(4, '0')}`;
/** The requests each test opened, by name, for the tests after it. */
const opened: Record<string, { id: string; reference: string }> = {};

const open = (body: Record<string, unknown>, as = staff.caseworker) =>
  api(as, 'POST', '/api/requests', body);

const upload = async (bytes: Buffer, filename: string, contentType: string) =>
  (await uploadFile(api, staff.caseworker, bytes, { filename, contentType })).uploadId;

/** Two hours ago: received earlier today, entered now. */
const receivedAt = new Date(Date.now() - 2 * 3600_000).toISOString();
const scan = pdfWithText([['Dear Commissioner,', 'We would welcome a meeting.']]);
const letterByPost = {
  channel: 'post',
  sender: { name: 'Helen Marsh', address: 'Helen.Marsh@lumencam.example' },
  organisation: 'LumenCam Ltd',
  subject: 'Request for a meeting about public safety',
  text: 'Dear Commissioner,\n\nWe would welcome a meeting about our cameras.\n\nHelen Marsh',
  receivedAt,
};

beforeAll(async () => {
  postroom = await startPostroom();
  api = staffClient(postroom.apiPort);
  // The first request of the year comes by email, so the counter is shared from the start.
  await postroom.deliver(fixture('01-letter-pdf.eml'), 'vp.publicaffairs@lumencam.example');
  await sentMail.clear();
});
afterAll(async () => {
  await postroom.close();
});

describe('POST /api/requests', () => {
  it('opens a letter by post with its scan, 201 with the next reference after intake’s', async () => {
    const uploadId = await upload(scan, 'Letter of 30 January.pdf', 'application/pdf');
    const { status, body } = await open({ ...letterByPost, uploadIds: [uploadId] });
    expect(status, JSON.stringify(body)).toBe(201);
    expect(body).toEqual({ id: expect.stringMatching(/^[0-9a-f]{20}$/), reference: reference(2) });
    opened.post = body as { id: string; reference: string };

    const detail = await api(staff.approver, 'GET', `/api/requests/${body.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({
      reference: reference(2),
      stage: 'received',
      channel: 'post',
      sender: { name: 'Helen Marsh', address: 'helen.marsh@lumencam.example' },
      organisation: 'LumenCam Ltd',
      subject: letterByPost.subject,
      receivedAt,
      // As intake counts it: ten working days after the day it came.
      request: {
        channel: 'post',
        flags: [],
        replyBy: replyByFor(new Date(receivedAt), {
          calendar: scottishBankHolidays,
          timeZone: 'Europe/London',
          replyWorkingDays: 10,
        }),
      },
    });
    const [message] = detail.body.messages;
    expect(message).toMatchObject({
      direction: 'inbound',
      channel: 'post',
      at: receivedAt,
      from: 'helen.marsh@lumencam.example',
      subject: letterByPost.subject,
      documents: {
        attachments: [
          {
            filename: 'Letter of 30 January.pdf',
            contentType: 'application/pdf',
            size: scan.byteLength,
            inline: false,
            key: `requests/${body.id}/messages/${message.key}/attachments/01-Letter-of-30-January.pdf`,
          },
        ],
      },
    });
    // The text reads as a letter's does, and the scan is the request's own copy.
    const content = await api(
      staff.caseworker,
      'GET',
      `/api/requests/${body.id}/messages/${message.key}`,
    );
    expect(content.body).toEqual({ key: message.key, text: letterByPost.text, html: null });
    const copy = await documentObject(message.documents.attachments[0].key);
    expect(Buffer.from(copy.bytes ?? [])).toEqual(scan);
    expect(copy.contentType).toBe('application/pdf');
    expect(await documentKeys(`requests/${body.id}/`)).toEqual(
      expect.arrayContaining([
        `requests/${body.id}/messages/${message.key}/body.txt`,
        message.documents.attachments[0].key,
      ]),
    );
  });

  it('audits the receipt from the first event: channel, who recorded it, each file’s SHA-256, a chain that verifies', async () => {
    const { status, body } = await api(
      staff.caseworker,
      'GET',
      `/api/requests/${opened.post?.id}/audit`,
    );
    expect(status).toBe(200);
    expect(body.verification).toMatchObject({ intact: true, count: 1 });
    expect(body.events).toEqual([
      expect.objectContaining({
        seq: 1,
        action: 'receive',
        actor: staff.caseworker,
        at: receivedAt,
        from: null,
        to: 'received',
        details: expect.objectContaining({
          channel: 'post',
          sender: 'helen.marsh@lumencam.example',
          senderName: 'Helen Marsh',
          acknowledge: true,
          recordedAt: expect.any(String),
          attachments: [
            {
              filename: 'Letter of 30 January.pdf',
              contentType: 'application/pdf',
              size: scan.byteLength,
              sha256: createHash('sha256').update(scan).digest('hex'),
            },
          ],
        }),
      }),
    ]);
  });

  it('alerts the office and acknowledges a requester who gave an address', async () => {
    await postroom.settle();
    const [alert] = await sentMail.to(env().staff);
    expect(alert?.subject).toBe(
      `[${reference(2)}] New request from LumenCam Ltd: ${letterByPost.subject}`,
    );
    expect(alert?.body.text).toContain(`Came: by post, recorded by ${staff.caseworker}`);
    expect(alert?.body.text).toMatch(/Letter of 30 January\.pdf \(application\/pdf, \d+ bytes\)/);
    const [acknowledgement] = await sentMail.to('helen.marsh@lumencam.example');
    expect(acknowledgement?.subject).toContain(`[${reference(2)}]`);
  });

  it('opens a phone call without an address: no acknowledgement, and the office is told why', async () => {
    await sentMail.clear();
    const { status, body } = await open(
      {
        channel: 'phone',
        sender: { name: 'Raj Patel' },
        subject: 'Asked to meet about camera standards',
        text: 'Raj Patel rang to ask for a meeting; he will write with dates.',
      },
      staff.approver,
    );
    expect(status, JSON.stringify(body)).toBe(201);
    expect(body.reference).toBe(reference(3));
    opened.phone = body as { id: string; reference: string };
    const request = await records.request(body.id);
    expect(request).toMatchObject({ channel: 'phone', sender: { name: 'Raj Patel' } });
    expect(request?.sender).not.toHaveProperty('address');
    await postroom.settle();
    const mail = await sentMail.all();
    expect(mail.map((sent) => sent.destination.to)).toEqual([[env().staff]]);
    expect(mail[0]?.subject).toBe(
      `[${reference(3)}] New request from Raj Patel: Asked to meet about camera standards`,
    );
    expect(mail[0]?.body.text).toContain('From: Raj Patel (no email address)');
    expect(mail[0]?.body.text).toContain(
      'Acknowledgement: not sent (no email address was given: it came by phone)',
    );
    const { body: trail } = await api(staff.caseworker, 'GET', `/api/requests/${body.id}/audit`);
    expect(trail.verification).toMatchObject({ intact: true, count: 1 });
    expect(trail.events[0].details).not.toHaveProperty('sender');
  });

  it('opens a meeting the office arranged: with an address it still sends no acknowledgement', async () => {
    await sentMail.clear();
    const { status, body } = await open({
      channel: 'office',
      sender: { name: 'Sophie Grant', address: 'sophie@northlight.example' },
      organisation: 'Northlight Communications',
      subject: 'Briefing the Commissioner arranged',
      text: '',
    });
    expect(status).toBe(201);
    expect(body.reference).toBe(reference(4));
    await postroom.settle();
    expect(await sentMail.to('sophie@northlight.example')).toEqual([]);
    expect((await sentMail.to(env().staff))[0]?.body.text).toContain(
      'not sent (the office arranged it itself',
    );
  });

  it('keeps numbering with intake: the next letter by email takes the next reference', async () => {
    await postroom.deliver(fixture('02-docx-charity.eml'), 'g.whitfield@riversideyouth.example');
    expect(await records.byReference(reference(5))).toMatchObject({ stage: 'received' });
  });

  it('lists the requests opened by hand with their channels, beside mail', async () => {
    const { status, body } = await api(staff.caseworker, 'GET', '/api/requests?stage=received');
    expect(status).toBe(200);
    const byReference = Object.fromEntries(
      body.items.map((item: { reference: string; channel: string }) => [
        item.reference,
        item.channel,
      ]),
    );
    expect(byReference).toEqual({
      [reference(1)]: 'email',
      [reference(2)]: 'post',
      [reference(3)]: 'phone',
      [reference(4)]: 'office',
      [reference(5)]: 'email',
    });
    const found = await api(staff.caseworker, 'GET', '/api/requests?q=raj%20patel');
    expect(found.body.items.map((item: { id: string }) => item.id)).toEqual([opened.phone?.id]);
  });
});

describe('refusals', () => {
  it('422 naming each invalid field, and nothing written: no request, no reference, no document, no mail', async () => {
    await postroom.settle();
    await sentMail.clear();
    const keysBefore = await documentKeys('requests/');
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ ...letterByPost, channel: 'fax' }, 'channel', /"post", "phone" or "office"/],
      [{ ...letterByPost, channel: 'email' }, 'channel', /filed by intake/],
      [
        { ...letterByPost, sender: { name: 'H', address: 'not an address' } },
        'sender.address',
        /email/i,
      ],
      [{ ...letterByPost, sender: { name: '   ' } }, 'sender.name', /give the name/],
      [{ ...letterByPost, subject: '' }, 'subject', /give a subject/],
      [{ ...letterByPost, subject: 's'.repeat(1001) }, 'subject', /1000/],
      [{ ...letterByPost, organisation: 'o'.repeat(201) }, 'organisation', /200/],
      [{ ...letterByPost, receivedAt: 'last Tuesday' }, 'receivedAt', /ISO date and time/],
      [
        { ...letterByPost, receivedAt: new Date(Date.now() + 86_400_000).toISOString() },
        'receivedAt',
        /in the future/,
      ],
      [{ ...letterByPost, uploadIds: ['../../etc/passwd'] }, 'uploadIds.0', /22 letters/],
      [{ ...letterByPost, uploadIds: ['AAAAAAAAAAAAAAAAAAAAAA'] }, 'uploadIds.0', /does not exist/],
      [{ ...letterByPost, text: undefined }, 'text', /string/],
    ];
    for (const [body, path, message] of cases) {
      const answer = await open(body);
      expect(answer.status, `${path}: ${JSON.stringify(answer.body)}`).toBe(422);
      expect(answer.body.error.fields).toEqual([
        expect.objectContaining({ path, message: expect.stringMatching(message) }),
      ]);
      expect(answer.body.error.message).toContain(path);
    }
    expect(await records.byReference(reference(6))).toBeUndefined();
    expect(await documentKeys('requests/')).toEqual(keysBefore);
    await postroom.settle();
    expect(await sentMail.all()).toEqual([]);
    // And the numbers stay gapless: the next request opened takes the next number.
    const next = await open({ ...letterByPost, receivedAt: undefined });
    expect(next.body.reference).toBe(reference(6));
  });

  it('refuses a scan already filed on another request, PNG bytes declared as a PDF and a size not the one declared, writing nothing', async () => {
    const uploadId = await upload(scan, 'scan.pdf', 'application/pdf');
    expect((await open({ ...letterByPost, uploadIds: [uploadId] })).status).toBe(201);
    const again = await open({ ...letterByPost, uploadIds: [uploadId] });
    expect(again.status).toBe(422);
    expect(again.body.error.fields).toEqual([
      { path: 'uploadIds.0', message: expect.stringMatching(/already filed/) },
    ]);
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const lie = await upload(png, 'letter.pdf', 'application/pdf');
    const refused = await open({ ...letterByPost, uploadIds: [lie] });
    expect(refused.status).toBe(422);
    expect(refused.body.error.fields).toEqual([
      { path: 'uploadIds.0', message: expect.stringMatching(/no %PDF- header/) },
    ]);
    const short = await uploadFile(
      api,
      staff.caseworker,
      scan,
      { filename: 'scan.pdf', contentType: 'application/pdf' },
      scan.byteLength + 1,
    );
    const wrongSize = await open({ ...letterByPost, uploadIds: [lie, short.uploadId] });
    expect(wrongSize.status).toBe(422);
    expect(wrongSize.body.error.fields).toEqual([
      { path: 'uploadIds.0', message: expect.stringMatching(/no %PDF- header/) },
      { path: 'uploadIds.1', message: expect.stringMatching(/were declared/) },
    ]);
    expect(await records.byReference(reference(8))).toBeUndefined();
  });

  it('needs a signed-in member of staff; every staff role may open one', async () => {
    expect((await api(undefined, 'POST', '/api/requests', letterByPost)).status).toBe(401);
    const byAdmin = await open({ ...letterByPost, receivedAt: undefined }, staff.admin);
    expect(byAdmin.status).toBe(201);
  });
});

describe('a failure after the reference was claimed', () => {
  it('records the number as void, with why, and opens nothing', async () => {
    // Every table call goes through to the emulator but the transaction that files it.
    const faults = mockClient(dynamo);
    for (const command of [GetCommand, PutCommand, QueryCommand, UpdateCommand])
      faults
        .on(command as never)
        // biome-ignore lint/suspicious/noExplicitAny: the command classes differ only in their input types
        .callsFake((input: any) => documentClient.send(new (command as any)(input)));
    faults.on(TransactWriteCommand).rejects(new Error('the table is unavailable'));
    const rules = {
      calendar: scottishBankHolidays,
      timeZone: 'Europe/London',
      replyWorkingDays: 10,
    };
    const before = (await records.requestsInStage('received')).length;
    try {
      await expect(
        openRequestByHand(
          openedRequestSchema.parse({ ...letterByPost, receivedAt: undefined }),
          staff.caseworker,
          staffPorts(env().table, env().documents, 'Europe/London'),
          rules,
          new Date(),
        ),
      ).rejects.toThrow('the table is unavailable');
    } finally {
      faults.restore();
    }
    expect(await records.requestsInStage('received')).toHaveLength(before);
    const counter = await getItem<{ n: number }>(`COUNTER#${year}`, 'COUNTER');
    const lost = reference(counter?.n ?? 0);
    expect(await getItem(`REF#${lost}`, 'REF')).toMatchObject({
      void: { reason: expect.stringMatching(/opening the request by hand failed/) },
    });
    expect(await records.byReference(lost)).toBeUndefined();
  });
});
