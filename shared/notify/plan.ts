import { createHash, randomBytes } from 'node:crypto';
import { log } from '../log.ts';
import { invitation } from '../mail/calendar.ts';
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
  autoSubmitted: 'auto-replied' | 'auto-generated';
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
    case 'attendees':
      return ((event.details.attendees ?? []) as Meeting['attendees']).flatMap((attendee) =>
        attendee.email ? [attendee.email] : [],
      );
  }
}

/** One (action, audience)'s mail. */
export interface MailTemplate {
  kind: string;
  /** The mail, or undefined when this event calls for none after all. */
  compose(context: MailContext, recipient: string): RenderedMail | undefined;
  /** Files to attach (an invitation's calendar entry). */
  attachments?(context: MailContext): OutboundAttachment[];
  /** An automatic reply to the letter (RFC 3834 auto-replied, not auto-generated). */
  reply?: true;
  /** Threads under the letter the event is about (In-Reply-To and References). */
  threaded?: true;
  /** Counts against the sender's hourly allowance (acknowledgements). */
  rateLimited?: true;
  /** postroom's own Message-ID label; by default one per (event, kind, recipient). */
  label?(context: MailContext): string;
  /** A staff alert: its one line in a flood's summary, in place of the mail. */
  summaryLine?(context: MailContext): string;
}

const invitationFile = ({
  event,
  request,
  office,
  template,
}: MailContext): OutboundAttachment[] => {
  const meeting = {
    ...(event.details as unknown as Meeting),
    sequence: Number(event.details.sequence ?? 0),
  };
  const domain = office.officeAddress.split('@')[1] ?? 'postroom.invalid';
  return [
    {
      filename: 'invite.ics',
      contentType: 'text/calendar; charset=UTF-8; method=REQUEST',
      content: invitation({
        uid: `${request.id}@postroom.${domain}`,
        sequence: meeting.sequence,
        start: meeting.start,
        end: meeting.end,
        summary: `Meeting: ${template.subject} (${request.reference})`,
        location: meeting.location,
        description: `${office.officeName}: meeting about ${template.subject}. Reference ${request.reference}.`,
        organizer: { name: office.officeName, email: office.officeAddress },
        attendees: meeting.attendees,
        stamp: new Date(event.at),
      }),
    },
  ];
};

const invitationTemplate = (rescheduled: boolean): MailTemplate => ({
  kind: rescheduled ? 'rescheduled' : 'scheduled',
  compose: ({ event, template, office }) =>
    workflowMail.schedule(
      template,
      office.officeName,
      { ...(event.details as unknown as Meeting), sequence: Number(event.details.sequence ?? 0) },
      rescheduled,
    ),
  attachments: invitationFile,
});
const invitations = (rescheduled: boolean) => ({
  requester: invitationTemplate(rescheduled),
  attendees: invitationTemplate(rescheduled),
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
  withdraw: {
    requester: {
      kind: 'withdrawn',
      compose: (context) =>
        workflowMail.withdraw(
          context.template,
          context.office.officeName,
          detail(context, 'reason'),
        ),
    },
  },
  schedule: invitations(false),
  reschedule: invitations(true),
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
  assign: {
    assignee: {
      kind: 'assigned',
      // Nobody needs telling that they assigned something to themselves.
      compose: ({ event, template }, recipient) =>
        recipient === event.actor ? undefined : workflowMail.assigned(template, event.actor),
    },
  },
} as const satisfies {
  [A in Action | keyof typeof recordedEvents]?: { [Au in Audience]?: MailTemplate };
};

/** Who is outside the office: what they are sent repeats a stranger's words only neutrally. */
const outsiders: readonly Audience[] = ['requester', 'attendees'];

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
      const ownId = outboundMessageId(
        request.reference,
        template.label?.(context) ?? `${event.seq}.${template.kind}.${recipientTag(recipient)}`,
        office.officeAddress,
      );
      const threaded = template.threaded === true;
      planned.push({
        kind: template.kind,
        recipient,
        mail,
        autoSubmitted: template.reply ? 'auto-replied' : 'auto-generated',
        rateLimited: template.rateLimited === true,
        messageId: ownId,
        ...(threaded && original ? { inReplyTo: original } : {}),
        references: [...(threaded && original ? [original] : []), ownId],
        ...(template.attachments ? { attachments: template.attachments(context) } : {}),
        ...(template.summaryLine ? { summaryLine: template.summaryLine(context) } : {}),
      });
    }
  }
  return planned;
}
