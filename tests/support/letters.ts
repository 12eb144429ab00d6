import { randomBytes } from 'node:crypto';

/** A plain letter as raw MIME, for tests that need many distinct (or deliberately equal) ones. */
export function plainLetter(fields: {
  from: string;
  subject: string;
  messageId?: string;
  date?: string;
  body?: string;
  headers?: string[];
}): Buffer {
  const messageId = fields.messageId ?? `<${randomBytes(8).toString('hex')}@sender.example>`;
  return Buffer.from(
    [
      `From: ${fields.from}`,
      'To: commissioner@office.example',
      `Subject: ${fields.subject}`,
      `Message-ID: ${messageId}`,
      `Date: ${fields.date ?? 'Mon, 30 Nov 2026 09:15:00 +0000'}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      ...(fields.headers ?? []),
      '',
      fields.body ?? 'Dear Commissioner,\r\n\r\nWe would welcome a meeting.\r\n\r\nKind regards',
      '',
    ].join('\r\n'),
  );
}
