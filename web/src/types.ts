import type { NoteVersion } from '../../shared/notes/note.ts';
import type {
  AuditEventView,
  correspondentView,
  FailedNotificationView,
  HeldMailView,
  MessageContentView,
  MessageView,
  NoteDraftView,
  PublicationPreviewView,
  RedactionReviewView,
  RequestDetailView,
  RequestSummaryView,
  searchPageView,
  searchResultView,
  staffListView,
  templateListView,
  templateView,
} from '../../shared/staff/views.ts';
import type { RequestRecord } from '../../shared/workflow/records.ts';
import type { Stage } from '../../shared/workflow/stages.ts';
import type { Action, Attendee } from '../../shared/workflow/transitions.ts';
import type * as z from '../../shared/zod.ts';

export type { Action, Attendee, NoteVersion, RequestRecord, Stage };

/** The staff API's answers, as the API declares them (shared/staff/views.ts). */
export type AuditEvent = AuditEventView;
export type RequestSummary = RequestSummaryView;
export type MessageWithLinks = MessageView;
export type MessageContent = MessageContentView;
export type RequestDetail = RequestDetailView;
export type NoteDraft = NoteDraftView;
export type RedactionReview = RedactionReviewView;
export type PublicationPreview = PublicationPreviewView;
export type HeldMail = HeldMailView;
export type FailedNotification = FailedNotificationView;
export type StaffList = z.infer<typeof staffListView>;
export type ReplyTemplate = z.infer<typeof templateView>;
export type TemplateList = z.infer<typeof templateListView>;
export type SearchPage = z.infer<typeof searchPageView>;
export type SearchResult = z.infer<typeof searchResultView>;
export type Correspondent = z.infer<typeof correspondentView>;

/** The signed-in person, from the ID token's claims. */
export interface StaffMember {
  email: string;
  name: string;
  roles: string[];
}
