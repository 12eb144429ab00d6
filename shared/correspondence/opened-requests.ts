import { randomBytes } from 'node:crypto';
import { officeDate } from '../dates.ts';
import { type DeadlineRules, newRequestRecord, replyByFor } from '../intake/filing.ts';
import { type AuditEvent, GENESIS_HASH, sealEvent } from '../workflow/audit.ts';
import { emailAddressSchema, uploadIdSchema } from '../workflow/ids.ts';
import {
  type Channel,
  channelWords,
  type MessageRecord,
  type RequestRecord,
  type StoredAttachment,
} from '../workflow/records.ts';
import { formatReference } from '../workflow/reference.ts';
import type { Refusal } from '../workflow/rules.ts';
import { trimmedText } from '../workflow/transitions.ts';
import * as z from '../zod.ts';
import { messageDocumentsPrefix, messageTextKey } from './document-keys.ts';
import { MAX_NAME_LENGTH, MAX_ORGANISATION_LENGTH, MAX_SUBJECT_LENGTH } from './limits.ts';
import {
  type ClaimedUpload,
  type CopyUpload,
  claimUploads,
  fileUploads,
  MAX_UPLOADS_PER_CLAIM,
  type UploadPorts,
} from './uploads.ts';

/**
 * Requests staff open by hand, for correspondence that did not come by email: a letter
 * by post, a phone call, or a meeting the office arranged itself. Each becomes a request
 * as a letter by email does: the same yearly references (one counter, so the numbers
 * stay gapless whichever way requests come), the same reply deadline, the received stage,
 * and an audit chain that starts with its receipt. What was said is stored as a letter's
 * text is, and scans uploaded beforehand (shared/correspondence/uploads.ts) become its
 * attachments, so the request reads, is reviewed, published and disposed of like any other.
 */

/** The channels staff record by hand; mail that came by email is intake's. */
const handChannels = ['post', 'phone', 'office'] as const satisfies readonly Channel[];

/** The most text typed or pasted for one request: a long letter, not a book. */
export const MAX_TEXT_CHARACTERS = 200_000;

/** What POST /api/requests takes. */
export const openedRequestSchema = z.object({
  channel: z.enum(handChannels, {
    error: 'how it came: "post", "phone" or "office" (mail that came by email is filed by intake)',
  }),
  sender: z.object({
    name: trimmedText(1, MAX_NAME_LENGTH, 'give the name of whoever wrote, called or is meeting'),
    address: z
      .optional(emailAddressSchema)
      .check(z.describe('their email address, if they gave one; leave it out if not')),
  }),
  organisation: z.optional(trimmedText(1, MAX_ORGANISATION_LENGTH)),
  subject: trimmedText(1, MAX_SUBJECT_LENGTH, 'give a subject: what they ask for, in a line'),
  text: z
    .string()
    .check(
      z.maxLength(
        MAX_TEXT_CHARACTERS,
        `at most ${MAX_TEXT_CHARACTERS} characters; upload the rest as a file`,
      ),
      z.describe('the letter as written, or a note of the call; may be empty when scans say it'),
    ),
  receivedAt: z
    .optional(z.iso.datetime({ offset: true, error: 'an ISO date and time with its offset' }))
    .check(z.describe('when it reached the office, if not now; never in the future')),
  uploadIds: z._default(
    z
      .array(uploadIdSchema)
      .check(z.maxLength(MAX_UPLOADS_PER_CLAIM, `at most ${MAX_UPLOADS_PER_CLAIM} files`)),
    [],
  ),
});
export type OpenedRequest = z.output<typeof openedRequestSchema>;

/** How far ahead of the office's clock a browser's may run before a time counts as future. */
const CLOCK_SKEW_MS = 60_000;

/** What opening a request needs, beyond checking uploads. */
export interface OpenedRequestPorts extends UploadPorts {
  writeDocument(key: string, body: string | Uint8Array, contentType: string): Promise<void>;
  /** Takes back what a request that was definitely not opened wrote. */
  deleteDocuments(keys: readonly string[]): Promise<void>;
  copyUpload: CopyUpload;
  store: {
    /** The year's next reference number, claimed once per claim key. */
    claimSequence(year: number, claimKey: string): Promise<number>;
    dropClaim(year: number, claimKey: string): Promise<number | undefined>;
    voidReference(reference: string, reason: string, at: string): Promise<void>;
    /**
     * Request, first event, message and reference pointer, with the uploads marked filed,
     * in one transaction: 'uploads-taken' when another request filed one of them first.
     */
    fileOpenedRequest(
      records: OpenedRecords,
      uploadIds: readonly string[],
    ): Promise<'filed' | 'uploads-taken'>;
  };
}

export interface OpenedRecords {
  request: RequestRecord;
  event: AuditEvent;
  message: MessageRecord;
}

/**
 * Why the requester gets no acknowledgement, or undefined when they do. Without an
 * address there is nowhere to send one. With one, a letter by post or a call is
 * acknowledged as a letter by email is: the writer or caller learns the reference and the
 * date a reply is due, and has a thread whose replies join the request; an office
 * expects to confirm what it has logged. A meeting the office arranged itself asked
 * nothing of it, so there is nothing to acknowledge.
 */
export function acknowledgementWithheld(
  channel: Channel,
  address: string | undefined,
): string | undefined {
  if (!address) return `no email address was given: it came ${channelWords[channel]}`;
  if (channel === 'office') return 'the office arranged it itself: there is nothing to answer';
  return undefined;
}

/**
 * The records of a request opened by hand: the request in the received stage, its first
 * audit event (`receive`, as for mail, with the channel and who recorded it, so the
 * office is alerted and the requester acknowledged by the same rules), and the message
 * holding its text and attachments.
 */
export function openedRequestRecords(
  ids: { requestId: string; reference: string; messageKey: string },
  input: OpenedRequest,
  context: {
    by: string;
    receivedAt: Date;
    recordedAt: Date;
    documents: { text: string; attachments: StoredAttachment[] };
  },
  rules: DeadlineRules,
): OpenedRecords {
  const at = context.receivedAt.toISOString();
  const replyBy = replyByFor(context.receivedAt, rules);
  const address = input.sender.address?.toLowerCase();
  const sender = { name: input.sender.name, ...(address ? { address } : {}) };
  const withheld = acknowledgementWithheld(input.channel, address);
  // At the time it was received, as the message is: notifications find the message by it.
  const event = sealEvent(
    {
      requestId: ids.requestId,
      seq: 1,
      action: 'receive',
      actor: context.by,
      at,
      from: null,
      to: 'received',
      details: {
        channel: input.channel,
        messageKey: ids.messageKey,
        ...(address ? { sender: address } : {}),
        senderName: input.sender.name,
        subject: input.subject,
        replyBy,
        recordedAt: context.recordedAt.toISOString(),
        acknowledge: withheld === undefined,
        ...(withheld ? { acknowledgementWithheld: withheld } : {}),
        // Each file's digest: the audit trail says exactly which bytes were filed.
        attachments: context.documents.attachments.map(
          ({ filename, contentType, size, sha256 }) => ({ filename, contentType, size, sha256 }),
        ),
      },
    },
    GENESIS_HASH,
  );
  const request = newRequestRecord(ids, event, {
    subject: input.subject,
    sender,
    ...(input.organisation ? { organisation: input.organisation } : {}),
    channel: input.channel,
    receivedAt: at,
    replyBy,
    flags: [],
  });
  const message: MessageRecord = {
    requestId: ids.requestId,
    key: ids.messageKey,
    direction: 'inbound',
    channel: input.channel,
    at,
    from: address ?? input.sender.name,
    to: [],
    subject: input.subject,
    documents: context.documents,
  };
  return { request, event, message };
}

export type OpenedOutcome =
  | { ok: true; id: string; reference: string }
  | { ok: false; refusal: Refusal };

const refuse = (refusal: Refusal): OpenedOutcome => ({ ok: false, refusal });

/**
 * Opens a request by hand. Everything is checked before anything is written (the time
 * it came, every upload), so a refused request leaves no trace; then the text and the
 * scans are stored and a reference claimed, side by side, and the records go in one
 * transaction. A number claimed for a request that then fails is recorded as void, with
 * why, so the gap in the references explains itself.
 */
export async function openRequestByHand(
  input: OpenedRequest,
  by: string,
  ports: OpenedRequestPorts,
  rules: DeadlineRules,
  now: Date,
): Promise<OpenedOutcome> {
  const receivedAt = input.receivedAt ? new Date(input.receivedAt) : now;
  if (receivedAt.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    const message = `${input.receivedAt} is in the future; give when it reached the office, or leave it out for now`;
    return refuse({
      code: 'unprocessable',
      message: `receivedAt: ${message}`,
      fields: [{ path: 'receivedAt', message }],
    });
  }
  const claim = await claimUploads(input.uploadIds, ports, { now });
  if (!claim.ok) {
    const [first] = claim.fields;
    return refuse({
      code: 'unprocessable',
      message: `an upload cannot be filed: ${first ? `${first.path}: ${first.message}` : 'see fields'}`,
      fields: claim.fields,
    });
  }

  const requestId = randomBytes(10).toString('hex');
  const messageKey = `m${randomBytes(8).toString('hex')}`;
  const year = Number(officeDate(receivedAt, rules.timeZone).slice(0, 4));
  const claimKey = `opened:${requestId}`;
  const [documents, sequence] = await Promise.all([
    storeOpenedDocuments(ports, messageDocumentsPrefix(requestId, messageKey), input.text, claim),
    ports.store.claimSequence(year, claimKey),
  ]);
  const reference = formatReference(year, sequence);
  const voidNumber = async (why: string) => {
    if ((await ports.store.dropClaim(year, claimKey)) === undefined) return;
    await ports.store.voidReference(reference, why, new Date().toISOString());
  };
  const records = openedRequestRecords(
    { requestId, reference, messageKey },
    input,
    { by, receivedAt, recordedAt: now, documents },
    rules,
  );
  let filed: 'filed' | 'uploads-taken';
  try {
    filed = await ports.store.fileOpenedRequest(records, input.uploadIds);
  } catch (error) {
    await voidNumber(`opening the request by hand failed: ${(error as Error).message}`);
    throw error;
  }
  if (filed === 'uploads-taken') {
    await voidNumber('an upload it named was filed on another request first');
    // Nothing was opened, so nothing it wrote may stay: no request would ever dispose of it.
    await ports.deleteDocuments([
      documents.text,
      ...documents.attachments.map((attachment) => attachment.key),
    ]);
    return refuse({
      code: 'unprocessable',
      message:
        'one of the uploads was filed on another request meanwhile; nothing was opened. Upload the file again to file it here too.',
      fields: [{ path: 'uploadIds', message: 'an upload was filed on another request meanwhile' }],
    });
  }
  return { ok: true, id: requestId, reference };
}

async function storeOpenedDocuments(
  ports: Pick<OpenedRequestPorts, 'writeDocument' | 'copyUpload'>,
  prefix: string,
  text: string,
  claim: { attachments: ClaimedUpload[] },
) {
  const key = messageTextKey(prefix);
  const [attachments] = await Promise.all([
    fileUploads(claim.attachments, prefix, ports.copyUpload),
    ports.writeDocument(key, text, 'text/plain; charset=utf-8'),
  ]);
  return { text: key, attachments };
}
