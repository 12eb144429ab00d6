import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as intake } from '../../functions/intake-mail.ts';
import { LOCAL_REGION } from '../../infra/local/cloud.ts';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { objectCreatedDelivery } from '../../infra/local/s3-notification.ts';
import {
  documentObject,
  documentText,
  env,
  fixture,
  inboundKeys,
  putRaw,
  records,
  sentMail,
  startPostroom,
  withReference,
} from '../support/postroom.ts';

/**
 * Every message in the fixture corpus, delivered over SMTP, lands somewhere: its own
 * request, the request it replies to, or held mail with a reason. Nothing is dropped.
 */
type Expected =
  | { place: 'request'; acknowledged: boolean; flag?: RegExp }
  | { place: 'reply' }
  | { place: 'held'; reason: string };

const newRequest: Expected = { place: 'request', acknowledged: true };
const silentRequest: Expected = { place: 'request', acknowledged: false };

const expected: Record<string, Expected> = {
  '01-letter-pdf.eml': newRequest,
  '02-docx-charity.eml': newRequest,
  '03-pdf-and-docx.eml': newRequest,
  '04-html-inline-image.eml': newRequest,
  '05-html-dangerous.eml': newRequest,
  '06-windows-1252-qp.eml': newRequest,
  '07-iso-8859-1.eml': newRequest,
  '08-iso-2022-jp.eml': newRequest,
  '09-utf8-encoded-words.eml': newRequest,
  '10-reply-in-reply-to.eml': { place: 'reply' },
  '11-reply-subject-token.eml': { place: 'reply' },
  '12-out-of-office.eml': { place: 'held', reason: 'auto_reply_to_nothing' },
  '13-newsletter-bulk.eml': { ...silentRequest, flag: /Precedence: bulk/ },
  '14-dsn-bounce.eml': { place: 'held', reason: 'unmatched_bounce' },
  '15-virus-fail.eml': { place: 'held', reason: 'virus' },
  '16-spam-fail.eml': { ...silentRequest, flag: /spam/ },
  '17-broken-boundaries.eml': { place: 'held', reason: 'malformed' },
  '18-missing-from.eml': { place: 'held', reason: 'no_sender' },
  '19-header-only.eml': newRequest,
  '20-nesting-bomb.eml': { place: 'held', reason: 'too_deep' },
  '21-too-many-parts.eml': { place: 'held', reason: 'too_many_parts' },
  '22-freemail-signature.eml': newRequest,
  '23-auto-generated-ticket.eml': { ...silentRequest, flag: /auto-generated/ },
  '24-postmaster-note.eml': { ...silentRequest, flag: /machine sender postmaster/ },
  '25-missing-subject.eml': newRequest,
  // Its domain's SPF and DKIM both say it did not send it: no acknowledgement to whoever
  // the From names (backscatter), but a request, flagged, for staff.
  '26-auth-fail.eml': { ...silentRequest, flag: /sender authentication failed: SPF, DKIM, DMARC/ },
  '27-long-subject-references.eml': newRequest,
  '28-rfc2231-filename.eml': newRequest,
  '29-reply-ack-in-reply-to.eml': { place: 'reply' },
  '30-cc-multiple-to-reply-to.eml': newRequest,
};

let postroom: Awaited<ReturnType<typeof startPostroom>>;
const filed = new Map<string, string>();
const reference = `REQ-${new Date().getFullYear()}-0001`;

beforeAll(async () => {
  postroom = await startPostroom();
  await sentMail.clear();
  for (const name of readdirSync(join(import.meta.dirname, '..', 'fixtures', 'mail'))
    .filter((f) => f.endsWith('.eml'))
    .sort()) {
    const before = new Set(await inboundKeys());
    let raw = withReference(fixture(name), 'REQ-0000-0000', reference);
    if (name === '29-reply-ack-in-reply-to.eml') {
      // Acknowledgement ids are random now: reply to the one actually sent.
      const first = await records.byReference(reference);
      const ackId =
        (await records.messages(first?.id ?? '')).find((m) => m.kind === 'acknowledgement')
          ?.messageId ?? '';
      raw = withReference(raw, `<${reference}.ack@postroom.office.example>`, ackId);
    }
    await postroom.deliver(raw);
    const [key] = (await inboundKeys()).filter((candidate) => !before.has(candidate));
    filed.set(name, key ?? '');
  }
}, 180_000);
afterAll(async () => {
  await postroom.close();
});

describe('the fixture corpus', () => {
  it('has at least 25 messages and an expectation for each', () => {
    expect(filed.size).toBeGreaterThanOrEqual(25);
    expect([...filed.keys()].sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.entries(expected))('%s is filed where it belongs', async (name, expectation) => {
    const key = filed.get(name) ?? '';
    const filing = await records.filing(key);
    expect(filing, `${name} (${key}) was not filed`).toBeDefined();
    if (expectation.place === 'held') {
      expect(filing).toMatchObject({ place: 'held', reason: expectation.reason });
      const held = await records.held(filing?.place === 'held' ? filing.heldId : '');
      expect(held).toMatchObject({
        reason: expectation.reason,
        raw: { bucket: env().inbound, key },
      });
      expect(held?.detail.length).toBeGreaterThan(5);
      return;
    }
    expect(filing?.place).toBe('request');
    const requestId = filing?.place === 'request' ? filing.requestId : '';
    const request = await records.request(requestId);
    if (expectation.place === 'reply') {
      expect(request?.reference).toBe(reference);
      return;
    }
    if (name !== '01-letter-pdf.eml') expect(request?.reference).not.toBe(reference);
    const [event] = await records.events(requestId);
    expect(event?.details.acknowledge).toBe(expectation.acknowledged);
    const acknowledgements = (await sentMail.to(request?.sender.address ?? '')).filter((mail) =>
      mail.subject.startsWith(`[${request?.reference}] We have received`),
    );
    expect(acknowledgements).toHaveLength(expectation.acknowledged ? 1 : 0);
    if (expectation.flag) expect(request?.flags.join('; ')).toMatch(expectation.flag);
  });

  it('decodes charsets and encoded words into the request', async () => {
    const subjectOf = async (name: string) => {
      const filing = await records.filing(filed.get(name) ?? '');
      return (await records.request(filing?.place === 'request' ? filing.requestId : ''))?.subject;
    };
    expect(await subjectOf('06-windows-1252-qp.eml')).toBe('Meeting request – “Smart Stops” pilot');
    expect(await subjectOf('08-iso-2022-jp.eml')).toBe('面会のお願い（株式会社さくら光学）');
    expect(await subjectOf('09-utf8-encoded-words.eml')).toBe(
      'Réunion – données ouvertes : demande de rendez-vous',
    );
    expect(await subjectOf('25-missing-subject.eml')).toBe('(no subject)');
  });

  it('finds the organisation from the signature when the domain says nothing', async () => {
    const filing = await records.filing(filed.get('22-freemail-signature.eml') ?? '');
    const request = await records.request(filing?.place === 'request' ? filing.requestId : '');
    expect(request?.organisation).toBe('Scottish Coastal Communities Trust');
  });

  it('keeps a held message unparsed: the raw object is still in the inbound bucket', async () => {
    const key = filed.get('15-virus-fail.eml') ?? '';
    expect(await documentText(key, env().inbound)).toContain('X-SES-Virus-Verdict: FAIL');
    expect((await records.heldMail()).map((held) => held.reason).sort()).toEqual(
      Object.values(expected)
        .flatMap((expectation) => (expectation.place === 'held' ? [expectation.reason] : []))
        .sort(),
    );
  });

  it('stores an RFC 2231 file name and a header-only message', async () => {
    const attachmentFiling = await records.filing(filed.get('28-rfc2231-filename.eml') ?? '');
    const [message] = await records.messages(
      attachmentFiling?.place === 'request' ? attachmentFiling.requestId : '',
    );
    expect(message?.documents?.attachments[0]?.filename).toBe('Lettre à la commissaire.pdf');
    const emptyFiling = await records.filing(filed.get('19-header-only.eml') ?? '');
    const [empty] = await records.messages(
      emptyFiling?.place === 'request' ? emptyFiling.requestId : '',
    );
    expect(await documentText(empty?.documents?.text ?? '')).toBe('');
  });
});

describe('large messages', () => {
  it('files a 30 MB letter sent over SMTP with its attachment intact', async () => {
    const attachment = randomBytes(22 * 1024 * 1024);
    const encoded = attachment.toString('base64').replace(/.{76}/g, '$&\r\n');
    const raw = Buffer.from(
      [
        'From: "Archive Team" <archive@bigfiles.example>',
        'To: commissioner@office.example',
        'Subject: Our full submission (large)',
        'Message-ID: <large-30mb@bigfiles.example>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Please find our full submission attached.',
        '--b1',
        'Content-Type: application/pdf; name="submission.pdf"',
        'Content-Disposition: attachment; filename="submission.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        encoded,
        '--b1--',
        '',
      ].join('\r\n'),
    );
    expect(raw.byteLength).toBeGreaterThan(29 * 1024 * 1024);
    await postroom.deliver(raw);
    const request = (await records.requestsInStage('received')).find(
      (r) => r.subject === 'Our full submission (large)',
    );
    const [message] = await records.messages(request?.id ?? '');
    const stored = message?.documents?.attachments[0];
    expect(stored).toMatchObject({ filename: 'submission.pdf', size: attachment.byteLength });
    const object = await documentObject(stored?.key ?? '');
    expect(Buffer.from(object.bytes ?? []).equals(attachment)).toBe(true);
  }, 120_000);

  it('holds a message over 40 MB without reading it', async () => {
    const key = 'inbound/oversize-41mb';
    await putRaw(key, Buffer.alloc(41 * 1024 * 1024, 'a'));
    const result = await intake(
      objectCreatedDelivery(env().inbound, key, 0, LOCAL_REGION),
      lambdaContext('intake', 60),
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(await records.filing(key)).toMatchObject({ place: 'held', reason: 'oversize' });
  }, 120_000);
});
