import { officeDate } from '../dates.ts';
import { sentText } from '../mail/sent-text.ts';
import { notificationId } from '../notify/send-notifications.ts';
import { type Actor, type ActRules, dueDate, performAction } from '../workflow/act.ts';
import { type AuditEvent, verifyChain } from '../workflow/audit.ts';
import type { StoredChain } from '../workflow/audit-digest.ts';
import { emailAddressSchema } from '../workflow/ids.ts';
import type { FailedNotification, MessageRecord, RequestRecord } from '../workflow/records.ts';
import { openStages, type Stage, stages } from '../workflow/stages.ts';
import { actionsFor, trimmedText } from '../workflow/transitions.ts';
import * as z from '../zod.ts';
import { assigneeRefusal, type DirectoryPorts, type StaffMember } from './directory.ts';
import { badRequest, notFound, refused } from './errors.ts';

/** One page of the request list: stages in order, each by due date. */
export interface ListFilter {
  stages: readonly Stage[];
  assignee?: string;
  /** Only requests whose due date is before this date (YYYY-MM-DD). */
  dueBefore?: string;
  /** Lower-case text to find in the reference, organisation, subject or sender. */
  text?: string;
  limit: number;
  nextToken?: string;
}

/** What the staff API's request operations need; the AWS adapters supply it. */
export interface RequestPorts {
  list(filter: ListFilter): Promise<{ items: RequestRecord[]; nextToken?: string }>;
  detail(id: string): Promise<
    | {
        request: RequestRecord;
        messages: MessageRecord[];
        events: AuditEvent[];
        failedNotifications: FailedNotification[];
      }
    | undefined
  >;
  getRequest(id: string): Promise<RequestRecord | undefined>;
  applyAction(
    previous: Pick<RequestRecord, 'version' | 'eventSeq'>,
    request: RequestRecord,
    event: AuditEvent,
    effects?: { resent?: { seq: number; kind: string; recipient: string } },
  ): Promise<'applied' | 'stale'>;
  presign(key: string, filename: string): Promise<string>;
  /** When the request was disposed of under the retention policy, if it was. */
  disposalOf(requestId: string): Promise<{ reference: string; disposedAt: string } | undefined>;
  /** The request's audit chain as of one moment: its head and its events in key order. */
  requestChain(id: string): Promise<StoredChain | undefined>;
}

export const listQuerySchema = z.object({
  stage: z.optional(z.enum(stages)),
  assignee: z.optional(emailAddressSchema),
  overdue: z.optional(z.enum(['true', 'false'])),
  q: z.optional(trimmedText(1, 200)),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 50),
  nextToken: z.optional(z.string().check(z.maxLength(2000))),
});

/** The list shape: enough to show a row, nothing personal beyond the sender. */
export function summary(request: RequestRecord, timeZone: string, now = new Date()) {
  return {
    id: request.id,
    reference: request.reference,
    stage: request.stage,
    version: request.version,
    subject: request.subject,
    sender: request.sender,
    organisation: request.organisation ?? null,
    channel: request.channel ?? 'email',
    receivedAt: request.receivedAt,
    dueAt: dueDate(request, timeZone),
    assignee: request.assignee ?? null,
    // Read, not stored: a scheduled meeting that has ended is due to be recorded as held.
    dueForRecordHeld:
      request.stage === 'scheduled' &&
      Boolean(request.meeting) &&
      Date.parse(request.meeting?.end ?? '') < now.getTime(),
  };
}

export async function listRequests(
  query: z.output<typeof listQuerySchema>,
  ports: RequestPorts,
  now: Date,
  timeZone: string,
) {
  const { stage, assignee, overdue, q, limit, nextToken } = query;
  const wanted = stage ? [stage] : stages;
  const page = await ports.list({
    // A closed request owes nobody anything, whatever its old due date says.
    stages: overdue === 'true' ? wanted.filter((one) => openStages.includes(one)) : wanted,
    assignee: assignee?.toLowerCase(),
    dueBefore: overdue === 'true' ? officeDate(now, timeZone) : undefined,
    text: q?.toLowerCase(),
    limit,
    nextToken,
  });
  return {
    items: page.items.map((request) => summary(request, timeZone, now)),
    nextToken: page.nextToken ?? null,
  };
}

/**
 * How sending a reply went: sent only once SES took it (it has SES's Message-ID), failed or
 * unknown while its failure stands unresent, and sending meanwhile. A reply that failed is
 * never shown as sent.
 */
export function replyStatus(
  message: Pick<MessageRecord, 'sesMessageId' | 'seq'>,
  failures: readonly FailedNotification[],
): 'sent' | 'sending' | 'failed' | 'unknown' {
  if (message.sesMessageId) return 'sent';
  // Follow the failure through each resend of it to the latest attempt.
  let seq = message.seq;
  for (let hops = 0; hops < 100; hops += 1) {
    const failure = failures.find((one) => one.seq === seq && one.kind === 'reply');
    if (!failure) return 'sending';
    if (!failure.resent)
      return /may (or may not )?have been delivered/.test(failure.error) ? 'unknown' : 'failed';
    seq = failure.resent.seq;
  }
  return 'sending';
}

export async function requestDetail(
  id: string,
  actor: Actor,
  ports: RequestPorts,
  rules: Pick<ActRules, 'timeZone' | 'separateApproval'>,
) {
  const { timeZone } = rules;
  const found = await ports.detail(id);
  if (!found) {
    // A request disposed of is gone, but not unaccounted for: say where its record is.
    const disposal = await ports.disposalOf(id);
    if (disposal)
      throw refused({
        code: 'not_found',
        message: `request ${disposal.reference} was disposed of under the retention policy at ${disposal.disposedAt}; its disposal record is in GET /api/disposals`,
      });
    throw notFound(`request ${id}`);
  }
  const { request, messages, events, failedNotifications } = found;
  const messagesWithLinks = await Promise.all(
    messages.map(async (message) => ({
      ...message,
      ...(message.author ? { status: replyStatus(message, failedNotifications) } : {}),
      documents: message.documents && {
        text: {
          key: message.documents.text,
          url: await ports.presign(message.documents.text, 'letter.txt'),
        },
        html: message.documents.html
          ? {
              key: message.documents.html,
              url: await ports.presign(message.documents.html, 'letter.html'),
            }
          : null,
        attachments: await Promise.all(
          message.documents.attachments.map(async (attachment) => ({
            ...attachment,
            url: await ports.presign(attachment.key, attachment.filename),
          })),
        ),
      },
    })),
  );
  const actions = actionsFor(request, actor, rules);
  return {
    ...summary(request, timeZone),
    request,
    allowedActions: actions.allowed,
    withheldActions: actions.withheld,
    messages: messagesWithLinks,
    events,
    failedNotifications: failedNotifications.map(failureView),
  };
}

/**
 * The request's audit events and whether their chain holds, against the head the request
 * records, so the removal of its newest events shows as well as an altered or missing one.
 */
export async function auditTrail(id: string, ports: Pick<RequestPorts, 'requestChain'>) {
  const chain = await ports.requestChain(id);
  if (!chain?.recordFound) throw notFound(`request ${id}`);
  return { events: chain.events, verification: verifyChain(chain.events, chain.head) };
}

/**
 * Why mail caused by event `seq` must not go out again now, if it must not: an invitation
 * to a meeting that has since been moved or called off would mislead whoever gets it.
 */
function supersededBy(
  seq: number,
  events: readonly AuditEvent[],
  request: RequestRecord,
): string | undefined {
  let cause = events.find((event) => event.seq === seq);
  // A failed resend names the resend event: look through to the mail's first cause.
  for (let hops = 0; cause?.action === 'resend_notification' && hops < 100; hops += 1) {
    const next = Number(cause.details.seq);
    cause = events.find((event) => event.seq === next);
  }
  if (cause?.action !== 'schedule' && cause?.action !== 'reschedule') return undefined;
  if (request.stage !== 'scheduled')
    return `that invitation is out of date: the request is now ${request.stage}, so the meeting it describes is no longer planned`;
  if (Number(cause.details.sequence ?? 0) !== (request.meeting?.sequence ?? 0))
    return 'that invitation is out of date: the meeting was rescheduled since, and the new invitation went out then; resend that one if it failed';
  return undefined;
}

/** A failed notification as staff see it: what, to whom, why, and whether it was sent again. */
function failureView(failure: FailedNotification) {
  return {
    // Failures recorded before ids existed get the same id they would have now.
    id: failure.id ?? notificationId(failure.seq, failure.kind, failure.recipient),
    seq: failure.seq,
    kind: failure.kind,
    recipient: failure.recipient,
    error: failure.error,
    at: failure.at,
    ...(failure.resent ? { resent: failure.resent } : {}),
  };
}

/**
 * What one stored message says: its text, and its sanitised HTML where the mail had
 * HTML. Served by the API so the staff UI reads letters from its own API, not from
 * the documents bucket (which would need the bucket's origin in the UI's CSP and CORS).
 */
export async function messageContent(
  id: string,
  messageKey: string,
  ports: RequestPorts & { readText(key: string): Promise<string> },
) {
  const found = await ports.detail(id);
  if (!found) throw notFound(`request ${id}`);
  const message = found.messages.find((candidate) => candidate.key === messageKey);
  if (!message) throw notFound(`message ${messageKey} on request ${id}`);
  if (!message.documents) {
    // Mail postroom sent by itself keeps only its exact copy: its text is read from that.
    if (message.direction === 'outbound' && message.raw)
      return {
        key: message.key,
        text: await sentText(await ports.readText(message.raw.key)),
        html: null,
      };
    throw notFound(`stored content for message ${messageKey}`);
  }
  const { text, html } = message.documents;
  return {
    key: message.key,
    text: await ports.readText(text),
    html: html ? await ports.readText(html) : null,
  };
}

/**
 * What follows a committed action outside the table (the note's version copy): run only
 * once the transaction has committed, with the request as it was and as it is now.
 */
export type AfterCommit = (before: RequestRecord, after: RequestRecord) => Promise<void>;

/**
 * Performs an action. A write that loses only to intake appending a message (the chain
 * moved but the version did not) is decided again on fresh data; a version change by
 * someone else is a conflict the person must see. Nothing is written before the decision
 * and the transaction: `afterCommit` runs only for the writer that won.
 */
export async function actOnRequest(
  id: string,
  actor: Actor,
  body: unknown,
  ports: RequestPorts & Partial<DirectoryPorts>,
  rules: ActRules,
  now: Date,
  afterCommit?: AfterCommit,
) {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest(
      'the body must be a JSON object like {"action":"accept","expectedVersion":1}',
      [{ path: '(body)', message: 'expected a JSON object' }],
    );
  }
  const input = body as { action: unknown; expectedVersion: unknown; assignee?: unknown };
  if (input.action === 'resend_notification') {
    throw refused({
      code: 'not_allowed',
      message:
        'to send a failed notification again, POST /api/requests/{id}/notifications/{notification}/resend',
    });
  }
  // Only a member of staff can be given a request; the directory is read once, outside the
  // retries, since it does not change with the request.
  // Only a member of staff can be given a request: checked where performAction reads the
  // request, the directory read once however many attempts the write takes. Routes that
  // serve no assignment have no directory: nobody is staff to them.
  let staff: StaffMember[] | undefined;
  const prepare = async () => {
    if (input.action !== 'assign' || typeof input.assignee !== 'string') return input;
    staff ??= (await ports.staffMembers?.()) ?? [];
    const refusal = assigneeRefusal(input.assignee, staff);
    return refusal ? { refusal } : input;
  };
  const done = await performAction(id, actor, prepare, ports, rules, now);
  if (!done.ok) throw refused(done.refusal);
  await afterCommit?.(done.before, done.request);
  return { ...summary(done.request, rules.timeZone, now), request: done.request };
}

/**
 * Sends a failed notification (or one whose delivery is unknown) again, at staff's
 * request: an audited action, marked on the failure in the same transaction so it is
 * sent again once however many people press the button. Nothing is ever resent without
 * someone asking, because only a person can check it did not arrive after all.
 */
export async function resendNotification(
  id: string,
  notification: string,
  actor: Actor,
  ports: RequestPorts,
  rules: ActRules,
  now: Date,
) {
  // Read for each attempt: someone may have sent it again, or moved the meeting, meanwhile.
  const current = async () => {
    const found = await ports.detail(id);
    if (!found) throw notFound(`request ${id}`);
    const failure = found.failedNotifications.map(failureView).find((f) => f.id === notification);
    if (!failure) throw notFound(`failed notification ${notification} on request ${id}`);
    return { found, failure };
  };
  const { failure } = await current();
  const resent = { seq: failure.seq, kind: failure.kind, recipient: failure.recipient };
  const done = await performAction(
    id,
    actor,
    async () => {
      const { found, failure } = await current();
      if (failure.resent) {
        return {
          refusal: {
            code: 'conflict',
            message: `${failure.recipient} was already sent this again by ${failure.resent.by} at ${failure.resent.at}`,
          },
        } as const;
      }
      const superseded = supersededBy(failure.seq, found.events, found.request);
      if (superseded) return { refusal: { code: 'conflict', message: superseded } } as const;
      return {
        action: 'resend_notification',
        expectedVersion: found.request.version,
        failure: failure.id,
        seq: failure.seq,
        kind: failure.kind,
        recipient: failure.recipient,
      };
    },
    ports,
    rules,
    now,
    { resent },
  );
  if (!done.ok) throw refused(done.refusal);
  return { ...summary(done.request, rules.timeZone, now), request: done.request };
}
