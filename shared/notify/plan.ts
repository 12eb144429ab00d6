import { createHash, randomBytes } from 'node:crypto';
import { log } from '../log.ts';
import {
  type CalendarEntry,
  calendarContentType,
  cancellation,
  invitation,
} from '../mail/calendar.ts';
import type { OutboundAttachment } from '../mail/compose.ts';
import { linkOnSite } from '../mail/links.ts';
import type { RenderedMail, TemplateRequest } from '../mail/templates/index.ts';
import {
  acknowledgement,
  defang,
  messageJoinedAlert,
  neutralEcho,
  newRequestAlert,
} from '../mail/templates/index.ts';
import { workflowMail } from '../mail/templates/workflow.ts';
import type { AuditEvent } from '../workflow/audit.ts';
import {
  type Channel,
  channelWords,
  type Meeting,
  type MessageRecord,
  type RequestRecord,
} from '../workflow/records.ts';
import {
  type Action,
  type Audience,
  audiencesOf,
  invitees,
  type recordedEvents,
} from '../workflow/transitions.ts';

/**
 * Which mail an audit event causes, to whom. The transition table says which audiences
 * each action tells (shared/workflow/transitions.ts); `recipientsOf` turns an audience
 * into addresses; `mailTemplates` gives the mail for each (action, audience). Each
 * planned notification is identified by (event, kind, recipient), which is what makes a
 * replayed stream batch send nothing twice.
 */
export interface PlannedNotification {
  kind: string;
  recipient: string;
  mail: RenderedMail;
  /** Absent on mail a person wrote (a reply), which is not automatic. */
  autoSubmitted?: 'auto-replied' | 'auto-generated';
  /**
   * Mail composed and kept before it was sent (a reply staff wrote): sent byte for byte
   * as kept, to all its addressees at once, and recorded on the message already filed.
   */
  composed?: { message: MessageRecord; raw: { bucket: string; key: string } };
  /** postroom's own id; SES rewrites the sent Message-ID, so it also goes in References. */
  messageId: string;
  inReplyTo?: string;
  references: string[];
  /** Acknowledgements count against the sender's hourly allowance. */
  rateLimited: boolean;
  /**
   * Staff alerts: past the hour's allowance this line goes in the quarter-hourly summary
   * instead (shared/notify/alert-summary.ts), so a flood is one mail, not one per letter.
   */
  summaryLine?: string;
  attachments?: OutboundAttachment[];
}

export interface OfficeSettings {
  officeName: string;
  officeAddress: string;
  staffAlertAddress: string;
  /** Told when a note awaits approval; the staff alert address when empty. */
  approverAddresses?: string[];
  /** OFFICE_TIMEZONE: the clock every time in the mail is shown on. */
  timeZone: string;
  /** SITE_BASE_URL: the only place a link in mail may point. */
  siteBaseUrl: string;
}

export function outboundMessageId(reference: string, label: string, officeAddress: string): string {
  const domain = officeAddress.split('@')[1] ?? 'postroom.invalid';
  // 96 random bits: a stranger who knows the reference cannot write In-Reply-To an
  // acknowledgement and join the request. Threading needs no pattern: each id sent is
  // remembered (a MID# pointer) before the mail goes. A retry that plans the mail again
  // gets another id, which is fine: a mail is only ever sent from the attempt that
  // recorded its id (markSending), never twice.
  return `<${reference}.${label}.${randomBytes(12).toString('hex')}@postroom.${domain}>`;
}

/** What a template and the audience resolver know about the event being told. */
export interface MailContext {
  event: AuditEvent;
  request: RequestRecord;
  /** The message the event is about (a letter received), where there is one. */
  message?: MessageRecord;
  office: OfficeSettings;
  template: TemplateRequest;
}

const sameAddress = (one: string, other: string) => one.toLowerCase() === other.toLowerCase();
/** Who had the invitation among the attendees an event's details list under `name`. */
const invitedIn = (event: AuditEvent, name: 'attendees' | 'previousAttendees') =>
  invitees(event.details[name] as Meeting['attendees'] | undefined);

/** The addresses an audience stands for, for this event. */
export function recipientsOf(audience: Audience, context: MailContext): string[] {
  const { event, request, office } = context;
  const assignee = request.assignee ?? office.staffAlertAddress;
  switch (audience) {
    case 'requester':
      // A request opened by hand for a phone call or a letter by post may have no address.
      return request.sender.address ? [request.sender.address] : [];
    case 'office':
      return [office.staffAlertAddress];
    case 'approvers':
      return office.approverAddresses?.length
        ? office.approverAddresses
        : [office.staffAlertAddress];
    case 'assignee':
      // An assignment tells the person it names, whoever is assigned by the time we send.
      return [event.action === 'assign' ? String(event.details.assignee) : assignee];
    case 'drafter':
      return [request.draft?.submittedBy ?? assignee];
    case 'correspondents':
      // One mail to all of them (To and Cc), claimed under its first addressee.
      return ((event.details.to ?? []) as string[]).slice(0, 1);
    case 'attendees':
      return invitedIn(event, 'attendees').map((attendee) => attendee.email);
    case 'dropped_attendees': {
      const listed = invitedIn(event, 'attendees');
      return invitedIn(event, 'previousAttendees')
        .filter((before) => !listed.some((now) => sameAddress(now.email, before.email)))
        .map((attendee) => attendee.email);
    }
  }
}

/** One (action, audience)'s mail. */
export interface MailTemplate {
  kind: string;
  /** The mail, or undefined when this event calls for none after all. */
  compose(context: MailContext, recipient: string): RenderedMail | undefined;
  /** Files to attach (an invitation's or a cancellation's calendar entry). */
  attachments?(context: MailContext, recipient: string): OutboundAttachment[];
  /** An automatic reply to the letter (RFC 3834 auto-replied, not auto-generated). */
  reply?: true;
  /** Threads under the letter the event is about (In-Reply-To and References). */
  threaded?: true;
  /** Counts against the sender's hourly allowance (acknowledgements). */
  rateLimited?: true;
  /** Sends the message the event filed, as it was composed and kept (a staff reply). */
  composed?: true;
  /** postroom's own Message-ID label; by default one per (event, kind, recipient). */
  label?(context: MailContext): string;
  /** A staff alert: its one line in a flood's summary, in place of the mail. */
  summaryLine?(context: MailContext): string;
}

/** The meeting an event is about, as its details record it, with its SEQUENCE. */
const meetingOf = (event: AuditEvent): Meeting => ({
  ...(event.details as unknown as Meeting),
  sequence: Number(event.details.sequence ?? 0),
});
/** The meeting an event called off (transitions.ts `cancelling`), if it called one off. */
export const cancelledMeeting = (event: AuditEvent): Meeting | undefined =>
  event.details.meetingCancelled === true ? meetingOf(event) : undefined;

/** The request's calendar entry as the event leaves it, for these attendees. */
function calendarEntry(
  { event, request, office, template }: MailContext,
  attendees: CalendarEntry['attendees'],
): CalendarEntry {
  const meeting = meetingOf(event);
  const domain = office.officeAddress.split('@')[1] ?? 'postroom.invalid';
  return {
    uid: `${request.id}@postroom.${domain}`,
    sequence: meeting.sequence,
    start: meeting.start,
    end: meeting.end,
    summary: `Meeting: ${template.subject} (${request.reference})`,
    location: meeting.location,
    description: `${office.officeName}: meeting about ${template.subject}. Reference ${request.reference}.`,
    organizer: { name: office.officeName, email: office.officeAddress },
    attendees,
    stamp: new Date(event.at),
  };
}

const invitationFile = (context: MailContext): OutboundAttachment[] => [
  {
    filename: 'invite.ics',
    contentType: calendarContentType('REQUEST'),
    content: invitation(calendarEntry(context, meetingOf(context.event).attendees)),
  },
];

/** A CANCEL for these attendees: everyone, when the meeting is called off; else those dropped. */
const cancellationFile = (
  context: MailContext,
  attendees: CalendarEntry['attendees'],
  meetingCancelled: boolean,
): OutboundAttachment[] => [
  {
    filename: 'cancel.ics',
    contentType: calendarContentType('CANCEL'),
    content: cancellation({ ...calendarEntry(context, attendees), meetingCancelled }),
  },
];
/** The CANCEL of a meeting called off: the same file, listing everyone, for each person told. */
const meetingCancellationFile = (context: MailContext) =>
  cancellationFile(context, invitedIn(context.event, 'attendees'), true);

const invitationTemplate = (rescheduled: boolean): MailTemplate => ({
  kind: rescheduled ? 'rescheduled' : 'scheduled',
  compose: ({ event, template, office }) =>
    workflowMail.schedule(template, office.officeName, meetingOf(event), rescheduled),
  attachments: invitationFile,
});
const invitations = (rescheduled: boolean) => ({
  requester: invitationTemplate(rescheduled),
  attendees: invitationTemplate(rescheduled),
});

/**
 * The requester is told by their own mail of the event (a closing mail carrying the
 * cancellation, or a reschedule's new invitation): a second calendar message about the
 * same entry, listing them as an attendee too, would only contradict it.
 */
const isRequester = (context: MailContext, recipient: string) =>
  context.request.sender.address !== undefined &&
  sameAddress(recipient, context.request.sender.address);

/** Each attendee of a meeting called off: a CANCEL of the whole meeting. */
const meetingCancelledTemplate: MailTemplate = {
  kind: 'cancelled',
  compose: (context, recipient) =>
    isRequester(context, recipient)
      ? undefined
      : workflowMail.meetingCancelled(
          context.template,
          context.office.officeName,
          meetingOf(context.event),
        ),
  attachments: meetingCancellationFile,
};

/** An attendee a reschedule dropped: a CANCEL listing only them, for a meeting still on. */
const attendanceCancelledTemplate: MailTemplate = {
  kind: 'cancelled',
  compose: (context, recipient) =>
    isRequester(context, recipient)
      ? undefined
      : workflowMail.attendanceCancelled(context.template, context.office.officeName),
  attachments: (context, recipient) =>
    cancellationFile(
      context,
      invitedIn(context.event, 'previousAttendees')
        .filter((attendee) => sameAddress(attendee.email, recipient))
        .slice(0, 1),
      false,
    ),
};

/**
 * The mail of an action that closes a request, which from `scheduled` calls its meeting
 * off (transitions.ts `cancelling`; the table's row from `scheduled` then notifies the
 * attendees too): the requester's own mail, with the cancellation attached when there is
 * one, and a cancellation to each attendee. For `close`:
 * `close: closingMail({ kind: 'closed', compose: (context) => workflowMail.close(...) })`.
 */
export const closingMail = (requester: MailTemplate) => ({
  requester: {
    ...requester,
    attachments: (context: MailContext) =>
      cancelledMeeting(context.event) ? meetingCancellationFile(context) : [],
  },
  attendees: meetingCancelledTemplate,
});

const detail = (context: MailContext, name: string) => String(context.event.details[name] ?? '');
/** For a request staff opened by hand: how it came, and who recorded it. */
const recordedByHand = ({ event }: MailContext) => {
  const channel = event.details.channel;
  if (typeof channel !== 'string' || channel === 'email' || !Object.hasOwn(channelWords, channel))
    return undefined;
  return `${channelWords[channel as Channel]}, recorded by ${event.actor}`;
};
/**
 * The published page's link, if it is on the configured site; the site itself otherwise.
 * The publisher builds it from SITE_BASE_URL, so the fallback is for a value that came
 * some other way, which must not reach a requester.
 */
const pageLink = (context: MailContext) => {
  const link = linkOnSite(detail(context, 'pageUrl'), context.office.siteBaseUrl);
  if (!link)
    log.warn('a page link not on the public site was left out of the mail', {
      reference: context.request.reference,
      seq: context.event.seq,
    });
  return link ?? context.office.siteBaseUrl;
};
/** A staff alert's line in a summary: who wrote, about what, and what to look at. */
const alertLine = (reference: string, what: string, subject: string, flags: readonly string[]) =>
  `${reference}  ${what}: "${neutralEcho(subject, 80)}"${flags.length ? ` [${flags.join('; ')}]` : ''}`;
const publishAt = ({ event, request }: MailContext) =>
  String(event.details.publishAt ?? request.publishAt ?? event.at);

/** Withdrawing, or closing before the meeting: the requester is told, and a meeting called off. */
const withdrawal = closingMail({
  kind: 'withdrawn',
  compose: (context) =>
    workflowMail.withdraw(
      context.template,
      context.office.officeName,
      detail(context, 'reason'),
      cancelledMeeting(context.event),
    ),
});
/** Mail to a colleague about what someone did; nobody needs telling what they did themselves. */
const toColleague = (
  kind: string,
  compose: (context: MailContext) => RenderedMail,
): MailTemplate => ({
  kind,
  compose: (context, recipient) =>
    recipient.toLowerCase() === context.event.actor.toLowerCase() ? undefined : compose(context),
});

/** The mail for each (action, audience) the table declares, and nothing else. */
export const mailTemplates = {
  receive: {
    requester: {
      kind: 'acknowledgement',
      // Intake decides (loop rules, verdicts) and records it on the event.
      compose: ({ event, template, office }) =>
        event.details.acknowledge === true
          ? acknowledgement(template, office.officeName)
          : undefined,
      reply: true,
      threaded: true,
      rateLimited: true,
      label: () => 'ack',
    },
    office: {
      kind: 'new-request-alert',
      compose: (context) => {
        const { event, request, message, template } = context;
        const withheld = event.details.acknowledgementWithheld;
        return newRequestAlert(template, {
          recorded: recordedByHand(context),
          attachments: (message?.documents?.attachments ?? [])
            .filter((attachment) => !attachment.inline)
            .map(
              (attachment) =>
                `${attachment.filename} (${attachment.contentType}, ${attachment.size} bytes)`,
            ),
          flags: request.flags,
          acknowledged:
            typeof withheld === 'string'
              ? `not sent (${withheld})`
              : 'sent to the sender, unless the per-sender hourly limit is reached',
        });
      },
      threaded: true,
      label: () => 'alert',
      summaryLine: ({ request, event }) =>
        alertLine(
          request.reference,
          `new request from ${request.sender.name ? `${neutralEcho(request.sender.name, 40)} ` : ''}${request.sender.address ? `<${request.sender.address}>` : '(no email address)'}`,
          request.subject,
          [
            ...(request.flags ?? []),
            ...(typeof event.details.acknowledgementWithheld === 'string'
              ? [`not acknowledged: ${event.details.acknowledgementWithheld}`]
              : []),
          ],
        ),
    },
  },
  message_received: {
    office: {
      kind: 'message-alert',
      // The same message delivered again tells staff nothing new: it is on the timeline.
      compose: ({ event, template }) =>
        event.details.deliveredAgain === true
          ? undefined
          : messageJoinedAlert(template, {
              from: String(event.details.sender ?? ''),
              subject: defang(String(event.details.subject ?? '')),
              matchedBy: String(event.details.matchedBy ?? ''),
              machine:
                typeof event.details.machine === 'string' ? event.details.machine : undefined,
            }),
      threaded: true,
      label: ({ event }) => `${event.seq}.alert`,
      summaryLine: ({ request, event }) =>
        alertLine(
          request.reference,
          `mail from ${String(event.details.sender ?? '')} joined (matched by ${String(event.details.matchedBy ?? '')})`,
          String(event.details.subject ?? ''),
          typeof event.details.machine === 'string' ? [`automatic: ${event.details.machine}`] : [],
        ),
    },
  },
  accept: {
    requester: {
      kind: 'accepted',
      compose: ({ template, office }) => workflowMail.accept(template, office.officeName),
    },
  },
  decline: {
    requester: {
      kind: 'declined',
      compose: (context) =>
        workflowMail.decline(
          context.template,
          context.office.officeName,
          detail(context, 'reason'),
        ),
    },
  },
  withdraw: withdrawal,
  schedule: invitations(false),
  reschedule: { ...invitations(true), dropped_attendees: attendanceCancelledTemplate },
  record_held: {
    assignee: {
      kind: 'note-due',
      compose: ({ event, request, template }) =>
        workflowMail.noteDue(template, String(event.details.noteDueBy ?? request.noteDueBy ?? '')),
    },
  },
  submit_note: {
    approvers: {
      kind: 'awaiting-approval',
      compose: ({ event, template }) => workflowMail.awaitingApproval(template, event.actor),
    },
  },
  request_changes: {
    drafter: {
      kind: 'changes-requested',
      compose: (context) =>
        workflowMail.changesRequested(
          context.template,
          context.event.actor,
          detail(context, 'comment'),
        ),
    },
  },
  approve: {
    assignee: {
      kind: 'approved',
      compose: (context) => workflowMail.approvedForStaff(context.template, publishAt(context)),
    },
    requester: {
      kind: 'approved-requester',
      compose: (context) =>
        workflowMail.approvedForRequester(
          context.template,
          context.office.officeName,
          publishAt(context),
        ),
    },
  },
  publish: {
    requester: {
      kind: 'published',
      compose: (context) =>
        workflowMail.publishedForRequester(
          context.template,
          context.office.officeName,
          pageLink(context),
        ),
    },
    office: {
      kind: 'published-office',
      compose: (context) => workflowMail.publishedForOffice(context.template, pageLink(context)),
    },
  },
  takedown: {
    office: {
      kind: 'taken-down',
      compose: (context) =>
        workflowMail.takenDown(context.template, context.event.actor, detail(context, 'reason')),
    },
  },
  close: {
    // Before the meeting, a closing is a withdrawal, and the requester hears of it as one.
    ...withdrawal,
    assignee: toColleague('closed', (context) =>
      workflowMail.closedForStaff(context.template, context.event.actor, detail(context, 'reason')),
    ),
  },
  revoke_approval: {
    assignee: toColleague('approval-revoked', (context) =>
      workflowMail.approvalRevoked(
        context.template,
        context.event.actor,
        detail(context, 'reason'),
      ),
    ),
  },
  reopen: {
    requester: {
      kind: 'reopened',
      compose: (context) => workflowMail.reopened(context.template, context.office.officeName),
    },
  },
  extend_deadline: {
    assignee: toColleague('deadline-extended', (context) =>
      workflowMail.deadlineExtended(
        context.template,
        context.event.actor,
        detail(context, 'deadline'),
        detail(context, 'until'),
        detail(context, 'reason'),
      ),
    ),
  },
  reply: {
    correspondents: {
      kind: 'reply',
      // The reply was composed, and its copy kept, when staff sent it: nothing to render.
      compose: ({ message }) =>
        message?.raw ? { subject: message.subject, text: '', html: '' } : undefined,
      composed: true,
    },
  },
  assign: {
    assignee: toColleague('assigned', ({ event, template }) =>
      workflowMail.assigned(template, event.actor),
    ),
  },
} as const satisfies {
  [A in Action | keyof typeof recordedEvents]?: { [Au in Audience]?: MailTemplate };
};

/** Who is outside the office: what they are sent repeats a stranger's words only neutrally. */
const outsiders: readonly Audience[] = ['requester', 'attendees', 'dropped_attendees'];

/**
 * The request as a template may speak of it, to this audience. The subject and the
 * sender's name are whatever the letter said, and a letter's sender can be forged: to
 * people outside the office they are echoed without links, domains or addresses (else a
 * decline would carry a spammer's link to the person whose address was forged); to staff
 * they are shown whole, links made unclickable.
 */
function templateRequest(
  request: RequestRecord,
  timeZone: string,
  audience: Audience,
): TemplateRequest {
  const outside = outsiders.includes(audience);
  const echo = (text: string, max: number) => (outside ? neutralEcho(text, max) : defang(text));
  return {
    reference: request.reference,
    subject: echo(request.subject, 120),
    senderName: echo(request.sender.name, 60),
    senderAddress: request.sender.address,
    organisation: request.organisation === undefined ? undefined : echo(request.organisation, 80),
    receivedAt: request.receivedAt,
    replyBy: request.replyBy,
    timeZone,
  };
}

/** A stable short tag per recipient, so each (event, recipient) has its own Message-ID. */
export function recipientTag(recipient: string): string {
  return createHash('sha256').update(recipient.toLowerCase()).digest('hex').slice(0, 8);
}

/** The mail an event causes: for each audience the table declares, its template, to each address. */
export function planNotifications(
  event: AuditEvent,
  request: RequestRecord,
  message: MessageRecord | undefined,
  office: OfficeSettings,
): PlannedNotification[] {
  const about = { event, request, message, office };
  const templates = (mailTemplates as Record<string, Partial<Record<Audience, MailTemplate>>>)[
    event.action
  ];
  const original =
    typeof event.details.messageId === 'string' ? event.details.messageId : undefined;
  const planned: PlannedNotification[] = [];
  for (const audience of audiencesOf(event)) {
    const template = templates?.[audience];
    if (!template) continue; // tests/unit/plan.test.ts holds the table and the map together
    const context: MailContext = {
      ...about,
      template: templateRequest(request, office.timeZone, audience),
    };
    for (const recipient of recipientsOf(audience, context)) {
      const repeated = planned.some(
        (p) => p.kind === template.kind && p.recipient.toLowerCase() === recipient.toLowerCase(),
      );
      if (!recipient || repeated) continue;
      const mail = template.compose(context, recipient);
      if (!mail) continue;
      if (template.composed && message?.raw && message.messageId) {
        planned.push({
          kind: template.kind,
          recipient,
          mail,
          rateLimited: false,
          messageId: message.messageId,
          references: [message.messageId],
          composed: { message, raw: message.raw },
        });
        continue;
      }
      const ownId = outboundMessageId(
        request.reference,
        template.label?.(context) ?? `${event.seq}.${template.kind}.${recipientTag(recipient)}`,
        office.officeAddress,
      );
      const threaded = template.threaded === true;
      const attachments = template.attachments?.(context, recipient);
      planned.push({
        kind: template.kind,
        recipient,
        mail,
        autoSubmitted: template.reply ? 'auto-replied' : 'auto-generated',
        rateLimited: template.rateLimited === true,
        messageId: ownId,
        ...(threaded && original ? { inReplyTo: original } : {}),
        references: [...(threaded && original ? [original] : []), ownId],
        ...(attachments?.length ? { attachments } : {}),
        ...(template.summaryLine ? { summaryLine: template.summaryLine(context) } : {}),
      });
    }
  }
  return planned;
}
