import { createHash } from 'node:crypto';
import { officeDate } from '../dates.ts';
import { log } from '../log.ts';
import { composeMessage } from '../mail/compose.ts';
import type { Suppression } from '../sending/feedback.ts';
import type { AuditEvent } from '../workflow/audit.ts';
import type { FailedNotification, MessageRecord, RequestRecord } from '../workflow/records.ts';
import { type BatchedAlert, summarySlot } from './alert-summary.ts';
import {
  type OfficeSettings,
  outboundMessageId,
  type PlannedNotification,
  planNotifications,
  recipientTag,
} from './plan.ts';

/** One notification: an audit event's mail of one kind to one recipient. */
export interface NotificationKey {
  requestId: string;
  seq: number;
  kind: string;
  recipient: string;
}

export type ClaimState =
  | 'preparing'
  | 'sending'
  | 'sent'
  | 'suppressed'
  | 'batched'
  | 'failed'
  | 'unknown';

/** What a sent notification's claim keeps: enough to finish its bookkeeping after a crash. */
export interface SentOutcome {
  state: 'sent';
  sesMessageId: string;
  messageId: string;
  /** The outbound message record, written after the claim settles. */
  outbound: MessageRecord;
  /** Set once the outbound record and the Message-ID pointers are written. */
  recorded?: boolean;
}

/** The id staff use to resend a notification: stable per (event, kind, recipient). */
export function notificationId(seq: number, kind: string, recipient: string): string {
  return createHash('sha256')
    .update(`${seq}|${kind}|${recipient.toLowerCase()}`)
    .digest('hex')
    .slice(0, 12);
}

export interface NotifyPorts {
  getRequest(id: string): Promise<RequestRecord | undefined>;
  getMessage(requestId: string, at: string, key: string): Promise<MessageRecord | undefined>;
  /** Takes the claim, or says what state an earlier attempt left it in. */
  claim(
    key: NotificationKey,
  ): Promise<{ claimed: true } | { claimed: false; state: ClaimState; sent?: SentOutcome }>;
  /**
   * preparing -> sending just before SES, remembering the mail's own Message-ID for
   * threading; false when the claim is no longer preparing.
   */
  markSending(key: NotificationKey, messageIds: readonly string[]): Promise<boolean>;
  settle(
    key: NotificationKey,
    outcome:
      | SentOutcome
      | { state: 'suppressed' | 'batched' | 'failed' | 'unknown'; reason: string },
  ): Promise<void>;
  /** Writes a sent notification's outbound record and SES's Message-ID, and notes it done. */
  recordSent(key: NotificationKey, sent: SentOutcome): Promise<void>;
  /** One audit event of a request, for resending the mail it caused. */
  getEvent(requestId: string, seq: number): Promise<AuditEvent | undefined>;
  /** Takes one from an hourly allowance (a sender's acknowledgements, the office's alerts). */
  takeHourlyAllowance(counter: string, at: Date, limit: number): Promise<boolean>;
  /** Holds a staff alert back for its quarter-hour's summary; a repeat changes nothing. */
  batchAlert(alert: BatchedAlert): Promise<void>;
  /** Why SES said never to mail this address again, if it did. */
  suppressionOf(address: string): Promise<Suppression | undefined>;
  sendRawMail(raw: string, from: string, to: readonly string[]): Promise<{ sesMessageId: string }>;
  /** Records a notification given up on, so staff see it on the request. */
  recordFailure(requestId: string, failure: FailedNotification): Promise<void>;
  /** Keeps the exact MIME sent, so the record shows what the office said, byte for byte. */
  keepCopy(key: string, raw: string): Promise<{ bucket: string; key: string }>;
  /** Reads back a copy kept before sending (a reply staff composed). */
  readCopy(raw: { bucket: string; key: string }): Promise<string>;
}

export interface NotifyRules extends OfficeSettings {
  acknowledgementsPerHour: number;
  /** Acknowledgements to everyone together in an hour: the cap on backscatter. */
  officeAcknowledgementsPerHour: number;
  /** Staff alerts sent one by one in an hour; the rest go in a summary. */
  staffAlertsPerHour: number;
  now: () => Date;
  /** Waits between SES attempts; tests pass a short one. */
  backoffMs?: readonly number[];
}

/** The allowance every acknowledgement also draws on: the office's, per hour. */
const OFFICE_WIDE = '*office*';
/** The allowance of staff alerts sent one by one, per hour. */
const STAFF_ALERTS = '*staff-alerts*';
/** What notify logs when the office-wide cap stops an acknowledgement; alarmed on. */
export const OFFICE_CAP_HIT = 'acknowledgement suppressed by the office-wide hourly cap';

/**
 * The sender an hourly allowance is counted for: the address without its sub-address
 * (`+tag`, or `-tag` as some servers use) or dots in its local part (which some providers
 * ignore), so `victim+1@`, `victim-a@` and `v.i.c.t.i.m@` are one person, and one victim,
 * to the limit. Two people who share a mailbox's stem share its allowance: a limit, not an
 * identity.
 */
export function senderForLimit(address: string): string {
  const [local = '', domain = ''] = address.toLowerCase().split(/@(?=[^@]*$)/);
  // A quoted local part is kept whole: its dots and dashes are characters, not separators.
  if (local.startsWith('"')) return `${local}@${domain}`;
  const stem = local.replace(/[+-].*$/, '').replace(/\./g, '');
  return `${stem || local}@${domain}`;
}

/** SES errors that another attempt cannot fix. */
const permanentSesErrors = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'ConfigurationSetDoesNotExistException',
  'AccountSendingPausedException',
  'InvalidParameterValue',
  'AccessDenied',
  'AccessDeniedException',
]);
/** Errors after which SES may have sent the mail: never retried, reported as unknown. */
const maybeSentErrors = new Set(['TimeoutError', 'RequestTimeout', 'ECONNRESET', 'socket hang up']);

type SendResult = { sesMessageId: string } | { error: Error; maybeSent: boolean };

async function sendWithRetries(
  send: () => Promise<{ sesMessageId: string }>,
  backoffMs: readonly number[],
): Promise<SendResult> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await send();
    } catch (error) {
      const name = (error as Error).name;
      if (maybeSentErrors.has(name)) return { error: error as Error, maybeSent: true };
      const wait = backoffMs[attempt];
      if (permanentSesErrors.has(name) || wait === undefined)
        return { error: error as Error, maybeSent: false };
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/**
 * Sends one notification at most once. The claim is "preparing" while nothing has gone
 * out, so a crash then is simply resumed; it becomes "sending" just before SES. A claim
 * found "sending" may or may not have been delivered: it is not resent (a second copy
 * is worse than a missing one) but recorded beside the request for staff to check.
 */
async function sendOne(
  notification: PlannedNotification,
  event: AuditEvent,
  request: RequestRecord,
  ports: NotifyPorts,
  rules: NotifyRules,
): Promise<void> {
  const key: NotificationKey = {
    requestId: request.id,
    seq: event.seq,
    kind: notification.kind,
    recipient: notification.recipient,
  };
  const fields = { reference: request.reference, seq: event.seq, kind: notification.kind };
  const giveUp = async (state: 'failed' | 'unknown', error: string) => {
    const failure = {
      id: notificationId(event.seq, notification.kind, notification.recipient),
      seq: event.seq,
      kind: notification.kind,
      recipient: notification.recipient,
      error,
      at: rules.now().toISOString(),
    };
    await ports.recordFailure(request.id, failure);
    await ports.settle(key, { state, reason: error });
    log.error('notification not delivered; recorded on the request', { ...fields, state, error });
  };

  // A composed reply goes to everyone it is addressed to, in one mail; the rest, to one.
  const addressees = notification.composed
    ? [...notification.composed.message.to, ...(notification.composed.message.cc ?? [])]
    : [notification.recipient];
  // The suppression list is read alongside the claim: nearly every claim is a first one.
  const [claim, ...suppressions] = await Promise.all([
    ports.claim(key),
    ...addressees.map((address) => ports.suppressionOf(address)),
  ]);
  const destinations = addressees.filter((_, index) => !suppressions[index]);
  const suppressedAt = suppressions.findIndex(Boolean);
  // Mail goes if anyone it is for may be written to; those who may not are left out.
  const suppression = destinations.length === 0 ? suppressions[suppressedAt] : undefined;
  const suppressedAddress = addressees[suppressedAt] ?? notification.recipient;
  if (!claim.claimed) {
    if (claim.state === 'sent' && claim.sent && !claim.sent.recorded) {
      // Sent, but the process stopped before recording it: finish that, send nothing.
      return withRetries(() => ports.recordSent(key, claim.sent as SentOutcome));
    }
    if (claim.state === 'sending') {
      return giveUp(
        'unknown',
        'interrupted while sending: it may or may not have been delivered; check before resending',
      );
    }
    log.info('notification already handled', { ...fields, state: claim.state });
    return;
  }
  const now = rules.now();
  if (suppression) {
    // Staff see it beside the request: the requester may need a phone call instead.
    const reason = `not sent: ${suppressedAddress} ${suppression.reason === 'bounce' ? 'bounced permanently' : 'complained'} on ${officeDate(new Date(suppression.at), rules.timeZone)} (${suppression.detail})`;
    await ports.recordFailure(request.id, {
      id: notificationId(event.seq, notification.kind, notification.recipient),
      seq: event.seq,
      kind: notification.kind,
      recipient: notification.recipient,
      error: reason,
      at: now.toISOString(),
    });
    await ports.settle(key, { state: 'suppressed', reason });
    log.warn('notification suppressed: the address bounced or complained', { ...fields, reason });
    return;
  }
  if (
    notification.rateLimited &&
    !(await ports.takeHourlyAllowance(
      senderForLimit(notification.recipient),
      now,
      rules.acknowledgementsPerHour,
    ))
  ) {
    const reason = `more than ${rules.acknowledgementsPerHour} acknowledgements to this sender in an hour`;
    await ports.settle(key, { state: 'suppressed', reason });
    log.warn('acknowledgement suppressed by the per-sender limit', { ...fields, reason });
    return;
  }
  if (
    notification.rateLimited &&
    !(await ports.takeHourlyAllowance(OFFICE_WIDE, now, rules.officeAcknowledgementsPerHour))
  ) {
    const reason = `more than ${rules.officeAcknowledgementsPerHour} acknowledgements from the office in an hour`;
    await ports.settle(key, { state: 'suppressed', reason });
    // The stack alarms on this message (infra/constructs/alarms.ts): a flood is under way.
    log.warn(OFFICE_CAP_HIT, { ...fields, reason });
    return;
  }
  if (
    notification.summaryLine !== undefined &&
    !(await ports.takeHourlyAllowance(STAFF_ALERTS, now, rules.staffAlertsPerHour))
  ) {
    const slot = summarySlot(now);
    await ports.batchAlert({
      slot,
      at: now.toISOString(),
      requestId: request.id,
      reference: request.reference,
      seq: event.seq,
      kind: notification.kind,
      line: notification.summaryLine,
    });
    await ports.settle(key, {
      state: 'batched',
      reason: `more than ${rules.staffAlertsPerHour} staff alerts in an hour: in the summary of ${slot}`,
    });
    log.info('staff alert held back for the quarter-hour summary', { ...fields, slot });
    return;
  }
  const composed = notification.composed;
  let keptMime: string | undefined;
  if (composed) {
    try {
      keptMime = await ports.readCopy(composed.raw);
    } catch (error) {
      // The copy staff's reply was kept as is gone: nothing can be sent, and staff must see it.
      return giveUp(
        'failed',
        `the reply's kept copy could not be read: ${(error as Error).message}`,
      );
    }
  }
  const raw =
    keptMime ??
    composeMessage({
      from: { address: rules.officeAddress, name: rules.officeName },
      to: [notification.recipient],
      subject: notification.mail.subject,
      text: notification.mail.text,
      html: notification.mail.html,
      messageId: notification.messageId,
      inReplyTo: notification.inReplyTo,
      references: notification.references,
      autoSubmitted: notification.autoSubmitted,
      date: now,
      attachments: notification.attachments,
    });
  // One event may mail several people (an invitation to each attendee): one key each.
  const messageKey =
    composed?.message.key ??
    `n${event.seq}-${notification.kind}-${recipientTag(notification.recipient)}`;
  const copy =
    composed?.raw ??
    (await ports.keepCopy(`requests/${request.id}/outbound/${messageKey}.eml`, raw));
  if (!(await ports.markSending(key, [notification.messageId]))) return;

  const sent = await sendWithRetries(
    () => ports.sendRawMail(raw, rules.officeAddress, destinations),
    rules.backoffMs ?? [250, 1000, 4000],
  );
  if ('error' in sent) {
    const error = `${sent.error.name}: ${sent.error.message}`;
    return giveUp(
      sent.maybeSent ? 'unknown' : 'failed',
      sent.maybeSent ? `${error} (it may have been delivered)` : error,
    );
  }
  const { sesMessageId } = sent;
  const outcome: SentOutcome = {
    state: 'sent',
    sesMessageId,
    messageId: notification.messageId,
    // A reply was filed when staff sent it: the same record, now with what SES called it.
    outbound: composed
      ? {
          ...composed.message,
          sesMessageId,
          raw: copy,
          // Addresses left out as suppressed: the reply went, but not to them.
          ...(destinations.length < addressees.length
            ? { notSentTo: addressees.filter((address) => !destinations.includes(address)) }
            : {}),
        }
      : ({
          requestId: request.id,
          key: messageKey,
          direction: 'outbound',
          at: now.toISOString(),
          from: rules.officeAddress,
          to: [notification.recipient],
          subject: notification.mail.subject,
          messageId: notification.messageId,
          sesMessageId,
          kind: notification.kind,
          raw: copy,
        } satisfies MessageRecord),
  };
  // Settled at once, with retries: a crash from here on must never read as "may have
  // been sent" (which staff would have to chase), only as bookkeeping left to finish.
  await withRetries(() => ports.settle(key, outcome));
  log.info('notification sent', { ...fields, sesMessageId });
  await withRetries(() => ports.recordSent(key, outcome));
}

/** Bookkeeping writes are idempotent, so a throttled or dropped call is simply made again. */
async function withRetries(
  write: () => Promise<void>,
  waits: readonly number[] = [100, 400, 1600],
) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await write();
    } catch (error) {
      const wait = waits[attempt];
      if (wait === undefined) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** Sends every notification an audit event calls for, each at most once. */
export async function notifyForEvent(
  event: AuditEvent,
  ports: NotifyPorts,
  rules: NotifyRules,
): Promise<void> {
  const request = await ports.getRequest(event.requestId);
  if (!request) throw new Error(`request ${event.requestId} for event ${event.seq} not found`);
  if (event.action === 'resend_notification') return resend(event, request, ports, rules);
  // Each notification is independent: one that fails does not hold up the others, and
  // the event is retried afterwards, which repeats nothing that was done.
  // Each has its own claim and recipient, so they go out side by side.
  const outcomes = await Promise.allSettled(
    (await plannedFor(event, request, ports, rules)).map((notification) =>
      sendOne(notification, event, request, ports, rules),
    ),
  );
  const failed = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
}

async function plannedFor(
  event: AuditEvent,
  request: RequestRecord,
  ports: NotifyPorts,
  rules: NotifyRules,
): Promise<PlannedNotification[]> {
  const messageKey =
    typeof event.details.messageKey === 'string' ? event.details.messageKey : undefined;
  const message = messageKey ? await ports.getMessage(request.id, event.at, messageKey) : undefined;
  // A reply is recorded with its event: not finding it is a fault to retry, never "no mail".
  if (event.action === 'reply' && !message)
    throw new Error(`the reply ${messageKey} of event ${event.seq} was not found; retrying`);
  return planNotifications(event, request, message, rules);
}

/**
 * Staff asked for a notification that failed, or may not have arrived, to be sent again:
 * the same mail to the same person, planned again from the event that caused it, under a
 * claim of its own (this resend event's), so a replayed resend still sends once.
 */
async function resend(
  event: AuditEvent,
  request: RequestRecord,
  ports: NotifyPorts,
  rules: NotifyRules,
): Promise<void> {
  const { seq, kind, recipient } = event.details as {
    seq: number;
    kind: string;
    recipient: string;
  };
  // A failed resend can be resent too: follow resends back to the event that caused the mail.
  let original = await ports.getEvent(request.id, seq);
  for (let hops = 0; original?.action === 'resend_notification' && hops < 100; hops += 1)
    original = await ports.getEvent(request.id, Number(original.details.seq));
  const planned = original
    ? (await plannedFor(original, request, ports, rules)).find(
        (candidate) =>
          candidate.kind === kind && candidate.recipient.toLowerCase() === recipient.toLowerCase(),
      )
    : undefined;
  if (!planned) {
    log.warn('a resend names mail its event no longer plans; nothing sent', {
      reference: request.reference,
      seq,
      kind,
    });
    await ports.recordFailure(request.id, {
      id: notificationId(event.seq, kind, recipient),
      seq: event.seq,
      kind,
      recipient,
      error: `could not be sent again: event ${seq} no longer calls for ${kind} mail to ${recipient}`,
      at: rules.now().toISOString(),
    });
    return;
  }
  const messageId = outboundMessageId(
    request.reference,
    `${event.seq}.resend.${notificationId(seq, kind, recipient)}`,
    rules.officeAddress,
  );
  await sendOne(
    {
      ...planned,
      // A composed reply is sent again as it was kept, under its own Message-ID.
      ...(planned.composed
        ? {}
        : {
            messageId,
            references: [...planned.references.filter((id) => id !== planned.messageId), messageId],
          }),
      // Staff asked for this one; the per-sender allowance guards against mail loops.
      rateLimited: false,
    },
    event,
    request,
    ports,
    rules,
  );
}
