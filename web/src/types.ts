/** The staff API's answers, as the UI reads them (shared/staff/*.ts makes them). */
import type { NoteVersion } from '../../shared/notes/note.ts';
import type { FindingKind } from '../../shared/publication/redaction.ts';
import type { PublishedMeeting } from '../../shared/publication/render.ts';
import type {
  FailedNotification,
  MessageRecord,
  RequestRecord,
  StoredAttachment,
} from '../../shared/workflow/records.ts';
import type { Stage } from '../../shared/workflow/stages.ts';
import type { Action, Attendee } from '../../shared/workflow/transitions.ts';

export type { Action, Attendee, NoteVersion, RequestRecord, Stage };

/** An audit event as the API returns it (shared/workflow/audit.ts, which hashes with node:crypto). */
export interface AuditEvent {
  requestId: string;
  seq: number;
  action: string;
  actor: string;
  at: string;
  from: string | null;
  to: string | null;
  details: Record<string, unknown>;
  hash: string;
}

export interface RequestSummary {
  id: string;
  reference: string;
  stage: Stage;
  version: number;
  subject: string;
  sender: { name: string; address: string };
  organisation: string | null;
  receivedAt: string;
  dueAt: string;
  assignee: string | null;
  dueForRecordHeld: boolean;
}

export interface Link {
  key: string;
  url: string;
}

export interface MessageWithLinks extends Omit<MessageRecord, 'documents'> {
  documents?: {
    text: Link;
    html: Link | null;
    attachments: Array<StoredAttachment & { url: string }>;
  };
}

/** GET /api/requests/{id}/messages/{key}: html is the sanitised staff copy, or null. */
export interface MessageContent {
  key: string;
  text: string;
  html: string | null;
}

export interface RequestDetail extends RequestSummary {
  request: RequestRecord;
  allowedActions: Action[];
  messages: MessageWithLinks[];
  events: AuditEvent[];
  failedNotifications: FailedNotification[];
}

export interface NoteDraft {
  version: number;
  title: string;
  body: string;
  meeting: RequestRecord['meeting'] | null;
  organisations: string[] | null;
  editors: string[];
}

export interface RedactionReview {
  version: number;
  findings: Array<{
    id: string;
    kind: FindingKind;
    text: string;
    where: 'note' | 'letter';
    redacted: boolean;
    reinstatedBecause: string | null;
  }>;
  decisions: NonNullable<RequestRecord['redactions']>;
}

export interface PublicationPreview {
  page: string;
  letter: string;
  meeting: PublishedMeeting;
}

export interface HeldMail {
  id: string;
  reason: string;
  detail: string;
  receivedAt: string;
  from: string | null;
  subject: string | null;
}

/** The signed-in person, from the ID token's claims. */
export interface StaffMember {
  email: string;
  name: string;
  roles: string[];
}
