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

/** A letter with attachments (each base64-encoded), as a mail client would send it. */
export function letterWithAttachments(fields: {
  from: string;
  subject: string;
  body?: string;
  attachments: Array<{ filename: string; contentType: string; content: Uint8Array | string }>;
}): Buffer {
  const boundary = `part-${randomBytes(6).toString('hex')}`;
  const base64 = (content: Uint8Array | string) =>
    Buffer.from(content).toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    [
      `From: ${fields.from}`,
      'To: commissioner@office.example',
      `Subject: ${fields.subject}`,
      `Message-ID: <${randomBytes(8).toString('hex')}@sender.example>`,
      'Date: Mon, 30 Nov 2026 09:15:00 +0000',
      'MIME-Version: 1.0',
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      fields.body ?? 'Dear Commissioner,\r\n\r\nOur letter is attached.\r\n\r\nKind regards',
      ...fields.attachments.flatMap((attachment) => [
        `--${boundary}`,
        `Content-Type: ${attachment.contentType}; name="${attachment.filename}"`,
        `Content-Disposition: attachment; filename="${attachment.filename}"`,
        'Content-Transfer-Encoding: base64',
        '',
        base64(attachment.content),
      ]),
      `--${boundary}--`,
      '',
    ].join('\r\n'),
  );
}
