import PostalMime, { type Address, type Email } from 'postal-mime';
import { MAX_NAME_LENGTH, MAX_SUBJECT_LENGTH } from '../correspondence/limits.ts';
import { firstHeader, type HeaderBlock, messageIdsIn, readHeaderBlock } from './headers.ts';
import { detectMachineMail, type MachineMail } from './machine-mail.ts';
import { inferOrganisation, type Organisation } from './organisation.ts';
import { htmlToText } from './sanitise.ts';
import { readVerdicts, type Verdicts } from './verdicts.ts';

export interface MailLimits {
  maxBytes: number;
  maxParts: number;
  maxDepth: number;
}

export interface Mailbox {
  address: string;
  name: string;
}

export interface LetterAttachment {
  filename: string;
  contentType: string;
  size: number;
  content: Uint8Array;
  contentId?: string;
  inline: boolean;
}

/** An inbound message, parsed into what the workflow needs. */
export interface InboundLetter {
  messageId?: string;
  inReplyTo: string[];
  references: string[];
  from: Mailbox;
  replyTo?: Mailbox;
  to: string[];
  cc: string[];
  subject: string;
  sentAt?: string;
  text: string;
  html?: string;
  attachments: LetterAttachment[];
  verdicts: Verdicts;
  machine?: MachineMail;
  organisation?: Organisation;
  /** Problems that did not stop the parse but that staff should know about. */
  warnings: string[];
  /**
   * Why the From address cannot be taken at its word, beyond the SES verdicts: several
   * From headers or addresses, only a Sender, or an address visible only once decoded.
   * Such mail never counts as from someone already on a request.
   */
  senderDoubt?: string;
}

export type HoldReason =
  | 'virus'
  | 'oversize'
  | 'malformed'
  | 'no_sender'
  | 'too_deep'
  | 'too_many_parts'
  | 'unmatched_bounce'
  | 'auto_reply_to_nothing'
  /** It named a request (by its subject's reference or a Message-ID), from an address the
   * request does not know, and the sender's domain failed SPF, DKIM or DMARC: it may be
   * forged. */
  | 'unverified_stranger'
  /** It came as from someone on the request, but their domain disowned it (DMARC failed,
   * or SPF and DKIM both did), or its From cannot be taken at its word: it may be forged. */
  | 'unverified_sender'
  /** Intake failed on every attempt (its delivery was dead-lettered); staff may retry. */
  | 'could_not_file';

export type InboundReading =
  | { ok: true; letter: InboundLetter }
  | { ok: false; reason: HoldReason; detail: string; headers: HeaderBlock };

export const NO_SUBJECT = '(no subject)';

/**
 * The longest address that can be used (RFC 5321's path limit, less the angle brackets).
 * Addresses become table keys and are stored in several items: a longer one is no
 * address anyone could reply to, and would only break the writes.
 */
export const MAX_ADDRESS_LENGTH = 254;

function mailboxes(addresses: Address[] | undefined): Mailbox[] {
  return (addresses ?? [])
    .flatMap((entry) =>
      entry.group
        ? entry.group
        : entry.address
          ? [{ address: entry.address, name: entry.name }]
          : [],
    )
    .filter((mailbox) => mailbox.address.length <= MAX_ADDRESS_LENGTH)
    .map((mailbox) => ({ ...mailbox, name: truncate(mailbox.name ?? '', MAX_NAME_LENGTH) }));
}

/**
 * Node 20.18.3+ and 22.13+ decode windows-1252 as Latin-1 (nodejs/node#56542), so curly
 * quotes, dashes and the euro sign arrive as C1 control characters. Those never occur in
 * real mail text, so mapping them back to windows-1252 is safe for every charset.
 */
const windows1252 = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
export function repairWindows1252(value: string): string;
export function repairWindows1252(value: string | undefined): string | undefined;
export function repairWindows1252(value: string | undefined): string | undefined {
  return value?.replace(
    /[\u0080-\u009f]/g,
    (char) => windows1252[char.charCodeAt(0) - 0x80] ?? char,
  );
}

export function truncate(value: string, length: number): string {
  return value.length > length ? `${value.slice(0, length - 1)}…` : value;
}

const plausibleAddress = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

function undeclaredBoundary(headers: HeaderBlock, raw: Uint8Array): string | undefined {
  const contentType = firstHeader(headers, 'content-type') ?? '';
  const boundary = contentType.match(/boundary\s*=\s*"?([^";]+)"?/i)?.[1];
  if (!/^multipart\//i.test(contentType) || !boundary) return undefined;
  const body = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  if (body.includes(`--${boundary}`, 0, 'latin1')) return undefined;
  return `declared multipart boundary "${boundary}" never appears in the body`;
}

/**
 * Reads raw MIME into a letter, or says why it cannot be one. Nothing here throws for
 * bad input: every way a message can be unusable maps to a hold reason, because an
 * exception would make the trigger retry mail that can never succeed.
 */
/**
 * Why the From header does not plainly name one sender, if it does not. The header as
 * sent is read, not the parser's result: a parser picks the first of several addresses,
 * falls back to Sender, and decodes an address out of RFC 2047 encoded text, which the
 * RFC forbids precisely because it hides the address from such checks.
 */
export function doubtAboutFrom(headers: HeaderBlock, address: string): string | undefined {
  const values = headers.get('from') ?? [];
  if (values.length === 0) return 'it has no From header, only a Sender';
  if (values.length > 1) return `it has ${values.length} From headers`;
  // Read as latin1 (shared/mail/headers.ts); an internationalised address is UTF-8.
  let plain = Buffer.from((values[0] ?? '').slice(0, 4096), 'latin1')
    .toString('utf8')
    .replace(/=\?[^?\s]{1,64}\?[bq]\?[^?\s]*\?=/gi, ' ')
    .replace(/"(?:[^"\\]|\\.)*"/g, ' ');
  // Comments nest: strip the innermost until none is left (a few levels is plenty).
  for (let depth = 0; depth < 5 && /\([^()]*\)/.test(plain); depth += 1)
    plain = plain.replace(/\([^()]*\)/g, ' ');
  // The same address written twice (`alice@x <alice@x>`) is one sender, not two.
  const addresses = new Set(
    (plain.match(/[^\s<>@",;:()]+@[^\s<>@",;:()]+/g) ?? []).map((found) => found.toLowerCase()),
  );
  if (addresses.size > 1) return 'its From header names more than one address';
  if (!plain.toLowerCase().includes(address.toLowerCase()))
    return 'its From address appears only inside encoded text';
  return undefined;
}

export async function readInbound(raw: Uint8Array, limits: MailLimits): Promise<InboundReading> {
  const headers = readHeaderBlock(raw);
  const hold = (reason: HoldReason, detail: string): InboundReading => ({
    ok: false,
    reason,
    detail,
    headers,
  });
  const verdicts = readVerdicts(headers);
  if (verdicts.virus === 'FAIL') return hold('virus', 'SES virus verdict FAIL; not parsed');
  if (raw.byteLength > limits.maxBytes) {
    return hold('oversize', `${raw.byteLength} bytes is over the ${limits.maxBytes}-byte limit`);
  }
  const missingBoundary = undeclaredBoundary(headers, raw);
  if (missingBoundary) return hold('malformed', missingBoundary);

  let email: Email;
  try {
    email = await PostalMime.parse(raw, {
      maxNestingDepth: limits.maxDepth,
      attachmentEncoding: 'arraybuffer',
    });
  } catch (error) {
    const message = (error as Error).message;
    return /nesting depth/i.test(message)
      ? hold('too_deep', `MIME parts nested deeper than ${limits.maxDepth} levels`)
      : hold('malformed', `MIME could not be parsed: ${message}`);
  }

  const partCount = email.attachments.length + (email.text ? 1 : 0) + (email.html ? 1 : 0);
  if (partCount > limits.maxParts) {
    return hold('too_many_parts', `${partCount} parts is over the limit of ${limits.maxParts}`);
  }
  const given = email.from?.address ?? email.sender?.address;
  const from =
    mailboxes(email.from ? [email.from] : undefined)[0] ??
    mailboxes(email.sender ? [email.sender] : undefined)[0];
  if (!from || !plausibleAddress.test(from.address)) {
    return hold(
      'no_sender',
      given
        ? `From address "${truncate(given, 100)}" is not usable${given.length > MAX_ADDRESS_LENGTH ? ` (${given.length} characters; at most ${MAX_ADDRESS_LENGTH})` : ''}`
        : 'no From or Sender header',
    );
  }

  // HTML-only mail still needs words for search, alerts and the published letter.
  const text = repairWindows1252(email.text ?? (email.html ? htmlToText(email.html) : ''));
  const warnings: string[] = [];
  const senderDoubt = doubtAboutFrom(headers, from.address);
  if (senderDoubt) warnings.push(`the sender cannot be taken at its word: ${senderDoubt}`);
  const contentType = firstHeader(headers, 'content-type') ?? '';
  const boundary = contentType.match(/boundary\s*=\s*"?([^";]+)"?/i)?.[1];
  if (boundary && !Buffer.from(raw).includes(`--${boundary}--`, 0, 'latin1')) {
    warnings.push('the MIME structure is not closed; the message may be truncated');
  }
  return {
    ok: true,
    letter: {
      messageId: messageIdsIn(email.messageId)[0],
      inReplyTo: messageIdsIn(email.inReplyTo),
      references: messageIdsIn(email.references),
      from: { address: from.address.toLowerCase(), name: repairWindows1252(from.name) },
      replyTo: mailboxes(email.replyTo)[0],
      to: mailboxes(email.to)
        .map((mailbox) => mailbox.address)
        .slice(0, 100),
      cc: mailboxes(email.cc)
        .map((mailbox) => mailbox.address)
        .slice(0, 100),
      // Stored in several items; DynamoDB items are capped at 400 KB.
      subject: truncate(
        repairWindows1252(email.subject?.trim() ?? '') || NO_SUBJECT,
        MAX_SUBJECT_LENGTH,
      ),
      sentAt:
        email.date && !Number.isNaN(Date.parse(email.date))
          ? new Date(email.date).toISOString()
          : undefined,
      text,
      html: repairWindows1252(email.html),
      attachments: email.attachments.map((attachment, index) => {
        const content =
          attachment.content instanceof Uint8Array
            ? attachment.content
            : new Uint8Array(attachment.content as ArrayBuffer);
        return {
          filename: repairWindows1252(attachment.filename ?? `part-${index + 1}`),
          contentType: attachment.mimeType,
          size: content.byteLength,
          content,
          contentId: attachment.contentId,
          inline: attachment.disposition === 'inline' || Boolean(attachment.related),
        };
      }),
      verdicts,
      machine: detectMachineMail(headers, from.address),
      organisation: inferOrganisation(
        text || (email.html ?? '').replace(/<[^>]+>/g, '\n'),
        from.address,
      ),
      warnings,
      ...(senderDoubt ? { senderDoubt } : {}),
    },
  };
}
