import { SendRawEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import PostalMime from 'postal-mime';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ses } from '../../shared/aws/clients.ts';
import { suppressionList } from '../../shared/aws/suppression-list.ts';
import { plainLetter } from '../support/letters.ts';
import { pdfWithText } from '../support/pdf.ts';
import {
  act,
  documentKeys,
  documentText,
  env,
  records,
  sentMail,
  staff,
  staffClient,
  startPostroom,
} from '../support/postroom.ts';
import { uploadFile } from '../support/uploads.ts';

/**
 * Staff write to requesters from postroom: the reply goes out through SES on the thread,
 * kept byte for byte, recorded on the request and audited, and the answer threads back.
 * Real handlers against the emulators; SES faults are injected only where a test says.
 */
let postroom: Awaited<ReturnType<typeof startPostroom>>;
let api: ReturnType<typeof staffClient>;
let letters = 0;
let faults: ReturnType<typeof mockClient> | undefined;

const letterId = (n: number) => `<letter-${n}-${Date.now()}@lumencam.example>`;

async function newRequest() {
  letters += 1;
  const requester = `helen${letters}@lumencam.example`;
  const messageId = letterId(letters);
  await postroom.deliver(
    plainLetter({
      from: `Helen Marsh <${requester}>`,
      subject: `Cameras and public safety ${letters}`,
      messageId,
    }),
    requester,
  );
  const request = (await records.requestsInStage('received')).find(
    (candidate) => candidate.sender.address === requester,
  );
  if (!request) throw new Error('the letter was not filed');
  await sentMail.clear();
  return { id: request.id, reference: request.reference, requester, messageId };
}

/** Accepts the request and schedules a meeting with Raj Patel at `email`: an attendee on it. */
async function scheduleWithRaj(id: string, email: string) {
  await act(api, staff.caseworker, id, 'accept');
  await act(api, staff.caseworker, id, 'schedule', {
    start: '2027-03-03T14:00:00Z',
    end: '2027-03-03T15:00:00Z',
    location: 'Edinburgh',
    attendees: [{ name: 'Raj Patel', role: 'Policy', organisation: 'LumenCam', email }],
  });
}

const reply = async (as: string, id: string, fields: Record<string, unknown>) => {
  const current = await api(as, 'GET', `/api/requests/${id}`);
  return api(as, 'POST', `/api/requests/${id}/replies`, {
    expectedVersion: current.body.version,
    ...fields,
  });
};

beforeAll(async () => {
  postroom = await startPostroom();
  api = staffClient(postroom.apiPort);
});
afterAll(async () => {
  await postroom.close();
});
beforeEach(async () => {
  await sentMail.clear();
});
afterEach(() => {
  faults?.restore();
  faults = undefined;
});

describe('a reply on the thread', () => {
  it('goes out through SES as a person’s mail on the thread, kept exactly, on the timeline and audited', async () => {
    const { id, reference, requester, messageId } = await newRequest();
    const scan = pdfWithText([['Proposed dates: 3 or 10 March']]);
    const { uploadId } = await uploadFile(api, staff.caseworker, scan, {
      filename: 'Proposed dates.pdf',
      contentType: 'application/pdf',
    });
    const sent = await reply(staff.caseworker, id, {
      body: 'Dear Ms Marsh,\n\nThe Commissioner can meet on 3 or 10 March.\n\nCara',
      attachments: [{ uploadId }],
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    expect(sent.body).toMatchObject({
      direction: 'outbound',
      to: [requester],
      subject: `Re: Cameras and public safety 1 [${reference}]`,
      author: staff.caseworker,
      status: 'sending',
    });
    await postroom.settle();

    // SES took it: the emulator's record of what it was given.
    const [mail] = await sentMail.to(requester);
    expect(mail?.subject).toBe(`Re: Cameras and public safety 1 [${reference}]`);
    expect(mail?.body.text).toContain('The Commissioner can meet on 3 or 10 March.');
    expect(mail?.attachments.map((a) => a.filename)).toEqual(['Proposed dates.pdf']);
    // The emulator re-encodes what it stores, so the headers are read from the exact MIME
    // postroom kept and sent, which is recorded on the message.
    const message = (await records.messages(id)).find((m) => m.key === sent.body.key);
    expect(message).toMatchObject({ direction: 'outbound', author: staff.caseworker });
    expect(message?.sesMessageId).toEqual(expect.stringMatching(/^<.+>$/));
    const raw = await documentText(message?.raw?.key ?? '');
    const parsed = await PostalMime.parse(raw);
    expect(parsed.inReplyTo).toBe(messageId);
    expect(parsed.references?.split(/\s+/)).toEqual([messageId, sent.body.messageId]);
    expect(parsed.messageId).toBe(sent.body.messageId);
    expect(parsed.subject).toBe(mail?.subject);
    // A person wrote it: nothing marks it automatic, so the requester's mailer answers normally.
    const headerNames = parsed.headers.map((header) => header.key);
    expect(headerNames).not.toContain('auto-submitted');
    expect(headerNames).not.toContain('x-auto-response-suppress');
    expect(parsed.text).toBe(mail?.body.text);
    expect(
      parsed.attachments.map((a) => [
        a.filename,
        a.mimeType,
        (a.content as ArrayBuffer).byteLength,
      ]),
    ).toEqual([['Proposed dates.pdf', 'application/pdf', scan.byteLength]]);
    expect(Buffer.from(parsed.attachments[0]?.content as ArrayBuffer).toString('base64')).toBe(
      mail?.attachments[0]?.content,
    );

    const detail = await api(staff.approver, 'GET', `/api/requests/${id}`);
    const shown = detail.body.messages.find((m: { key: string }) => m.key === sent.body.key);
    expect(shown).toMatchObject({ status: 'sent', author: staff.caseworker, to: [requester] });
    expect(shown.documents.attachments[0]).toMatchObject({ filename: 'Proposed dates.pdf' });
    const content = await api(
      staff.approver,
      'GET',
      `/api/requests/${id}/messages/${sent.body.key}`,
    );
    expect(content.body.text).toContain('3 or 10 March');

    const event = (await records.events(id)).find((e) => e.action === 'reply');
    expect(event).toMatchObject({
      actor: staff.caseworker,
      details: {
        to: [requester],
        subject: `Re: Cameras and public safety 1 [${reference}]`,
        attachments: [
          {
            filename: 'Proposed dates.pdf',
            contentType: 'application/pdf',
            size: scan.byteLength,
            sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
          },
        ],
      },
    });
    // The uploaded file was filed with the reply, under the request, for retention to find.
    expect(await documentKeys(`requests/${id}/messages/${sent.body.key}/`)).toEqual(
      expect.arrayContaining([expect.stringContaining('Proposed-dates.pdf')]),
    );
  });

  it('shows the text of mail postroom sent by itself, read from the copy it kept', async () => {
    const { id } = await newRequest();
    const acknowledgement = (await records.messages(id)).find((m) => m.kind === 'acknowledgement');
    expect(acknowledgement?.key).toMatch(/^n1-acknowledgement-[0-9a-f]{8}$/);
    const content = await api(
      staff.caseworker,
      'GET',
      `/api/requests/${id}/messages/${acknowledgement?.key}`,
    );
    expect(content.status).toBe(200);
    expect(content.body.text).toContain('This is an automatic acknowledgement');
    expect(content.body.html).toBeNull();
  });

  it('threads the requester’s answer back onto the request', async () => {
    const { id, requester } = await newRequest();
    const sent = await reply(staff.caseworker, id, { body: 'Who will attend from LumenCam?' });
    expect(sent.status).toBe(201);
    await postroom.settle();
    const before = (await records.messages(id)).filter((m) => m.direction === 'inbound').length;
    // Their answer quotes our Message-ID only (their client dropped the subject token).
    await postroom.deliver(
      plainLetter({
        from: `Helen Marsh <${requester}>`,
        subject: 'Attendees',
        headers: [`In-Reply-To: ${sent.body.messageId}`, `References: ${sent.body.messageId}`],
        body: 'Helen Marsh and Raj Patel will attend.',
      }),
      requester,
    );
    const messages = (await records.messages(id)).filter((m) => m.direction === 'inbound');
    expect(messages).toHaveLength(before + 1);
    expect(messages.filter((m) => m.direction === 'inbound').map((m) => m.subject)).toContain(
      'Attendees',
    );
  });

  it('copies addresses on the request, fills placeholders from a template, and renders Markdown', async () => {
    const { id, reference, requester } = await newRequest();
    await scheduleWithRaj(id, 'raj@lumencam.example');
    const saved = await api(staff.admin, 'PUT', '/api/templates/confirm-meeting', {
      name: 'Confirm the meeting',
      subject: 'Your meeting {{reference}}',
      body: 'Dear {{requesterName}},\n\n**{{officeName}}** looks forward to meeting on {{meetingDate}}.',
    });
    expect(saved.status).toBe(200);
    await postroom.settle();
    await sentMail.clear();
    const sent = await reply(staff.caseworker, id, {
      templateId: 'confirm-meeting',
      cc: ['raj@lumencam.example'],
      format: 'markdown',
    });
    expect(sent.status).toBe(201);
    expect(sent.body.subject).toBe(`Your meeting ${reference} [${reference}]`);
    await postroom.settle();
    const [mail] = await sentMail.to(requester);
    expect(mail?.destination.cc).toEqual(['raj@lumencam.example']);
    expect(mail?.body.text).toMatch(/^Dear Helen Marsh,/);
    expect(mail?.body.text).toContain('on Wednesday, 3 March 2027');
    expect(mail?.body.html).toContain('<strong>The Commissioner’s Office</strong>');
    expect((await records.events(id)).at(-1)?.details).toMatchObject({
      templateId: 'confirm-meeting',
      cc: ['raj@lumencam.example'],
    });
  });
});

describe('bad replies: a 422 naming the field, and nothing written or sent', () => {
  const refusals: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['an empty body', { body: '  \n ' }, 'body', /a reply cannot be empty/],
    [
      'an unknown placeholder',
      { body: 'Dear {{firstName}}' },
      'body',
      /unknown placeholders \{\{firstName\}\}/,
    ],
    [
      'a recipient not on the request',
      { body: 'Hi', to: ['stranger@elsewhere.example'] },
      'to.0',
      /is not on this request/,
    ],
    [
      'an unknown template',
      { body: 'Hi', templateId: 'no-such' },
      'templateId',
      /there is no template/,
    ],
    [
      'an upload that does not exist',
      { body: 'Hi', attachments: [{ uploadId: 'AAAAAAAAAAAAAAAAAAAAAA' }] },
      'attachments.0.uploadId',
      /does not exist/,
    ],
  ];
  for (const [what, fields, path, message] of refusals) {
    it(`refuses ${what}`, async () => {
      const { id } = await newRequest();
      const before = { events: await records.events(id), messages: await records.messages(id) };
      const refused = await reply(staff.caseworker, id, fields);
      expect(refused.status).toBe(422);
      expect(refused.body.error.fields).toEqual(
        expect.arrayContaining([{ path, message: expect.stringMatching(message) }]),
      );
      expect(await records.events(id)).toHaveLength(before.events.length);
      expect(await records.messages(id)).toHaveLength(before.messages.length);
      expect(
        (await documentKeys(`requests/${id}/messages/`)).every(
          (key) => !key.includes('/body.txt') || before.messages.some((m) => key.includes(m.key)),
        ),
      ).toBe(true);
      await postroom.settle();
      expect(await sentMail.all()).toEqual([]);
    });
  }

  it('refuses files that would make a mail larger than SES takes, naming attachments', async () => {
    const { id } = await newRequest();
    const big = Buffer.alloc(8 * 1024 * 1024, 'a');
    const { uploadId } = await uploadFile(api, staff.caseworker, big, {
      filename: 'minutes.txt',
      contentType: 'text/plain',
    });
    const refused = await reply(staff.caseworker, id, { body: 'Hi', attachments: [{ uploadId }] });
    expect(refused.status).toBe(422);
    expect(refused.body.error.fields).toEqual([
      { path: 'attachments', message: expect.stringMatching(/a mail may be at most 10 MB/) },
    ]);
    expect(await documentKeys(`requests/${id}/messages/`)).toEqual(
      (await documentKeys(`requests/${id}/messages/`)).filter((key) => !key.includes('minutes')),
    );
  });

  it('puts a sender’s own words into Markdown as text, never as a link or an image', async () => {
    letters += 1;
    const requester = `spoof${letters}@lumencam.example`;
    await postroom.deliver(
      plainLetter({
        from: `"[verify your account](https://phish.example) ![](https://track.example/t.gif)" <${requester}>`,
        subject: 'A meeting',
      }),
      requester,
    );
    const request = (await records.requestsInStage('received')).find(
      (candidate) => candidate.sender.address === requester,
    );
    await sentMail.clear();
    const sent = await reply(staff.caseworker, request?.id ?? '', {
      body: 'Dear {{requesterName}},\n\nSee [our guidance](https://office.example/guidance).',
      format: 'markdown',
    });
    expect(sent.status).toBe(201);
    await postroom.settle();
    const [mail] = await sentMail.to(requester);
    expect(mail?.body.html).toContain('<a href="https://office.example/guidance">our guidance</a>');
    expect(mail?.body.html).not.toContain('https://phish.example"');
    expect(mail?.body.html).not.toContain('<img');
    expect(mail?.body.html).toContain('[verify your account]');
  });

  it('lets an approver, and only an approver, write to an address the request does not know', async () => {
    const { id } = await newRequest();
    const caseworker = await reply(staff.caseworker, id, {
      body: 'Hi',
      to: ['press@lumencam.example'],
      addRecipients: true,
    });
    expect(caseworker.status).toBe(422);
    const approver = await reply(staff.approver, id, {
      body: 'Hi',
      to: ['press@lumencam.example'],
      addRecipients: true,
    });
    expect(approver.status).toBe(201);
    expect((await records.events(id)).at(-1)?.details).toMatchObject({
      addedRecipients: ['press@lumencam.example'],
    });
  });

  it('refuses a stale version with 409, and a closed request', async () => {
    const { id } = await newRequest();
    const stale = await api(staff.caseworker, 'POST', `/api/requests/${id}/replies`, {
      expectedVersion: 0,
      body: 'Hi',
    });
    expect(stale.status).toBe(409);
    await act(api, staff.caseworker, id, 'decline', { reason: 'Out of remit' });
    const closed = await reply(staff.caseworker, id, { body: 'Hi' });
    expect(closed.status).toBe(422);
    expect(closed.body.error.message).toMatch(/reply is not allowed when a request is declined/);
  });
});

describe('a reply SES refuses', () => {
  it('is shown as failed, never as sent, and goes once when staff send it again', async () => {
    const { id, requester } = await newRequest();
    faults = mockClient(ses);
    faults
      .on(SendRawEmailCommand)
      .rejects(
        Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' }),
      );
    const sent = await reply(staff.caseworker, id, { body: 'We can meet in March.' });
    expect(sent.status).toBe(201);
    await postroom.settle();
    faults.restore();
    faults = undefined;

    const detail = await api(staff.caseworker, 'GET', `/api/requests/${id}`);
    const shown = detail.body.messages.find((m: { key: string }) => m.key === sent.body.key);
    expect(shown.status).toBe('failed');
    const [failure] = detail.body.failedNotifications;
    expect(failure).toMatchObject({ kind: 'reply', recipient: requester });
    expect(await sentMail.to(requester)).toEqual([]);
    // Nothing goes again by itself.
    await postroom.settle();
    expect(await sentMail.to(requester)).toEqual([]);

    const retried = await api(
      staff.caseworker,
      'POST',
      `/api/requests/${id}/notifications/${failure.id}/resend`,
    );
    expect(retried.status).toBe(200);
    await postroom.settle();
    const [mail] = await sentMail.to(requester);
    expect(mail?.body.text).toContain('We can meet in March.');
    // Sent again as it was kept: the same bytes, under its own Message-ID.
    const kept = (await records.messages(id)).find((m) => m.key === sent.body.key);
    expect(await documentText(kept?.raw?.key ?? '')).toContain(
      `Message-ID: ${sent.body.messageId}`,
    );
    const after = await api(staff.caseworker, 'GET', `/api/requests/${id}`);
    expect(after.body.messages.find((m: { key: string }) => m.key === sent.body.key).status).toBe(
      'sent',
    );
    // Asking twice sends once.
    const again = await api(
      staff.caseworker,
      'POST',
      `/api/requests/${id}/notifications/${failure.id}/resend`,
    );
    expect(again.status).toBe(409);
    await postroom.settle();
    expect(await sentMail.to(requester)).toHaveLength(1);
  });
});

describe('suppression', () => {
  it('leaves out an address that bounced, sends to the rest, and fails when nobody is left', async () => {
    const { id, requester } = await newRequest();
    await scheduleWithRaj(id, 'raj.bounced@lumencam.example');
    await suppressionList(env().table).suppress({
      address: 'raj.bounced@lumencam.example',
      reason: 'bounce',
      detail: 'Permanent: General',
      at: new Date().toISOString(),
      feedbackId: `feedback-${id}`,
    });
    await postroom.settle();
    await sentMail.clear();
    const both = await reply(staff.caseworker, id, {
      body: 'Dates to follow.',
      cc: ['raj.bounced@lumencam.example'],
    });
    expect(both.status).toBe(201);
    await postroom.settle();
    expect(await sentMail.to(requester)).toHaveLength(1);
    // It went, but the page says to whom it did not.
    const partly = await api(staff.caseworker, 'GET', `/api/requests/${id}`);
    expect(
      partly.body.messages.find((m: { key: string }) => m.key === both.body.key),
    ).toMatchObject({
      status: 'sent',
      notSentTo: ['raj.bounced@lumencam.example'],
    });

    await sentMail.clear();
    const onlyBounced = await reply(staff.caseworker, id, {
      body: 'Only to Raj.',
      to: ['raj.bounced@lumencam.example'],
    });
    expect(onlyBounced.status).toBe(201);
    await postroom.settle();
    expect(await sentMail.all()).toEqual([]);
    const detail = await api(staff.caseworker, 'GET', `/api/requests/${id}`);
    expect(
      detail.body.messages.find((m: { key: string }) => m.key === onlyBounced.body.key).status,
    ).toBe('failed');
    expect(detail.body.failedNotifications).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'reply',
          error: expect.stringMatching(/bounced permanently/),
        }),
      ]),
    );
  });
});
