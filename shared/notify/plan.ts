import { invitation } from '../mail/calendar.ts';
import type { OutboundAttachment } from '../mail/compose.ts';
import { escapeHtml, htmlDocument } from '../mail/templates/html.ts';
import type { RenderedMail } from '../mail/templates/index.ts';
import {
  acknowledgement,
  messageJoinedAlert,
  newRequestAlert,
  type TemplateRequest,
} from '../mail/templates/index.ts';
import { workflowMail } from '../mail/templates/workflow.ts';
import type { AuditEvent } from '../workflow/audit.ts';
import type { Meeting, MessageRecord, RequestRecord } from '../workflow/records.ts';
import { findTransition } from '../workflow/transitions.ts';

/**
 * Which mail an audit event causes, to whom. Each planned notification is identified by
 * (event, recipient), which is what makes a replayed stream batch send nothing twice.
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
}

export function outboundMessageId(reference: string, label: string, officeAddress: string): string {
  const domain = officeAddress.split('@')[1] ?? 'postroom.invalid';
  return `<${reference}.${label}@postroom.${domain}>`;
}

function templateRequest(request: RequestRecord, timeZone: string): TemplateRequest {
  return {
    reference: request.reference,
    subject: request.subject,
    senderName: request.sender.name,
    senderAddress: request.sender.address,
    organisation: request.organisation,
    receivedAt: request.receivedAt,
    replyBy: request.replyBy,
    timeZone,
  };
}

export function planNotifications(
  event: AuditEvent,
  request: RequestRecord,
  message: MessageRecord | undefined,
  office: OfficeSettings,
): PlannedNotification[] {
  const original =
    typeof event.details.messageId === 'string' ? event.details.messageId : undefined;
  const thread = (ownId: string) => ({
    messageId: ownId,
    inReplyTo: original,
    references: [...(original ? [original] : []), ownId],
  });
  switch (event.action) {
    case 'receive': {
      const planned: PlannedNotification[] = [];
      if (event.details.acknowledge === true) {
        planned.push({
          kind: 'acknowledgement',
          recipient: request.sender.address,
          mail: acknowledgement(templateRequest(request, office.timeZone), office.officeName),
          autoSubmitted: 'auto-replied',
          rateLimited: true,
          ...thread(outboundMessageId(request.reference, 'ack', office.officeAddress)),
        });
      }
      const withheld = event.details.acknowledgementWithheld;
      planned.push({
        kind: 'new-request-alert',
        recipient: office.staffAlertAddress,
        mail: newRequestAlert(templateRequest(request, office.timeZone), {
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
        }),
        autoSubmitted: 'auto-generated',
        rateLimited: false,
        ...thread(outboundMessageId(request.reference, 'alert', office.officeAddress)),
      });
      return planned;
    }
    case 'message_received':
      // The same message delivered again tells staff nothing new: it is on the timeline.
      if (event.details.deliveredAgain === true) return [];
      return [
        {
          kind: 'message-alert',
          recipient: office.staffAlertAddress,
          mail: messageJoinedAlert(templateRequest(request, office.timeZone), {
            from: String(event.details.sender ?? ''),
            subject: String(event.details.subject ?? ''),
            matchedBy: String(event.details.matchedBy ?? ''),
            machine: typeof event.details.machine === 'string' ? event.details.machine : undefined,
          }),
          autoSubmitted: 'auto-generated',
          rateLimited: false,
          ...thread(
            outboundMessageId(request.reference, `${event.seq}.alert`, office.officeAddress),
          ),
        },
      ];
    default:
      return planWorkflowMail(event, request, office);
  }
}

/** A stable short tag per recipient, so each (event, recipient) has its own Message-ID. */
function recipientTag(recipient: string): string {
  let hash = 0;
  for (const char of recipient.toLowerCase()) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash.toString(36);
}

/** Mail for staff actions, to the audiences the transition table names. */
function planWorkflowMail(
  event: AuditEvent,
  request: RequestRecord,
  office: OfficeSettings,
): PlannedNotification[] {
  const row = event.from
    ? findTransition(event.from as RequestRecord['stage'], event.action as never)
    : undefined;
  if (!row || row.notifies.length === 0) return [];
  const template = templateRequest(request, office.timeZone);
  const details = event.details;
  const staffFallback = office.staffAlertAddress;
  const assignee = request.assignee ?? staffFallback;
  const planned: PlannedNotification[] = [];
  const add = (
    recipient: string | undefined,
    kind: string,
    rendered: RenderedMail,
    extra: Partial<PlannedNotification> = {},
  ) => {
    if (
      !recipient ||
      planned.some((p) => p.recipient.toLowerCase() === recipient.toLowerCase() && p.kind === kind)
    )
      return;
    const ownId = outboundMessageId(
      request.reference,
      `${event.seq}.${kind}.${recipientTag(recipient)}`,
      office.officeAddress,
    );
    planned.push({
      kind,
      recipient,
      mail: rendered,
      autoSubmitted: 'auto-generated',
      rateLimited: false,
      messageId: ownId,
      references: [ownId],
      ...extra,
    });
  };

  switch (event.action) {
    case 'accept':
      add(request.sender.address, 'accepted', workflowMail.accept(template, office.officeName));
      break;
    case 'decline':
      add(
        request.sender.address,
        'declined',
        workflowMail.decline(template, office.officeName, String(details.reason)),
      );
      break;
    case 'withdraw':
      add(
        request.sender.address,
        'withdrawn',
        workflowMail.withdraw(template, office.officeName, String(details.reason)),
      );
      break;
    case 'schedule':
    case 'reschedule': {
      const meeting = {
        ...(details as unknown as Meeting),
        sequence: Number(details.sequence ?? 0),
      };
      const domain = office.officeAddress.split('@')[1] ?? 'postroom.invalid';
      const calendar = invitation({
        uid: `${request.id}@postroom.${domain}`,
        sequence: meeting.sequence,
        start: meeting.start,
        end: meeting.end,
        summary: `Meeting: ${request.subject} (${request.reference})`,
        location: meeting.location,
        description: `${office.officeName}: meeting about ${request.subject}. Reference ${request.reference}.`,
        organizer: { name: office.officeName, email: office.officeAddress },
        attendees: meeting.attendees,
        stamp: new Date(event.at),
      });
      const rendered = workflowMail.schedule(
        template,
        office.officeName,
        meeting,
        event.action === 'reschedule',
      );
      const attachments = [
        {
          filename: 'invite.ics',
          contentType: 'text/calendar; charset=UTF-8; method=REQUEST',
          content: calendar,
        },
      ];
      for (const recipient of [
        request.sender.address,
        ...meeting.attendees.flatMap((a) => (a.email ? [a.email] : [])),
      ]) {
        add(recipient, event.action === 'reschedule' ? 'rescheduled' : 'scheduled', rendered, {
          attachments,
        });
      }
      break;
    }
    case 'record_held':
      add(
        assignee,
        'note-due',
        workflowMail.noteDue(template, String(details.noteDueBy ?? request.noteDueBy ?? '')),
      );
      break;
    case 'submit_note': {
      const approvers = office.approverAddresses?.length
        ? office.approverAddresses
        : [staffFallback];
      for (const approver of approvers)
        add(approver, 'awaiting-approval', workflowMail.awaitingApproval(template, event.actor));
      break;
    }
    case 'request_changes':
      add(
        request.draft?.submittedBy ?? assignee,
        'changes-requested',
        workflowMail.changesRequested(template, event.actor, String(details.comment)),
      );
      break;
    case 'approve': {
      const publishAt = String(details.publishAt ?? request.publishAt ?? event.at);
      add(assignee, 'approved', workflowMail.approvedForStaff(template, publishAt));
      add(
        request.sender.address,
        'approved-requester',
        workflowMail.approvedForRequester(template, office.officeName, publishAt),
      );
      break;
    }
    case 'publish': {
      const pageUrl = String(details.pageUrl ?? '');
      add(
        request.sender.address,
        'published',
        workflowMail.publishedForRequester(template, office.officeName, pageUrl),
      );
      add(staffFallback, 'published-office', workflowMail.publishedForOffice(template, pageUrl));
      break;
    }
    case 'assign':
      if (details.assignee !== event.actor) {
        add(String(details.assignee), 'assigned', {
          subject: `[${request.reference}] Assigned to you: ${request.subject}`,
          text: `${event.actor} has assigned ${request.reference} ("${request.subject}") to you.\n`,
          html: htmlDocument(`${request.reference} assigned`, [
            escapeHtml(
              `${event.actor} has assigned ${request.reference} ("${request.subject}") to you.`,
            ),
          ]),
        });
      }
      break;
  }
  return planned;
}
