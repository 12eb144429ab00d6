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
  code === 0xad || // soft hyphen
  code === 0x180e ||
  (code >= 0x200b && code <= 0x200f) ||
  (code >= 0x202a && code <= 0x202e) ||
  (code >= 0x2060 && code <= 0x2069) ||
  code === 0xfeff;

/** Without control characters and the marks that hide or reorder text. */
function visible(text: string): string {
  return Array.from(text.normalize('NFKC'))
    .filter((char) => !invisible(char.codePointAt(0) ?? 0))
    .join('');
}

/** A link (`scheme://`, `mailto:` and the like, `www.`), and what follows it up to a space. */
const LINK =
  /\b(?:[a-z][\w+.-]*:\/\/|(?:mailto|javascript|vbscript|data|file|tel|sms):|www\.)\S*/giu;
/** A bare domain (`evil.example/claim`, `xn--e1afmkfd.xn--p1ai`), with any path. */
const DOMAIN =
  /(?<![\p{L}\p{N}_-])(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+(?:\p{L}{2,}|xn--[\p{L}\p{N}-]+)(?![\p{L}\p{N}_-])(?:[/?#:]\S*)?/giu;
const ADDRESS = /\S+@\S+/gu;

/**
 * What mail to someone outside the office may repeat of what a stranger wrote (the
 * subject, a name): anyone can forge a sender, and the office's reply goes to whoever
 * that is. So no address, no link, no domain, and at most `max` characters: the office's
 * mail cannot carry someone else's message. Hidden characters go first, so none can
 * split a link the patterns would otherwise see.
 */
export function neutralEcho(text: string, max: number): string {
  // Only the first few times `max` characters can survive; the patterns below are
  // quadratic in the worst case, so they never see more than that.
  const plain = visible(text.slice(0, max * 4))
    .replace(ADDRESS, '…')
    .replace(LINK, '…')
    .replace(DOMAIN, '…')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > max ? `${plain.slice(0, max - 1).trimEnd()}…` : plain;
}

/** Longer is cut: a subject that long is read on the request, not in an alert. */
const DEFANG_MAX = 1000;

/**
 * What mail to staff repeats of a stranger's words: all of it, but with links and
 * domains made unclickable (`hxxps://evil[.]example/claim`), so an alert cannot be the
 * phishing mail it reports. The letter itself is on the request, as it came.
 */
export function defang(text: string): string {
  const cut = text.length > DEFANG_MAX ? '…' : '';
  return `${visible(text.slice(0, DEFANG_MAX))
    .replace(/\s+/g, ' ')
    .replace(LINK, (link) =>
      link
        .replace(/^(h)tt(ps?)/i, '$1xx$2')
        .replace(/:(?!\])/, '[:]')
        .replace(/(?<!\[)\.(?!\])/g, '[.]'),
    )
    .replace(DOMAIN, (domain) => domain.replace(/(?<!\[)\.(?!\])/g, '[.]'))
    .trim()}${cut}`;
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
