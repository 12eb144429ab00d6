import { createHash, randomBytes } from 'node:crypto';
import { composeMessage } from '../mail/compose.ts';
import { outboundMessageId } from '../notify/plan.ts';
import type { ReplyTemplate } from '../staff/templates.ts';
import { decideAction } from '../workflow/act.ts';
import {
  emailAddressSchema,
  messageKeySchema,
  templateIdSchema,
  uploadIdSchema,
} from '../workflow/ids.ts';
import type { MessageRecord, RequestRecord, StoredAttachment } from '../workflow/records.ts';
import type { Actor, ActRules, Refusal } from '../workflow/rules.ts';
import * as z from '../zod.ts';
import { messageDocumentsPrefix, messageTextKey } from './document-keys.ts';
import { acceptedPlaceholders, fillPlaceholders, placeholderValues } from './placeholders.ts';
import { replyHtml } from './reply-mail.ts';
import { replySubject } from './reply-subject.ts';
import { type ClaimedUpload, claimUploads, fileUploads, type UploadPorts } from './uploads.ts';

/**
 * Writing to a requester from the request: staff compose, postroom sends on the thread.
 * The mail is composed here, whole, and its exact copy kept before anything is recorded;
 * the reply is then recorded as an outbound message with its audit event in one
 * transaction, and the notifier sends that copy once (shared/notify/send-notifications.ts).
 * A reply that is refused writes nothing: every check is made before the first write, and
 * what was written for a reply that then lost a race is deleted again.
 */
export const MAX_REPLY_LENGTH = 20_000;
export const MAX_REPLY_RECIPIENTS = 20;
export const MAX_REPLY_ATTACHMENTS = 10;
/** SES's limit on one message as sent (SendRawEmail), encoding included. */
export const MAX_REPLY_MESSAGE_BYTES = 10 * 1024 * 1024;

/**
 * The body of POST /replies. Types only: what a field may hold is checked by checkReply,
 * which answers 422 naming it, since a reply refused is a person's words to correct.
 */
export const replyBodySchema = z.object({
  expectedVersion: z
    .number()
    .check(z.int(), z.describe('the request’s version as you last read it')),
  body: z.optional(z.string().check(z.describe('what you write; from the template when left out'))),
  format: z.optional(
    z
      .enum(['text', 'markdown'])
      .check(z.describe('markdown also sends the body rendered as HTML; text by default')),
  ),
  to: z.optional(z.array(z.string()).check(z.describe('the requester when left out'))),
  cc: z.optional(z.array(z.string())),
  subject: z.optional(z.string().check(z.describe('Re: <subject> [REQ-…] when left out'))),
  templateId: z.optional(templateIdSchema),
  inReplyTo: z.optional(
    messageKeySchema.check(
      z.describe('the key of the message answered; the newest received one when left out'),
    ),
  ),
  attachments: z.optional(z.array(z.object({ uploadId: uploadIdSchema }))),
  addRecipients: z.optional(
    z
      .boolean()
      .check(
        z.describe('an approver’s explicit choice to write to addresses the request does not know'),
      ),
  ),
});
export type ReplyBody = z.output<typeof replyBodySchema>;

export interface ReplyPorts extends UploadPorts {
  getRequest(id: string): Promise<RequestRecord | undefined>;
  /** The request's messages, to answer one and to know who is on the thread. */
  messagesOf(id: string): Promise<MessageRecord[]>;
  getTemplate(id: string): Promise<ReplyTemplate | undefined>;
  copyUpload(upload: ClaimedUpload, to: string): Promise<void>;
  readDocument(key: string): Promise<Uint8Array>;
  keepDocument(
    key: string,
    body: string,
    contentType: string,
  ): Promise<{ bucket: string; key: string }>;
  deleteDocuments(keys: readonly string[]): Promise<void>;
  /** Records the reply: the request, its event, the message, and its uploads marked filed. */
  recordReply(
    previous: Pick<RequestRecord, 'version' | 'eventSeq'>,
    decided: { request: RequestRecord; event: import('../workflow/audit.ts').AuditEvent },
    message: MessageRecord,
    uploadIds: readonly string[],
  ): Promise<'recorded' | 'stale' | 'uploads-taken'>;
}

export interface Office {
  officeName: string;
  officeAddress: string;
  timeZone: string;
}

type Field = { path: string; message: string };
const unprocessable = (fields: Field[]): Refusal => ({
  code: 'unprocessable',
  message: `the reply cannot be sent: ${fields.map((f) => `${f.path} ${f.message}`).join('; ')}`,
  fields,
});

const address = (value: string) =>
  (value.match(/<([^<>]+)>\s*$/)?.[1] ?? value).trim().toLowerCase();

/** Everyone the request knows: the requester, others who wrote on the thread, and attendees. */
export function knownCorrespondents(request: RequestRecord, messages: readonly MessageRecord[]) {
  // The scheduled meeting's attendees were invited by the office; a draft note's list is
  // anyone's typing, so it makes nobody a correspondent.
  const attendees = request.meeting?.attendees ?? [];
  return new Set(
    [
      request.sender.address,
      ...(request.participants ?? []),
      ...messages.filter((m) => m.direction === 'inbound').map((m) => m.from),
      ...attendees.map((attendee) => attendee.email),
    ]
      .filter((value): value is string => Boolean(value))
      .map(address),
  );
}

interface CheckedReply {
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  markdown: boolean;
  added: string[];
  answered?: MessageRecord;
  template?: ReplyTemplate;
}

/** Every check on a reply, before anything is written: a refusal names each field at fault. */
async function checkReply(
  request: RequestRecord,
  body: ReplyBody,
  actor: Actor,
  ports: ReplyPorts,
  office: Office,
): Promise<{ ok: true; reply: CheckedReply } | { ok: false; refusal: Refusal }> {
  const fields: Field[] = [];
  const messages = await ports.messagesOf(request.id);
  let template: ReplyTemplate | undefined;
  if (body.templateId !== undefined) {
    template = await ports.getTemplate(body.templateId);
    if (!template)
      fields.push({
        path: 'templateId',
        message: `there is no template ${JSON.stringify(body.templateId)}; GET /api/templates lists them`,
      });
  }
  const plain = placeholderValues(request, office);
  // What outsiders wrote (a sender's name) goes into Markdown as text, never as a link or
  // an image under the office's name.
  const values =
    body.format === 'markdown'
      ? (Object.fromEntries(
          Object.entries(plain).map(([name, value]) => [name, value && escapeMarkdown(value)]),
        ) as typeof plain)
      : plain;
  const filled = (path: 'body' | 'subject', text: string, given = values) => {
    const result = fillPlaceholders(text, given);
    if (result.ok) return result.text;
    if ('unknown' in result)
      fields.push({
        path,
        message: `has unknown placeholders ${result.unknown.map((n) => `{{${n}}}`).join(', ')}; accepted: ${acceptedPlaceholders}`,
      });
    else
      fields.push({
        path,
        message: `uses ${result.missing.map((n) => `{{${n}}}`).join(', ')}, which this request has no value for yet (no meeting is scheduled)`,
      });
    return text;
  };
  const text = filled('body', (body.body ?? template?.body ?? '').trim());
  if (!text) fields.push({ path: 'body', message: 'a reply cannot be empty' });
  else if (text.length > MAX_REPLY_LENGTH)
    fields.push({
      path: 'body',
      message: `is ${text.length} characters; a reply may be at most ${MAX_REPLY_LENGTH.toLocaleString('en-GB')}`,
    });
  const subjectGiven = body.subject ?? template?.subject;
  const subject = replySubject(
    request,
    subjectGiven === undefined ? undefined : filled('subject', subjectGiven, plain),
  );
  if (subject.length > 998)
    fields.push({ path: 'subject', message: 'may be at most 998 characters' });

  const known = knownCorrespondents(request, messages);
  const approver = actor.roles.includes('approver') || actor.roles.includes('admin');
  const added: string[] = [];
  const recipients = (
    path: 'to' | 'cc',
    given: readonly string[] | undefined,
    fallback: string[],
  ) => {
    const list = given ?? fallback;
    if (list.length > MAX_REPLY_RECIPIENTS)
      fields.push({ path, message: `may name at most ${MAX_REPLY_RECIPIENTS} addresses` });
    return list.slice(0, MAX_REPLY_RECIPIENTS).flatMap((value, index) => {
      const parsed = emailAddressSchema.safeParse(value.trim());
      if (!parsed.success) {
        fields.push({
          path: `${path}.${index}`,
          message: `${JSON.stringify(value)} is not an email address`,
        });
        return [];
      }
      const one = parsed.data.toLowerCase();
      if (!known.has(one)) {
        if (approver && body.addRecipients === true) added.push(one);
        else {
          fields.push({
            path: `${path}.${index}`,
            message: `${one} is not on this request (its requester, others who wrote on it, its attendees)${approver ? '; to write to them anyway, send addRecipients: true' : '; only an approver may add an address'}`,
          });
          return [];
        }
      }
      return [one];
    });
  };
  const to = [
    ...new Set(
      recipients(
        'to',
        body.to,
        request.sender.address ? [request.sender.address.toLowerCase()] : [],
      ),
    ),
  ];
  if (to.length === 0 && !fields.some((f) => f.path.startsWith('to')))
    fields.push({
      path: 'to',
      message: body.to
        ? 'must name at least one address'
        : 'the request has no address to reply to; name one',
    });
  const cc = [...new Set(recipients('cc', body.cc, []))].filter((one) => !to.includes(one));
  if ((body.attachments?.length ?? 0) > MAX_REPLY_ATTACHMENTS)
    fields.push({
      path: 'attachments',
      message: `at most ${MAX_REPLY_ATTACHMENTS} files may go with one reply`,
    });

  let answered: MessageRecord | undefined;
  if (body.inReplyTo !== undefined) {
    answered = messages.find((m) => m.key === body.inReplyTo);
    if (!answered)
      fields.push({
        path: 'inReplyTo',
        message: `there is no message ${JSON.stringify(body.inReplyTo)} on this request`,
      });
  } else {
    answered = messages
      .filter((m) => m.direction === 'inbound' && m.messageId)
      .sort((a, b) => a.at.localeCompare(b.at))
      .at(-1);
  }
  if (fields.length) return { ok: false, refusal: unprocessable(fields) };
  return {
    ok: true,
    reply: {
      to,
      cc,
      subject,
      text,
      markdown: body.format === 'markdown',
      added: [...new Set(added)],
      answered,
      template,
    },
  };
}

/**
 * A value as Markdown shows it: what could make a link, an image, code or emphasis of it
 * escaped (the rest is markup only at the start of a line, where a value never is).
 */
export const escapeMarkdown = (text: string) => text.replace(/[\\`*_[\]()!<>|~]/g, '\\$&');

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/**
 * Sends a reply: checks it, decides it as the workflow's `reply` action (stage, role,
 * version), composes and keeps the mail, then records it; answers with the stored message.
 */
export async function sendReply(
  id: string,
  actor: Actor,
  body: ReplyBody,
  ports: ReplyPorts,
  rules: ActRules,
  office: Office,
  now: Date,
): Promise<{ ok: true; message: MessageRecord } | { ok: false; refusal: Refusal }> {
  const request = await ports.getRequest(id);
  if (!request)
    return { ok: false, refusal: { code: 'not_found', message: `request ${id} does not exist` } };
  if (body.expectedVersion !== request.version)
    return {
      ok: false,
      refusal: {
        code: 'conflict',
        message: `request ${request.reference} is at version ${request.version}, not ${body.expectedVersion}; someone else changed it, so reload it`,
        currentVersion: request.version,
      },
    };
  const checked = await checkReply(request, body, actor, ports, office);
  if (!checked.ok) return checked;
  const reply = checked.reply;
  const uploadIds = (body.attachments ?? []).map((attachment) => attachment.uploadId);
  const claim = await claimUploads(uploadIds, ports, {
    now,
    pathOf: (index) => `attachments.${index}.uploadId`,
  });
  if (!claim.ok) return { ok: false, refusal: unprocessable(claim.fields) };
  // SES takes at most 10 MB a message as sent, base64 and all: refuse here what it would
  // refuse every time later.
  const encoded =
    Math.ceil((claim.attachments.reduce((total, file) => total + file.size, 0) * 4) / 3) +
    Buffer.byteLength(reply.text) * 3 +
    64 * 1024;
  if (encoded > MAX_REPLY_MESSAGE_BYTES)
    return {
      ok: false,
      refusal: unprocessable([
        {
          path: 'attachments',
          message: `make a mail of about ${(encoded / 1024 / 1024).toFixed(1)} MB once encoded; a mail may be at most ${MAX_REPLY_MESSAGE_BYTES / 1024 / 1024} MB, so send at most about 7 MB of files in one reply`,
        },
      ]),
    };

  const messageKey = `m${randomBytes(8).toString('hex')}`;
  const messageId = outboundMessageId(
    request.reference,
    `reply.${messageKey}`,
    office.officeAddress,
  );
  const decide = (current: RequestRecord) =>
    decideAction(
      current,
      actor,
      {
        action: 'reply',
        expectedVersion: body.expectedVersion,
        messageKey,
        messageId,
        to: reply.to,
        cc: reply.cc,
        subject: reply.subject,
        ...(reply.answered?.messageId ? { inReplyTo: reply.answered.messageId } : {}),
        addedRecipients: reply.added,
        ...(reply.template ? { templateId: reply.template.id } : {}),
        bodySha256: sha256(reply.text),
        attachments: claim.attachments.map(({ filename, contentType, size, sha256: hash }) => ({
          filename,
          contentType,
          size,
          sha256: hash,
        })),
      },
      now,
      rules,
    );
  let decision = decide(request);
  if (!decision.ok) return decision;

  // Written under the message's own keys, so what a lost race leaves is found and removed.
  const prefix = messageDocumentsPrefix(request.id, messageKey);
  const written: string[] = [];
  // Should a write fail before the reply is recorded, or its recording time out, the copies
  // stay: whether it was recorded is unknown, and deleting could take the copy of a reply
  // that goes out. What a reply not recorded wrote is under its own key, unreferenced.
  const attachments: StoredAttachment[] = await fileUploads(
    claim.attachments,
    prefix,
    ports.copyUpload,
  );
  written.push(...attachments.map((attachment) => attachment.key));
  const html = replyHtml(reply.text, reply.markdown);
  const textCopy = await ports.keepDocument(
    messageTextKey(prefix),
    reply.text,
    'text/plain; charset=utf-8',
  );
  written.push(textCopy.key);
  const htmlCopy = reply.markdown
    ? await ports.keepDocument(`${prefix}/body.html`, html, 'text/html; charset=utf-8')
    : undefined;
  if (htmlCopy) written.push(htmlCopy.key);
  const files = await Promise.all(
    attachments.map(async (attachment) => ({
      filename: attachment.filename,
      contentType: attachment.contentType,
      content: await ports.readDocument(attachment.key),
    })),
  );
  const raw = composeMessage({
    from: { address: office.officeAddress, name: office.officeName },
    to: reply.to,
    cc: reply.cc,
    subject: reply.subject,
    text: reply.text,
    html,
    messageId,
    ...(reply.answered?.messageId
      ? { inReplyTo: reply.answered.messageId, references: [reply.answered.messageId, messageId] }
      : { references: [messageId] }),
    date: now,
    attachments: files,
  });
  const kept = await ports.keepDocument(`${prefix}/message.eml`, raw, 'message/rfc822');
  written.push(kept.key);
  const message: MessageRecord = {
    requestId: request.id,
    key: messageKey,
    direction: 'outbound',
    // The event's time: the notifier finds the message the event filed by it.
    at: decision.event.at,
    from: office.officeAddress,
    to: reply.to,
    ...(reply.cc.length ? { cc: reply.cc } : {}),
    subject: reply.subject,
    messageId,
    kind: 'reply',
    author: actor.email,
    seq: decision.event.seq,
    raw: kept,
    documents: { text: textCopy.key, ...(htmlCopy ? { html: htmlCopy.key } : {}), attachments },
  };
  // Mail filed on the request meanwhile moves its audit chain, not its version: the reply
  // is decided again on the fresh request, as any action is (shared/workflow/act.ts).
  let current = request;
  let recorded = await ports.recordReply(current, decision, message, uploadIds);
  for (let attempt = 0; recorded === 'stale' && attempt < 4; attempt += 1) {
    const fresh = await ports.getRequest(id);
    if (!fresh || fresh.version !== body.expectedVersion) break;
    const again = decide(fresh);
    if (!again.ok) break;
    current = fresh;
    decision = again;
    message.seq = again.event.seq;
    recorded = await ports.recordReply(current, again, message, uploadIds);
  }
  if (recorded === 'recorded') return { ok: true, message };
  await ports.deleteDocuments(written);
  return {
    ok: false,
    refusal:
      recorded === 'stale'
        ? {
            code: 'conflict',
            message: `request ${request.reference} changed while the reply was being sent; reload it and send again (nothing was sent)`,
          }
        : {
            code: 'unprocessable',
            message: 'an attachment was filed elsewhere meanwhile; upload it again',
            fields: [
              {
                path: 'attachments',
                message: 'an upload was filed on another request or reply meanwhile',
              },
            ],
          },
  };
}
