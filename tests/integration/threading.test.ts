import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBrokenLink } from '../../shared/workflow/audit.ts';
import { plainLetter } from '../support/letters.ts';
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
    const before = await records.byReference(reference);
    const ackId =
      (await records.messages(before?.id ?? '')).find((m) => m.kind === 'acknowledgement')
        ?.messageId ?? '';
    // The fixture replies to the id an acknowledgement had when they could be guessed.
    const reply = withReference(
      fixture('29-reply-ack-in-reply-to.eml'),
      '<REQ-0000-0000.ack@postroom.office.example>',
      ackId,
    );
    await postroom.deliver(reply, sender);
    const request = await records.byReference(reference);
    expect(request?.messageCount).toBe(4);
    expect((await records.events(request?.id ?? '')).at(-1)?.details.matchedBy).toBe(
      `Message-ID ${ackId}`,
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

describe('mail from outside the request', () => {
  const stranger = 'someone@elsewhere.example';

  it('lets a participant\u2019s reply join without a flag', async () => {
    const request = await records.byReference(reference);
    expect(request?.flags.some((flag) => flag.includes('not on this request'))).toBe(false);
  });

  it('joins a stranger\u2019s reply by the subject\u2019s reference, flagged for staff', async () => {
    await postroom.deliver(
      plainLetter({ from: `Some One <${stranger}>`, subject: `Re: [${reference}] change of plan` }),
      stranger,
    );
    const request = await records.byReference(reference);
    expect(request?.flags).toContain(`mail from someone not on this request: ${stranger}`);
    expect((await records.events(request?.id ?? '')).at(-1)?.details).toMatchObject({
      sender: stranger,
      notOnRequest: true,
    });
    // Told once: a second letter from them joins without a second flag.
    await postroom.deliver(
      plainLetter({ from: `Some One <${stranger}>`, subject: `Re: [${reference}] again` }),
      stranger,
    );
    const again = await records.byReference(reference);
    expect(again?.flags.filter((flag) => flag.includes(stranger))).toHaveLength(1);
  });

  it('cannot be steered onto the request by guessing an acknowledgement’s Message-ID', async () => {
    const guesser = 'guesser@elsewhere.example';
    const before = (await records.byReference(reference))?.messageCount;
    await postroom.deliver(
      plainLetter({
        from: guesser,
        subject: 'Re: your acknowledgement',
        // The id acknowledgements had when it could be worked out from the reference.
        headers: [`In-Reply-To: <${reference}.ack@postroom.office.example>`],
      }),
      guesser,
    );
    expect((await records.byReference(reference))?.messageCount).toBe(before);
    const own = (await records.requestsInStage('received')).filter(
      (request) => request.sender.address === guesser,
    );
    expect(own).toHaveLength(1);
  });

  it('holds a stranger\u2019s mail that names the request only by subject and fails authentication', async () => {
    const forger = 'forger@spoofed.example';
    const before = (await records.byReference(reference))?.messageCount;
    await postroom.deliver(
      plainLetter({
        from: forger,
        subject: `Re: [${reference}] please send the minutes here`,
        headers: [
          'Authentication-Results: amazonses.com; spf=fail smtp.mailfrom=spoofed.example; dkim=fail; dmarc=fail header.from=spoofed.example',
        ],
      }),
      forger,
    );
    expect((await records.byReference(reference))?.messageCount).toBe(before);
    const held = (await records.heldMail()).find((mail) => mail.from === forger);
    expect(held).toMatchObject({ reason: 'unverified_stranger' });
  });

  const failing =
    'Authentication-Results: amazonses.com; spf=fail smtp.mailfrom=lumencam.example; dkim=fail; dmarc=fail header.from=lumencam.example';

  /** Delivers mail and says where it went: onto the request, or held (and why). */
  async function whereDoes(raw: Buffer, envelope: string, subject: string) {
    const before = (await records.byReference(reference))?.messageCount ?? 0;
    await postroom.deliver(raw, envelope);
    const after = await records.byReference(reference);
    const held = (await records.heldMail()).find((mail) => mail.subject === subject);
    return {
      joined: (after?.messageCount ?? 0) > before,
      held: held?.reason,
      flags: after?.flags ?? [],
    };
  }

  it('holds mail as from the requester that their own domain disowns', async () => {
    const subject = `Re: [${reference}] new bank details`;
    const outcome = await whereDoes(
      plainLetter({ from: `Helen Marsh <${sender}>`, subject, headers: [failing] }),
      sender,
      subject,
    );
    expect(outcome).toMatchObject({ joined: false, held: 'unverified_sender' });
  });

  it('holds a stranger’s mail that joins by a Message-ID they were copied on, failing authentication', async () => {
    const subject = 'Re: your letter';
    const outcome = await whereDoes(
      plainLetter({
        from: 'mallory@evil.example',
        subject,
        headers: [
          'In-Reply-To: <letter-001@lumencam.example>',
          failing.replaceAll('lumencam', 'evil'),
        ],
      }),
      'mallory@evil.example',
      subject,
    );
    expect(outcome).toMatchObject({ joined: false, held: 'unverified_stranger' });
  });

  it.each([
    [
      'two From headers',
      (subject: string) =>
        plainLetter({ from: sender, subject, headers: ['From: mallory@evil.example'] }),
    ],
    [
      'two addresses in From',
      (subject: string) => plainLetter({ from: `${sender}, mallory@evil.example`, subject }),
    ],
    [
      'an address only inside encoded text',
      (subject: string) =>
        plainLetter({
          from: `=?utf-8?b?${Buffer.from(`Helen Marsh <${sender}>`).toString('base64')}?=`,
          subject,
        }),
    ],
  ])('never takes %s as the requester', async (_what, build) => {
    const subject = `Re: [${reference}] ${_what}`;
    const outcome = await whereDoes(build(subject), 'mallory@evil.example', subject);
    // It joins, but as a stranger, flagged, and does not make the address trusted.
    expect(outcome.held).toBeUndefined();
    expect(outcome.joined).toBe(true);
    expect(
      outcome.flags.some((flag) => flag.startsWith(`mail claiming to be from ${sender}:`)),
    ).toBe(true);
    expect(outcome.flags).not.toContain(`mail from someone not on this request: ${sender}`);
    // With failing verdicts the same mail is held, not joined.
    const forged = `${subject} (forged)`;
    const raw = Buffer.concat([Buffer.from(`${failing}\r\n`), build(forged)]);
    expect(await whereDoes(raw, 'mallory@evil.example', forged)).toMatchObject({
      joined: false,
      held: 'unverified_stranger',
    });
  });

  it.each([
    ['SPF failing with no DKIM', 'spf=fail; dkim=none; dmarc=permerror'],
    ['SPF soft-failing with no DKIM', 'spf=softfail; dkim=none; dmarc=none'],
    [
      'only the attacker’s own domain passing',
      'spf=pass smtp.mailfrom=bounce@evil.example; dkim=pass header.i=@evil.example; dmarc=none',
    ],
  ])('holds mail as from the requester with %s', async (what, results) => {
    const subject = `Re: [${reference}] ${what}`;
    const outcome = await whereDoes(
      plainLetter({
        from: `Helen Marsh <${sender}>`,
        subject,
        headers: [`Authentication-Results: amazonses.com; ${results}`],
      }),
      sender,
      subject,
    );
    expect(outcome).toMatchObject({ joined: false, held: 'unverified_sender' });
  });

  it('lets the requester’s reply join when their own domain passes', async () => {
    const subject = `Re: [${reference}] confirmed`;
    const outcome = await whereDoes(
      plainLetter({
        from: `Helen Marsh <${sender}>`,
        subject,
        headers: [
          'Authentication-Results: amazonses.com; spf=pass smtp.mailfrom=bounces@mail.lumencam.example; dkim=none; dmarc=none',
        ],
      }),
      sender,
      subject,
    );
    expect(outcome).toMatchObject({ joined: true, held: undefined });
  });

  it('lets the requester’s forwarded mail join when only SPF fails, flagged', async () => {
    const subject = `Re: [${reference}] forwarded by our office`;
    const outcome = await whereDoes(
      plainLetter({
        from: sender,
        subject,
        headers: [
          'Authentication-Results: amazonses.com; spf=fail; dkim=pass header.d=lumencam.example; dmarc=pass',
        ],
      }),
      sender,
      subject,
    );
    expect(outcome).toMatchObject({ joined: true, held: undefined });
    expect(outcome.flags).toContain(`mail from ${sender} failed SPF`);
  });
});
