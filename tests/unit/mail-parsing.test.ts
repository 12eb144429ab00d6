import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type InboundLetter, readInbound, repairWindows1252 } from '../../shared/mail/inbound.ts';
import { inferOrganisation } from '../../shared/mail/organisation.ts';
import { sanitiseLetterHtml } from '../../shared/mail/sanitise.ts';

const limits = { maxBytes: 40 * 1024 * 1024, maxParts: 250, maxDepth: 32 };
const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, '..', 'fixtures', 'mail', name));

async function letter(name: string): Promise<InboundLetter> {
  const reading = await readInbound(fixture(name), limits);
  if (!reading.ok) throw new Error(`${name} was held: ${reading.reason} (${reading.detail})`);
  return reading.letter;
}

async function holdReason(raw: Buffer, custom = limits): Promise<string> {
  const reading = await readInbound(raw, custom);
  return reading.ok ? 'parsed' : reading.reason;
}

describe('reading a letter', () => {
  it('reads the worked example: sender, organisation, ids, bodies and the PDF', async () => {
    const parsed = await letter('01-letter-pdf.eml');
    expect(parsed.from).toEqual({
      address: 'vp.publicaffairs@lumencam.example',
      name: 'Helen Marsh',
    });
    expect(parsed.organisation).toEqual({ name: 'LumenCam Ltd', source: 'signature' });
    expect(parsed.messageId).toBe('<letter-001@lumencam.example>');
    expect(parsed.subject).toBe('Request for a meeting with the Commissioner');
    expect(parsed.sentAt).toMatch(/^2026-01-30T/);
    expect(parsed.text).toContain('public safety');
    expect(parsed.html).toContain('<');
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]).toMatchObject({ contentType: 'application/pdf', inline: false });
    expect(
      Buffer.from(parsed.attachments[0]?.content ?? [])
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    expect(parsed.verdicts).toMatchObject({
      spam: 'PASS',
      virus: 'PASS',
      spf: 'PASS',
      dkim: 'PASS',
      dmarc: 'PASS',
    });
    expect(parsed.machine).toBeUndefined();
  });

  it('decodes windows-1252 curly quotes, dashes and the pound sign', async () => {
    const parsed = await letter('06-windows-1252-qp.eml');
    expect(parsed.subject).toBe('Meeting request – “Smart Stops” pilot');
    expect(parsed.text).toMatch(/£/);
    expect(parsed.text).not.toMatch(/[\u0080-\u009f]/);
  });

  it('decodes ISO-8859-1, ISO-2022-JP and UTF-8 encoded words', async () => {
    expect((await letter('07-iso-8859-1.eml')).text).toContain('Société');
    expect((await letter('07-iso-8859-1.eml')).from.name).toBe('Hélène Moreau');
    expect((await letter('08-iso-2022-jp.eml')).subject).toBe('面会のお願い（株式会社さくら光学）');
    expect((await letter('09-utf8-encoded-words.eml')).subject).toBe(
      'Réunion – données ouvertes : demande de rendez-vous',
    );
  });

  it('decodes an RFC 2231 attachment name', async () => {
    expect((await letter('28-rfc2231-filename.eml')).attachments[0]?.filename).toBe(
      'Lettre à la commissaire.pdf',
    );
  });

  it('marks an inline image as inline and keeps its Content-ID', async () => {
    const [image] = (await letter('04-html-inline-image.eml')).attachments;
    expect(image).toMatchObject({
      contentType: 'image/png',
      inline: true,
      contentId: '<logo-01@greenfieldhomes.example>',
    });
  });

  it('reads replies’ threading headers', async () => {
    const reply = await letter('10-reply-in-reply-to.eml');
    expect(reply.inReplyTo).toEqual(['<letter-001@lumencam.example>']);
    expect(reply.references).toEqual(['<letter-001@lumencam.example>']);
  });

  it('gives a subject-less letter a visible placeholder and a header-only one an empty body', async () => {
    expect((await letter('25-missing-subject.eml')).subject).toBe('(no subject)');
    expect((await letter('19-header-only.eml')).text).toBe('');
  });

  it('reads SES verdicts and failed sender authentication', async () => {
    expect((await letter('16-spam-fail.eml')).verdicts.spam).toBe('FAIL');
    expect((await letter('26-auth-fail.eml')).verdicts).toMatchObject({
      spf: 'FAIL',
      dkim: 'FAIL',
      dmarc: 'FAIL',
    });
  });
});

describe('mail that cannot be a letter', () => {
  it.each([
    ['15-virus-fail.eml', 'virus'],
    ['17-broken-boundaries.eml', 'malformed'],
    ['18-missing-from.eml', 'no_sender'],
    ['20-nesting-bomb.eml', 'too_deep'],
    ['21-too-many-parts.eml', 'too_many_parts'],
  ])('holds %s as %s', async (name, reason) => {
    expect(await holdReason(fixture(name))).toBe(reason);
  });

  it('holds a message over the size limit without parsing it', async () => {
    expect(await holdReason(fixture('01-letter-pdf.eml'), { ...limits, maxBytes: 1000 })).toBe(
      'oversize',
    );
  });

  it('does not parse a message SES found infected, even a well-formed one', async () => {
    const infected = Buffer.concat([
      Buffer.from('X-SES-Virus-Verdict: FAIL\r\n'),
      fixture('01-letter-pdf.eml'),
    ]);
    const reading = await readInbound(infected, limits);
    expect(reading).toMatchObject({
      ok: false,
      reason: 'virus',
      detail: expect.stringContaining('not parsed'),
    });
  });
});

describe('helpers', () => {
  it('maps C1 controls back to windows-1252 characters', () => {
    expect(repairWindows1252('\u0093quoted\u0094 \u0096 \u0080')).toBe('“quoted” – €');
  });

  it('finds the organisation in a signature after "-- " and falls back to the domain', () => {
    expect(
      inferOrganisation(
        'Hello\n\n-- \nJane Doe\nChair\nHarbour Users Association\n',
        'jane@mail.example',
      ),
    ).toEqual({
      name: 'Harbour Users Association',
      source: 'signature',
    });
    expect(inferOrganisation('Regards, Jane', 'jane@acme.example')).toEqual({
      name: 'acme.example',
      source: 'domain',
    });
    expect(inferOrganisation('Regards, Jane', 'jane@gmail.com')).toBeUndefined();
  });

  it('sanitises dangerous HTML but keeps the words', async () => {
    const html = sanitiseLetterHtml((await letter('05-html-dangerous.eml')).html ?? '');
    expect(html).not.toMatch(/<script|onerror=|onload=|javascript:|<iframe|<form/i);
    expect(html).toMatch(/facial recognition/i);
  });
});
