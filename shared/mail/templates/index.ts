import { dateTime, weekdayDate } from '../../dates.ts';
import { escapeHtml, htmlDocument } from './html.ts';

/** What every template needs to know about the request it speaks of. */
export interface TemplateRequest {
  reference: string;
  subject: string;
  senderName: string;
  senderAddress: string;
  organisation?: string;
  receivedAt: string;
  replyBy: string;
  /** The office's (OFFICE_TIMEZONE): every time in the mail is shown on its clock. */
  timeZone: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** Control characters, and the marks that hide or reorder text (bidi overrides). */
const invisible = (code: number) =>
  code < 0x20 ||
  (code >= 0x7f && code <= 0x9f) ||
  (code >= 0x200b && code <= 0x200f) ||
  (code >= 0x202a && code <= 0x202e) ||
  (code >= 0x2066 && code <= 0x2069);

/**
 * What an acknowledgement may repeat of what a stranger wrote: anyone can forge a sender,
 * and an acknowledgement goes to whoever that is. So no address or link, and at most
 * `max` characters: the office's mail cannot carry someone else's message.
 */
export function neutralEcho(text: string, max: number): string {
  const plain = Array.from(
    text
      .replace(/\b(?:[a-z][\w+.-]*:\/\/|www\.)\S*/gi, '…')
      .replace(/\S+@\S+/g, '…')
      .replace(/\s+/g, ' '),
  )
    .filter((char) => !invisible(char.codePointAt(0) ?? 0))
    .join('')
    .trim();
  return plain.length > max ? `${plain.slice(0, max - 1).trimEnd()}…` : plain;
}

export function acknowledgement(request: TemplateRequest, officeName: string): RenderedMail {
  const name = request.senderName ? neutralEcho(request.senderName, 40) : '';
  const greeting = name ? `Dear ${name},` : 'Hello,';
  const lines = [
    greeting,
    `Thank you for your message "${neutralEcho(request.subject, 60)}". ${officeName} has received it and logged it as ${request.reference}.`,
    `We aim to reply by ${weekdayDate(request.replyBy, request.timeZone)}. Please keep ${request.reference} in the subject of any reply so that it joins the same request.`,
    'This is an automatic acknowledgement; please do not reply only to thank us.',
    officeName,
  ];
  return {
    // The sender's subject is not repeated here: the acknowledgement's subject is the
    // office's own words.
    subject: `[${request.reference}] We have received your request`,
    text: `${lines.join('\n\n')}\n`,
    html: htmlDocument(
      `${request.reference} received`,
      lines.map((line) => escapeHtml(line)),
    ),
  };
}

export function newRequestAlert(
  request: TemplateRequest,
  details: { attachments: string[]; flags: string[]; acknowledged: string },
): RenderedMail {
  const from = `${request.senderName ? `${request.senderName} ` : ''}<${request.senderAddress}>`;
  const facts: Array<[string, string]> = [
    ['Reference', request.reference],
    ['From', from],
    ['Organisation', request.organisation ?? 'not identified'],
    ['Subject', request.subject],
    ['Received', dateTime(request.receivedAt, request.timeZone)],
    ['Reply due by', weekdayDate(request.replyBy, request.timeZone)],
    ['Attachments', details.attachments.length ? details.attachments.join(', ') : 'none'],
    ['Acknowledgement', details.acknowledged],
    ...(details.flags.length ? [['Warnings', details.flags.join('; ')] as [string, string]] : []),
  ];
  return {
    subject: `[${request.reference}] New request from ${request.organisation ?? request.senderAddress}: ${request.subject}`,
    text: `A new request has arrived and is waiting for triage.\n\n${facts
      .map(([label, value]) => `${label}: ${value}`)
      .join('\n')}\n`,
    html: htmlDocument(`${request.reference} new request`, [
      'A new request has arrived and is waiting for triage.',
      facts
        .map(([label, value]) => `<strong>${escapeHtml(label)}:</strong> ${escapeHtml(value)}`)
        .join('<br>'),
    ]),
  };
}

export function messageJoinedAlert(
  request: TemplateRequest,
  message: { from: string; subject: string; matchedBy: string; machine?: string },
): RenderedMail {
  const facts: Array<[string, string]> = [
    ['Reference', request.reference],
    ['From', message.from],
    ['Subject', message.subject],
    ['Matched by', message.matchedBy],
    ...(message.machine ? [['Automatic mail', message.machine] as [string, string]] : []),
  ];
  return {
    subject: `[${request.reference}] New message: ${message.subject}`,
    text: `A new message has joined ${request.reference}.\n\n${facts
      .map(([label, value]) => `${label}: ${value}`)
      .join('\n')}\n`,
    html: htmlDocument(`${request.reference} new message`, [
      `A new message has joined ${escapeHtml(request.reference)}.`,
      facts
        .map(([label, value]) => `<strong>${escapeHtml(label)}:</strong> ${escapeHtml(value)}`)
        .join('<br>'),
    ]),
  };
}
