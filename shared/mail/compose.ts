import { createHash } from 'node:crypto';

/**
 * Builds the raw MIME that postroom sends. SES's SendRawEmail takes it as it is, so the
 * headers that keep threading and loop protection working (Message-ID, References,
 * Auto-Submitted) are ours to set and cannot be lost by a higher-level API.
 */
export interface OutboundAttachment {
  filename: string;
  contentType: string;
  content: string | Uint8Array;
}

export interface OutboundMessage {
  from: { address: string; name?: string };
  to: string[];
  cc?: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  /**
   * Set on everything postroom sends by itself (RFC 3834), so no mailer answers it; absent
   * on what a person wrote (a reply from staff), which deserves an answer like any letter.
   */
  autoSubmitted?: 'auto-replied' | 'auto-generated';
  date: Date;
  attachments?: OutboundAttachment[];
}

function encodeWord(value: string): string {
  // Plain ASCII passes as it is, unless it is too long for one header line (RFC 5322).
  if (/^[\x20-\x7e]*$/.test(value) && value.length <= 900) return value;
  // Chunk by characters so no multi-byte sequence is split across encoded-words.
  const words: string[] = [];
  let chunk = '';
  for (const char of value) {
    if (Buffer.byteLength(chunk + char) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word).toString('base64')}?=`).join('\r\n ');
}

function mailbox(address: string, name?: string): string {
  if (!name) return address;
  const shown = /^[\x20-\x7e]*$/.test(name)
    ? `"${name.replace(/["\\]/g, '\\$&')}"`
    : encodeWord(name);
  return `${shown} <${address}>`;
}

/**
 * A file name as a header parameter. Staff name uploaded files, so a name may hold quotes,
 * line breaks or any script: plain ASCII is quoted as it is; anything else goes as RFC 2231
 * UTF-8 (`filename*=`), after an ASCII stand-in for mailers that read only the plain form.
 */
function fileParameter(parameter: 'name' | 'filename', filename: string): string {
  if (/^[\x20-\x7e]*$/.test(filename) && !/["\\]/.test(filename))
    return `${parameter}="${filename}"`;
  const fallback = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  // RFC 2231 continuations, each on its own folded line, never splitting a %XX escape.
  const pieces = encoded.match(/(?:%[0-9A-F]{2}|[^%]){1,20}/g) ?? [];
  return [
    `${parameter}="${fallback.slice(0, 200)}"`,
    ...pieces.map(
      (piece, index) => `${parameter}*${index}*=${index === 0 ? "UTF-8''" : ''}${piece}`,
    ),
  ].join(';\r\n ');
}

function base64Lines(content: string | Uint8Array): string {
  const encoded = Buffer.from(content).toString('base64');
  return encoded.replace(/.{1,76}/g, '$&\r\n');
}

function boundary(seed: string, part: string): string {
  return `=_postroom_${part}_${createHash('sha256').update(seed).digest('hex').slice(0, 16)}`;
}

export function composeMessage(message: OutboundMessage): string {
  const alternative = boundary(message.messageId, 'alt');
  const mixed = boundary(message.messageId, 'mixed');
  const attachments = message.attachments ?? [];
  const headers = [
    `From: ${mailbox(message.from.address, message.from.name)}`,
    // Folded after each address, so twenty long ones stay within SMTP's line limit.
    `To: ${message.to.join(',\r\n ')}`,
    ...(message.cc?.length ? [`Cc: ${message.cc.join(',\r\n ')}`] : []),
    `Subject: ${encodeWord(message.subject)}`,
    `Date: ${message.date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: ${message.messageId}`,
    ...(message.inReplyTo ? [`In-Reply-To: ${message.inReplyTo}`] : []),
    ...(message.references?.length ? [`References: ${message.references.join(' ')}`] : []),
    ...(message.autoSubmitted
      ? [`Auto-Submitted: ${message.autoSubmitted}`, 'X-Auto-Response-Suppress: All']
      : []),
    'MIME-Version: 1.0',
  ];
  const body = [
    `--${alternative}`,
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(message.text),
    `--${alternative}`,
    'Content-Type: text/html; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(message.html),
    `--${alternative}--`,
  ];
  if (attachments.length === 0) {
    return [
      ...headers,
      `Content-Type: multipart/alternative; boundary="${alternative}"`,
      '',
      ...body,
      '',
    ].join('\r\n');
  }
  return [
    ...headers,
    `Content-Type: multipart/mixed; boundary="${mixed}"`,
    '',
    `--${mixed}`,
    `Content-Type: multipart/alternative; boundary="${alternative}"`,
    '',
    ...body,
    ...attachments.flatMap((attachment) => [
      `--${mixed}`,
      `Content-Type: ${attachment.contentType}; ${fileParameter('name', attachment.filename)}`,
      `Content-Disposition: attachment; ${fileParameter('filename', attachment.filename)}`,
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(attachment.content),
    ]),
    `--${mixed}--`,
    '',
  ].join('\r\n');
}
