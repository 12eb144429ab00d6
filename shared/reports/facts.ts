import type { AuditEvent } from '../workflow/audit.ts';
import type { Channel, RequestRecord } from '../workflow/records.ts';
import type { Stage } from '../workflow/stages.ts';

/**
 * What the management reports know of one request: its state now, from the request item,
 * and its history, from its audit events. The catalogue (functions/catalogue.ts) keeps one
 * per request, rebuilt whole from the table each time the request's chain grows, so a
 * repeated stream delivery writes the same facts again and nothing is counted twice.
 * Pure: nothing here reads storage.
 */
export interface RequestFacts {
  id: string;
  reference: string;
  /** When the letter was filed (or the request opened by hand). */
  receivedAt: string;
  channel: Channel;
  organisation?: string;
  senderName: string;
  senderAddress?: string;
  stage: Stage;
  assignee?: string;
  /** The deadlines as they stand, after any extension: office dates, YYYY-MM-DD. */
  replyBy: string;
  noteDueBy?: string;
  /** When the meeting was (or is) to start, as scheduled or as the note records it. */
  meetingStart?: string;
  /** Every stage the request entered, oldest first, with when and by which action. */
  stages: Array<{ stage: Stage; at: string; action: string }>;
  /** When the requester was first answered: accepted or declined. */
  answeredAt?: string;
  /** When the note was first published. */
  publishedAt?: string;
  /** The head of the chain these facts were made from: newer facts replace older. */
  eventSeq: number;
}

const answers = new Set(['accept', 'decline']);

/** The facts of one request, from the request item and its audit events (any order). */
export function factsOf(request: RequestRecord, events: readonly AuditEvent[]): RequestFacts {
  const ordered = [...events].sort((a, b) => a.seq - b.seq);
  const stages = ordered.flatMap((event) =>
    event.to && event.to !== event.from
      ? [{ stage: event.to as Stage, at: event.at, action: event.action }]
      : [],
  );
  const first = (wanted: (event: AuditEvent) => boolean) => ordered.find(wanted)?.at;
  return {
    id: request.id,
    reference: request.reference,
    receivedAt: request.receivedAt,
    channel: request.channel ?? 'email',
    ...(request.organisation ? { organisation: request.organisation } : {}),
    senderName: request.sender.name,
    ...(request.sender.address ? { senderAddress: request.sender.address } : {}),
    stage: request.stage,
    ...(request.assignee ? { assignee: request.assignee } : {}),
    replyBy: request.replyBy,
    ...(request.noteDueBy ? { noteDueBy: request.noteDueBy } : {}),
    ...(meetingStartOf(request) ? { meetingStart: meetingStartOf(request) } : {}),
    stages,
    ...optional(
      'answeredAt',
      first((event) => answers.has(event.action)),
    ),
    ...optional(
      'publishedAt',
      first((event) => event.action === 'publish'),
    ),
    eventSeq: Math.max(request.eventSeq, ordered.at(-1)?.seq ?? 0),
  };
}

const meetingStartOf = (request: RequestRecord) =>
  (request.draft?.meeting ?? request.meeting)?.start;

const optional = <K extends string>(key: K, value: string | undefined) =>
  (value ? { [key]: value } : {}) as Partial<Record<K, string>>;
