import type { RenderedMail } from '../mail/templates/index.ts';
import {
  acknowledgement,
  messageJoinedAlert,
  newRequestAlert,
  type TemplateRequest,
} from '../mail/templates/index.ts';
import type { AuditEvent } from '../workflow/audit.ts';
import type { MessageRecord, RequestRecord } from '../workflow/records.ts';

/**
 * Which mail an audit event causes, to whom. Each planned notification is identified by
 * (event, recipient), which is what makes a replayed stream batch send nothing twice.
 */
export interface PlannedNotification {
  kind: 'acknowledgement' | 'new-request-alert' | 'message-alert';
  recipient: string;
  mail: RenderedMail;
  autoSubmitted: 'auto-replied' | 'auto-generated';
  /** postroom's own id; SES rewrites the sent Message-ID, so it also goes in References. */
  messageId: string;
  inReplyTo?: string;
  references: string[];
  /** Acknowledgements count against the sender's hourly allowance. */
  rateLimited: boolean;
}

export interface OfficeSettings {
  officeName: string;
  officeAddress: string;
  staffAlertAddress: string;
}

export function outboundMessageId(reference: string, label: string, officeAddress: string): string {
  const domain = officeAddress.split('@')[1] ?? 'postroom.invalid';
  return `<${reference}.${label}@postroom.${domain}>`;
}

function templateRequest(request: RequestRecord): TemplateRequest {
  return {
    reference: request.reference,
    subject: request.subject,
    senderName: request.sender.name,
    senderAddress: request.sender.address,
    organisation: request.organisation,
    receivedAt: request.receivedAt,
    replyBy: request.replyBy,
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
          mail: acknowledgement(templateRequest(request), office.officeName),
          autoSubmitted: 'auto-replied',
          rateLimited: true,
          ...thread(outboundMessageId(request.reference, 'ack', office.officeAddress)),
        });
      }
      const withheld = event.details.acknowledgementWithheld;
      planned.push({
        kind: 'new-request-alert',
        recipient: office.staffAlertAddress,
        mail: newRequestAlert(templateRequest(request), {
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
      return [
        {
          kind: 'message-alert',
          recipient: office.staffAlertAddress,
          mail: messageJoinedAlert(templateRequest(request), {
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
      return [];
  }
}
