import { createHash } from 'node:crypto';
import { log } from '../log.ts';
import { composeMessage } from '../mail/compose.ts';
import type { AuditEvent } from '../workflow/audit.ts';
import type { FailedNotification, MessageRecord, RequestRecord } from '../workflow/records.ts';
import { type OfficeSettings, type PlannedNotification, planNotifications } from './plan.ts';

export interface NotifyPorts {
  getRequest(id: string): Promise<RequestRecord | undefined>;
  getMessage(requestId: string, at: string, key: string): Promise<MessageRecord | undefined>;
  claim(
    requestId: string,
    seq: number,
    recipient: string,
    kind: string,
  ): Promise<{ claimed: true } | { claimed: false; state: string }>;
  settle(
    requestId: string,
    seq: number,
    recipient: string,
    outcome:
      | { state: 'sent'; sesMessageId: string; messageId: string }
      | { state: 'suppressed' | 'failed'; reason: string },
  ): Promise<void>;
  recordOutbound(message: MessageRecord): Promise<void>;
  rememberMessageIds(ids: readonly string[], requestId: string): Promise<void>;
  takeAcknowledgementAllowance(sender: string, at: Date, limit: number): Promise<boolean>;
  sendRawMail(raw: string, from: string, to: readonly string[]): Promise<{ sesMessageId: string }>;
  /** Records a notification given up on, so staff see it on the request. */
  recordFailure(requestId: string, failure: FailedNotification): Promise<void>;
  /** Keeps the exact MIME sent, so the record shows what the office said, byte for byte. */
  keepCopy(key: string, raw: string): Promise<{ bucket: string; key: string }>;
}

export interface NotifyRules extends OfficeSettings {
  acknowledgementsPerHour: number;
  now: () => Date;
  /** Waits between SES attempts; tests pass a short one. */
  backoffMs?: readonly number[];
}

/** SES errors that another attempt cannot fix. */
const permanentSesErrors = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'ConfigurationSetDoesNotExistException',
  'AccountSendingPausedException',
  'InvalidParameterValue',
]);

async function sendWithRetries(
  send: () => Promise<{ sesMessageId: string }>,
  backoffMs: readonly number[],
): Promise<{ sesMessageId: string } | { error: Error }> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await send();
    } catch (error) {
      const wait = backoffMs[attempt];
      if (permanentSesErrors.has((error as Error).name) || wait === undefined)
        return { error: error as Error };
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

async function sendOne(
  notification: PlannedNotification,
  event: AuditEvent,
  request: RequestRecord,
  ports: NotifyPorts,
  rules: NotifyRules,
): Promise<void> {
  const claim = await ports.claim(request.id, event.seq, notification.recipient, notification.kind);
  if (!claim.claimed) {
    // "sending" means an earlier attempt died between claiming and settling: SES may or
    // may not have sent it, and a second copy is worse than a missing one. Staff see it.
    const fields = {
      reference: request.reference,
      seq: event.seq,
      kind: notification.kind,
      state: claim.state,
    };
    if (claim.state === 'sending')
      log.warn('notification outcome unknown after a crash; not resent', fields);
    else log.info('notification already handled', fields);
    return;
  }
  const now = rules.now();
  if (
    notification.rateLimited &&
    !(await ports.takeAcknowledgementAllowance(
      notification.recipient,
      now,
      rules.acknowledgementsPerHour,
    ))
  ) {
    const reason = `more than ${rules.acknowledgementsPerHour} acknowledgements to this sender in an hour`;
    await ports.settle(request.id, event.seq, notification.recipient, {
      state: 'suppressed',
      reason,
    });
    log.warn('acknowledgement suppressed by the per-sender limit', {
      reference: request.reference,
      reason,
    });
    return;
  }
  const raw = composeMessage({
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
  const recipientTag = createHash('sha256')
    .update(notification.recipient.toLowerCase())
    .digest('hex')
    .slice(0, 8);
  const messageKey = `n${event.seq}-${notification.kind}-${recipientTag}`;
  const copy = `requests/${request.id}/outbound/${messageKey}.eml`;
  const kept = await ports.keepCopy(copy, raw);
  const sent = await sendWithRetries(
    () => ports.sendRawMail(raw, rules.officeAddress, [notification.recipient]),
    rules.backoffMs ?? [250, 1000, 4000],
  );
  if ('error' in sent) {
    // Given up on: recorded where staff see it, not retried forever by the stream.
    const failure = {
      seq: event.seq,
      kind: notification.kind,
      recipient: notification.recipient,
      error: `${sent.error.name}: ${sent.error.message}`,
      at: rules.now().toISOString(),
    };
    await ports.recordFailure(request.id, failure);
    await ports.settle(request.id, event.seq, notification.recipient, {
      state: 'failed',
      reason: failure.error,
    });
    log.error('notification failed after retries; recorded on the request', {
      reference: request.reference,
      ...failure,
    });
    return;
  }
  const { sesMessageId } = sent;
  await ports.rememberMessageIds([notification.messageId, sesMessageId], request.id);
  await ports.recordOutbound({
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
    raw: kept,
  });
  await ports.settle(request.id, event.seq, notification.recipient, {
    state: 'sent',
    sesMessageId,
    messageId: notification.messageId,
  });
  log.info('notification sent', {
    reference: request.reference,
    kind: notification.kind,
    seq: event.seq,
    sesMessageId,
  });
}

/** Sends every notification an audit event calls for, each at most once. */
export async function notifyForEvent(
  event: AuditEvent,
  ports: NotifyPorts,
  rules: NotifyRules,
): Promise<void> {
  const request = await ports.getRequest(event.requestId);
  if (!request) throw new Error(`request ${event.requestId} for event ${event.seq} not found`);
  const messageKey =
    typeof event.details.messageKey === 'string' ? event.details.messageKey : undefined;
  const message = messageKey ? await ports.getMessage(request.id, event.at, messageKey) : undefined;
  for (const notification of planNotifications(event, request, message, rules)) {
    await sendOne(notification, event, request, ports, rules);
  }
}
