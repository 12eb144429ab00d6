import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBrokenLink } from '../../shared/workflow/audit.ts';
import {
  env,
  fixture,
  records,
  sentMail,
  startPostroom,
  withReference,
} from '../support/postroom.ts';

/**
 * Replies join their request, found by the subject token or by a Message-ID postroom
 * stored or sent, and get no acknowledgement of their own.
 */
let postroom: Awaited<ReturnType<typeof startPostroom>>;
const reference = `REQ-${new Date().getFullYear()}-0001`;
const sender = 'vp.publicaffairs@lumencam.example';

beforeAll(async () => {
  postroom = await startPostroom();
  await sentMail.clear();
  await postroom.deliver(fixture('01-letter-pdf.eml'), sender);
});
afterAll(async () => {
  await postroom.close();
});

describe('a reply to an existing request', () => {
  it('joins by In-Reply-To naming the original letter', async () => {
    await postroom.deliver(fixture('10-reply-in-reply-to.eml'), sender);
    const request = await records.byReference(reference);
    expect(request?.messageCount).toBe(2);
    const events = await records.events(request?.id ?? '');
    expect(events.at(-1)).toMatchObject({
      action: 'message_received',
      seq: 2,
      from: 'received',
      to: 'received',
      details: expect.objectContaining({ matchedBy: 'Message-ID <letter-001@lumencam.example>' }),
    });
  });

  it('joins by the reference token in the subject alone', async () => {
    await postroom.deliver(
      withReference(fixture('11-reply-subject-token.eml'), 'REQ-0000-0000', reference),
      sender,
    );
    const request = await records.byReference(reference);
    expect(request?.messageCount).toBe(3);
    expect((await records.events(request?.id ?? '')).at(-1)?.details.matchedBy).toBe(
      `subject reference ${reference}`,
    );
  });

  it('joins by In-Reply-To naming the acknowledgement postroom sent', async () => {
    await postroom.deliver(
      withReference(fixture('29-reply-ack-in-reply-to.eml'), 'REQ-0000-0000', reference),
      sender,
    );
    const request = await records.byReference(reference);
    expect(request?.messageCount).toBe(4);
    expect((await records.events(request?.id ?? '')).at(-1)?.details.matchedBy).toBe(
      `Message-ID <${reference}.ack@postroom.office.example>`,
    );
  });

  it('joins by the Message-ID SES gave the acknowledgement', async () => {
    const request = await records.byReference(reference);
    const ack = (await records.messages(request?.id ?? '')).find(
      (m) => m.kind === 'acknowledgement',
    );
    expect(ack?.sesMessageId).toMatch(/@eu-west-1\.amazonses\.com>$/);
    const reply = [
      `From: "Helen Marsh" <${sender}>`,
      'To: commissioner@office.example',
      'Subject: Re: Thank you',
      `In-Reply-To: ${ack?.sesMessageId}`,
      '',
      'Replying from a client that only quotes the id SES delivered.',
    ].join('\r\n');
    await postroom.deliver(Buffer.from(reply), sender);
    expect((await records.byReference(reference))?.messageCount).toBe(5);
  });

  it('keeps one request, an intact audit chain, one acknowledgement and a staff alert per reply', async () => {
    const requests = await records.requestsInStage('received');
    expect(requests).toHaveLength(1);
    const request = requests[0];
    const events = await records.events(request?.id ?? '');
    expect(events.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(findBrokenLink(events)).toBeUndefined();
    expect(request?.lastHash).toBe(events.at(-1)?.hash);

    const toSender = await sentMail.to(sender);
    expect(toSender).toHaveLength(1);
    expect(toSender[0]?.subject).toContain('We have received');
    const alerts = (await sentMail.to(env().staff)).map((mail) => mail.subject);
    expect(
      alerts.filter((subject) => subject.startsWith(`[${reference}] New message:`)),
    ).toHaveLength(4);
  });

  it('does not let a tampered event pass the chain check', async () => {
    const request = await records.byReference(reference);
    const events = await records.events(request?.id ?? '');
    const tampered = events.map((event) =>
      event.seq === 3
        ? { ...event, details: { ...event.details, sender: 'someone@else.example' } }
        : event,
    );
    expect(findBrokenLink(tampered)).toBe(3);
  });
});
