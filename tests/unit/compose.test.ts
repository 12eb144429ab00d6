import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { composeMessage, type OutboundMessage } from '../../shared/mail/compose.ts';

function message(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    from: { address: 'commissioner@office.example', name: 'The Commissioner’s Office' },
    to: ['vp.publicaffairs@lumencam.example'],
    subject: '[REQ-2026-0007] We have received your request',
    text: 'Dear Helen,\n\nThank you for your message.\n',
    html: '<p>Dear Helen,</p><p>Thank you for your message.</p>',
    messageId: '<REQ-2026-0007.ack@postroom.office.example>',
    inReplyTo: '<letter-001@lumencam.example>',
    references: ['<letter-001@lumencam.example>', '<REQ-2026-0007.ack@postroom.office.example>'],
    autoSubmitted: 'auto-replied',
    date: new Date('2026-01-30T09:15:00Z'),
    ...overrides,
  };
}

function headerBlock(raw: string): string {
  return raw.slice(0, raw.indexOf('\r\n\r\n'));
}

/** Header lines with folded continuations joined, as a reader sees them. */
function headerLines(raw: string): string[] {
  return headerBlock(raw)
    .replace(/\r\n[ \t]+/g, ' ')
    .split('\r\n');
}

describe('composeMessage headers', () => {
  const raw = composeMessage(message());
  const lines = headerLines(raw);

  it('sets the threading and loop-protection headers', () => {
    expect(lines).toContain('Message-ID: <REQ-2026-0007.ack@postroom.office.example>');
    expect(lines).toContain('In-Reply-To: <letter-001@lumencam.example>');
    expect(lines).toContain(
      'References: <letter-001@lumencam.example> <REQ-2026-0007.ack@postroom.office.example>',
    );
    expect(lines).toContain('Auto-Submitted: auto-replied');
    expect(lines).toContain('X-Auto-Response-Suppress: All');
    expect(lines).toContain('MIME-Version: 1.0');
  });

  it('writes the date in RFC 5322 form with a numeric zone', () => {
    expect(lines).toContain('Date: Fri, 30 Jan 2026 09:15:00 +0000');
  });

  it('leaves out In-Reply-To and References when there are none', () => {
    const bare = headerLines(
      composeMessage(
        message({ inReplyTo: undefined, references: [], autoSubmitted: 'auto-generated' }),
      ),
    );
    expect(bare.some((line) => line.startsWith('In-Reply-To:'))).toBe(false);
    expect(bare.some((line) => line.startsWith('References:'))).toBe(false);
    expect(bare).toContain('Auto-Submitted: auto-generated');
  });

  it('uses CRLF for every line break', () => {
    expect(raw).toContain('\r\n');
    expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('keeps every line within the RFC 5322 limit of 998 characters', () => {
    for (const line of raw.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
  });

  it('writes only ASCII', () => {
    expect(raw).not.toMatch(/[^ -~\r\n]/);
  });
});

describe('composeMessage round trip through a MIME parser', () => {
  it('reads back the headers a client threads by', async () => {
    const parsed = await PostalMime.parse(composeMessage(message()));
    expect(parsed.messageId).toBe('<REQ-2026-0007.ack@postroom.office.example>');
    expect(parsed.inReplyTo).toBe('<letter-001@lumencam.example>');
    expect(parsed.references).toContain('<letter-001@lumencam.example>');
    expect(parsed.subject).toBe('[REQ-2026-0007] We have received your request');
    expect(parsed.from).toMatchObject({
      address: 'commissioner@office.example',
      name: 'The Commissioner’s Office',
    });
    expect(parsed.to?.[0]).toMatchObject({ address: 'vp.publicaffairs@lumencam.example' });
  });

  it('encodes a non-ASCII subject as encoded-words that decode back', async () => {
    const subject = '[REQ-2026-0008] 面会のお願い（株式会社さくら光学）– Réunion « données »';
    const raw = composeMessage(message({ subject }));
    const subjectHeader = headerBlock(raw).match(/^Subject: .*(?:\r\n .*)*/m)?.[0] ?? '';
    expect(subjectHeader).toMatch(/=\?UTF-8\?B\?/);
    // RFC 2047: an encoded-word is at most 75 characters long.
    for (const word of subjectHeader.match(/=\?[^?]+\?B\?[^?]*\?=/g) ?? []) {
      expect(word.length).toBeLessThanOrEqual(75);
    }
    expect((await PostalMime.parse(raw)).subject).toBe(subject);
  });

  it('encodes a very long ASCII subject so it still decodes to the same text', async () => {
    const subject = `Re: ${'a long subject '.repeat(70)}`.trim();
    const raw = composeMessage(message({ subject }));
    expect((await PostalMime.parse(raw)).subject).toBe(subject);
  });

  it('quotes a display name containing quotes and decodes it back', async () => {
    const name = 'The "Office" \\ Team';
    const parsed = await PostalMime.parse(
      composeMessage(message({ from: { address: 'commissioner@office.example', name } })),
    );
    expect(parsed.from).toMatchObject({ name, address: 'commissioner@office.example' });
  });

  it('round-trips the text and HTML parts, including non-ASCII characters', async () => {
    const text = 'Dear Hélène,\n\nWe aim to reply by Monday 14 December 2026 – £0 fee.\n';
    const html = '<p>Dear Hélène,</p><p>“Smart Stops” – £0 fee.</p>';
    const parsed = await PostalMime.parse(composeMessage(message({ text, html })));
    expect(parsed.text).toBe(text);
    expect(parsed.html).toBe(html);
    expect(parsed.attachments).toEqual([]);
  });

  it('round-trips an attachment with its content type, name and bytes', async () => {
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => i % 256);
    const raw = composeMessage(
      message({
        text: 'See attached.\n',
        attachments: [
          {
            filename: 'invite.ics',
            contentType: 'text/calendar; charset=UTF-8; method=REQUEST',
            content: 'BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n',
          },
          { filename: 'data.bin', contentType: 'application/octet-stream', content: bytes },
        ],
      }),
    );
    expect(headerLines(raw).some((line) => line.startsWith('Content-Type: multipart/mixed;'))).toBe(
      true,
    );
    const parsed = await PostalMime.parse(raw, { attachmentEncoding: 'arraybuffer' });
    expect(parsed.text).toBe('See attached.\n');
    expect(parsed.attachments).toHaveLength(2);
    const [calendar, binary] = parsed.attachments;
    expect(calendar?.mimeType).toBe('text/calendar');
    expect(calendar?.filename).toBe('invite.ics');
    expect(calendar?.method?.toUpperCase()).toBe('REQUEST');
    // postal-mime normalises the line endings of text parts; the bytes are checked below.
    expect(Buffer.from(calendar?.content as ArrayBuffer).toString('utf8')).toBe(
      'BEGIN:VCALENDAR\nMETHOD:REQUEST\nEND:VCALENDAR\n',
    );
    const encoded = raw
      .split('filename="invite.ics"\r\nContent-Transfer-Encoding: base64\r\n\r\n')[1]
      ?.split('\r\n--')[0];
    expect(Buffer.from(encoded?.replace(/\s/g, '') ?? '', 'base64').toString('utf8')).toBe(
      'BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n',
    );
    expect(binary?.mimeType).toBe('application/octet-stream');
    expect(binary?.filename).toBe('data.bin');
    expect(new Uint8Array(binary?.content as ArrayBuffer)).toEqual(bytes);
  });

  it('is deterministic for the same message', () => {
    expect(composeMessage(message())).toBe(composeMessage(message()));
  });
});

describe('what staff type into a reply', () => {
  it('keeps long and non-ASCII file names, and many addresses, within the line limit, and reads them back', async () => {
    const name = `Заявление «об» "встрече" ${'о'.repeat(150)}.pdf`;
    const to = Array.from(
      { length: 20 },
      (_, n) => `someone.with.a.long.name.${n}@lumencam.example`,
    );
    const raw = composeMessage(
      message({
        to,
        cc: ['raj@lumencam.example'],
        autoSubmitted: undefined,
        attachments: [
          { filename: name, contentType: 'application/pdf', content: '%PDF-1.4' },
          { filename: 'say "hi"\\.txt', contentType: 'text/plain', content: 'hi' },
        ],
      }),
    );
    for (const line of raw.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
    const parsed = await PostalMime.parse(raw);
    expect(parsed.attachments.map((attachment) => attachment.filename)).toEqual([
      name,
      'say "hi"\\.txt',
    ]);
    expect(parsed.to?.map((address) => address.address)).toEqual(to);
    expect(parsed.cc?.map((address) => address.address)).toEqual(['raj@lumencam.example']);
    // A person's mail: no Auto-Submitted, nothing asking mailers not to answer.
    expect(raw).not.toMatch(/^Auto-Submitted:/m);
    expect(raw).not.toMatch(/^X-Auto-Response-Suppress:/m);
  });
});
