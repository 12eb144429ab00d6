import { createHash } from 'node:crypto';
import { officeDate } from '../dates.ts';
import type { InboundLetter } from '../mail/inbound.ts';
import { failedAuthentication } from '../mail/verdicts.ts';
import { type AuditEvent, GENESIS_HASH, sealEvent } from '../workflow/audit.ts';
import { addWorkingDays, type HolidayCalendar } from '../workflow/deadlines.ts';
import type { MessageRecord, RequestRecord } from '../workflow/records.ts';

/**
 * Pure decisions about where an inbound letter goes and what records it makes. The ids
 * derive from the S3 object key, so a redelivery or a retry after a crash rebuilds the
 * very same records and writes land on the same keys.
 */
export function idsForObject(
  bucket: string,
  key: string,
): { requestId: string; messageKey: string } {
  const digest = createHash('sha256').update(`${bucket}/${key}`).digest('hex');
  return { requestId: digest.slice(0, 20), messageKey: `m${digest.slice(20, 36)}` };
}

/** What a letter claims its reference by: its raw object, so every retry claims the same number. */
export function claimKeyForObject(raw: { bucket: string; key: string }): string {
  return `${raw.bucket}/${raw.key}`;
}

/** The held-mail id of a raw object: fixed, so holding it twice holds it once. */
export function heldIdForObject(bucket: string, key: string): string {
  return createHash('sha256').update(`held:${bucket}/${key}`).digest('hex').slice(0, 20);
}

export const INTAKE_ACTOR = 'system:intake';

/** Why no acknowledgement goes back, or undefined when one should. */
export function acknowledgementWithheld(letter: InboundLetter): string | undefined {
  if (letter.machine) return `automatic mail: ${letter.machine.reason}`;
  if (letter.verdicts.spam === 'FAIL') return 'SES spam verdict FAIL';
  // Both of the sender domain's own checks say it did not send this: an acknowledgement
  // would go to someone who never wrote (backscatter).
  if (letter.verdicts.spf === 'FAIL' && letter.verdicts.dkim === 'FAIL')
    return 'the sender failed both SPF and DKIM';
  return undefined;
}

export function flagsFor(letter: InboundLetter): string[] {
  const failed = failedAuthentication(letter.verdicts);
  return [
    ...(letter.verdicts.spam === 'FAIL' ? ['spam: SES spam verdict FAIL'] : []),
    ...(failed.length ? [`sender authentication failed: ${failed.join(', ').toUpperCase()}`] : []),
    ...(letter.machine ? [`automatic mail: ${letter.machine.reason}`] : []),
    ...letter.warnings,
  ];
}

export interface FilingContext {
  letter: InboundLetter;
  messageKey: string;
  receivedAt: Date;
  raw: { bucket: string; key: string };
  documents: NonNullable<MessageRecord['documents']>;
  /** Set when this delivery is a resend: the key of the message first filed. */
  duplicateOf?: string;
}

function inboundMessage(requestId: string, context: FilingContext): MessageRecord {
  const { letter } = context;
  return {
    requestId,
    key: context.messageKey,
    direction: 'inbound',
    at: context.receivedAt.toISOString(),
    from: letter.from.address,
    to: [...letter.to, ...letter.cc],
    subject: letter.subject,
    messageId: letter.messageId,
    sentAt: letter.sentAt,
    raw: context.raw,
    documents: context.documents,
    machine: letter.machine?.reason,
    ...(context.duplicateOf ? { duplicateOf: context.duplicateOf } : {}),
  };
}

export interface DeadlineRules {
  calendar: HolidayCalendar;
  timeZone: string;
  replyWorkingDays: number;
}

/** When a reply is due: N working days after the office's day of receipt. */
export const replyByFor = (receivedAt: Date, rules: DeadlineRules) =>
  addWorkingDays(officeDate(receivedAt, rules.timeZone), rules.replyWorkingDays, rules.calendar);

/** A request as it begins: received, at version 1, its audit chain one event long. */
export function newRequestRecord(
  ids: { requestId: string; reference: string },
  event: AuditEvent,
  fields: Pick<
    RequestRecord,
    'subject' | 'sender' | 'organisation' | 'channel' | 'receivedAt' | 'replyBy' | 'flags'
  >,
): RequestRecord {
  return {
    id: ids.requestId,
    reference: ids.reference,
    stage: 'received',
    version: 1,
    eventSeq: 1,
    lastHash: event.hash,
    ...fields,
    messageCount: 1,
    lastMessageAt: fields.receivedAt,
  };
}

export function openRequest(
  ids: { requestId: string; reference: string },
  context: FilingContext,
  rules: DeadlineRules,
  by: { actor: string; withheld?: string } = { actor: INTAKE_ACTOR },
): { request: RequestRecord; event: AuditEvent; message: MessageRecord } {
  const { letter } = context;
  const at = context.receivedAt.toISOString();
  const replyBy = replyByFor(context.receivedAt, rules);
  const withheld = by.withheld ?? acknowledgementWithheld(letter);
  const event = sealEvent(
    {
      requestId: ids.requestId,
      seq: 1,
      action: 'receive',
      actor: by.actor,
      at,
      from: null,
      to: 'received',
      details: {
        messageKey: context.messageKey,
        messageId: letter.messageId,
        sender: letter.from.address,
        subject: letter.subject,
        replyBy,
        acknowledge: withheld === undefined,
        ...(withheld ? { acknowledgementWithheld: withheld } : {}),
      },
    },
    GENESIS_HASH,
  );
  const request = newRequestRecord(ids, event, {
    subject: letter.subject,
    sender: letter.from,
    organisation: letter.organisation?.name,
    receivedAt: at,
    replyBy,
    flags: flagsFor(letter),
  });
  return { request, event, message: inboundMessage(ids.requestId, context) };
}

/**
 * The addresses a request already knows: its requester, the meeting's attendees, and
 * anyone whose mail staff have already seen on it. Anyone else can still write in (a
 * colleague taking over), but is flagged: the reference is in every subject line.
 */
export function knownAddresses(request: RequestRecord): Set<string> {
  const meeting = request.draft?.meeting ?? request.meeting;
  return new Set(
    [
      ...(request.sender.address ? [request.sender.address] : []),
      ...(meeting?.attendees ?? []).flatMap((attendee) => attendee.email ?? []),
      ...(request.participants ?? []),
    ].map((address) => address.toLowerCase()),
  );
}

export const strangerFlag = (address: string) =>
  `mail from someone not on this request: ${address}`;

export function joinRequest(
  current: RequestRecord,
  matchedBy: string,
  context: FilingContext,
  actor = INTAKE_ACTOR,
): { event: AuditEvent; message: MessageRecord; flags?: string[]; participants?: string[] } {
  const { letter } = context;
  const address = letter.from.address.toLowerCase();
  // A From that cannot be taken at its word is no one's, however it reads.
  const stranger = Boolean(letter.senderDoubt) || !knownAddresses(current).has(address);
  const failed = failedAuthentication(letter.verdicts).map((check) => check.toUpperCase());
  const event = sealEvent(
    {
      requestId: current.id,
      seq: current.eventSeq + 1,
      action: 'message_received',
      actor,
      at: context.receivedAt.toISOString(),
      from: current.stage,
      to: current.stage,
      details: {
        messageKey: context.messageKey,
        messageId: letter.messageId,
        sender: letter.from.address,
        subject: letter.subject,
        matchedBy,
        ...(context.duplicateOf ? { deliveredAgain: true, duplicateOf: context.duplicateOf } : {}),
        ...(letter.machine ? { machine: letter.machine.reason } : {}),
        ...(letter.verdicts.spam === 'FAIL' ? { spam: true } : {}),
        ...(stranger ? { notOnRequest: true } : {}),
        ...(failed.length ? { authenticationFailed: failed } : {}),
        ...(letter.senderDoubt ? { senderDoubt: letter.senderDoubt } : {}),
      },
    },
    current.lastHash,
  );
  const message = inboundMessage(current.id, context);
  // Each warning once: a flag says "look at this mail", and staff have been told.
  const flags = [
    ...(stranger && !letter.senderDoubt ? [strangerFlag(address)] : []),
    ...(failed.length ? [`mail from ${address} failed ${failed.join(', ')}`] : []),
    ...(letter.senderDoubt ? [`mail claiming to be from ${address}: ${letter.senderDoubt}`] : []),
  ].filter((flag) => !current.flags.includes(flag));
  // A stranger is known from then on; an address that cannot be trusted never is.
  const joins = stranger && !letter.senderDoubt;
  if (!flags.length && !joins) return { event, message };
  return {
    event,
    message,
    ...(flags.length ? { flags: [...current.flags, ...flags] } : {}),
    ...(joins ? { participants: [...(current.participants ?? []), address] } : {}),
  };
}
