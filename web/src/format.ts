import * as dates from '../../shared/dates.ts';
import { closedStages, openStages } from '../../shared/workflow/stages.ts';
import type { Action, RequestSummary, Stage } from './types.ts';

/**
 * Words and dates. Dates show, and are entered, on the office's clock (OFFICE_TIMEZONE,
 * which the stack writes into config.json), whatever the computer's own setting; the
 * wording comes from shared/dates.ts, as in the mail and on the public pages.
 */
let officeTimeZone: string | undefined;

/** Called once at start-up with config.json's time zone, before any page is shown. */
export function useOfficeTimeZone(timeZone: string): void {
  officeTimeZone = timeZone;
}

/** The office's time zone; an error before config.json is read, rather than a wrong clock. */
export function officeZone(): string {
  if (!officeTimeZone) throw new Error('the office time zone is not known yet (config.json)');
  return officeTimeZone;
}

/** Beside a time field, so staff abroad know which clock to type in. */
export const officeTimeHint = () => `Office time (${officeZone()})`;

export const stageNames: Record<Stage, string> = {
  received: 'Received',
  accepted: 'Accepted',
  scheduled: 'Meeting scheduled',
  held: 'Meeting held',
  drafting: 'Note in draft',
  in_review: 'Note in review',
  approved: 'Approved',
  published: 'Published',
  declined: 'Declined',
  withdrawn: 'Withdrawn',
  closed: 'Closed',
};

/** The order staff work through: open stages first, then the closed ones. */
export const stageOrder: readonly Stage[] = [...openStages, ...closedStages];
export { closedStages };

/** What each action is called on its button or link. */
export const actionNames: Record<Action, string> = {
  accept: 'Accept request',
  decline: 'Decline request',
  schedule: 'Schedule meeting',
  reschedule: 'Reschedule meeting',
  record_held: 'Record meeting as held',
  save_draft: 'Write the note',
  submit_note: 'Submit note for approval',
  request_changes: 'Request changes',
  approve: 'Approve note',
  withdraw: 'Withdraw request',
  review_redactions: 'Review redactions',
  correct: 'Correct published note',
  takedown: 'Take down published note',
  publish: 'Record publication',
  assign: 'Assign request',
  comment: 'Add internal note',
  hold: 'Place on legal hold',
  release_hold: 'Release legal hold',
  resend_notification: 'Send mail again',
  reply: 'Reply',
  close: 'Close request',
  revoke_approval: 'Revoke approval',
  reopen: 'Reopen request',
  extend_deadline: 'Extend deadline',
};

/** How the audit trail reads, in the past tense. */
export const eventNames: Record<string, string> = {
  receive: 'Letter received',
  accept: 'Accepted',
  decline: 'Declined',
  schedule: 'Meeting scheduled',
  reschedule: 'Meeting rescheduled',
  record_held: 'Meeting recorded as held',
  save_draft: 'Note saved',
  submit_note: 'Note submitted for approval',
  request_changes: 'Changes requested',
  approve: 'Note approved',
  withdraw: 'Withdrawn',
  review_redactions: 'Redactions reviewed',
  correct: 'Correction opened',
  takedown: 'Taken down',
  publish: 'Published',
  assign: 'Assigned',
  comment: 'Internal note',
  hold: 'Placed on legal hold',
  release_hold: 'Legal hold released',
  message_received: 'Message received',
  resend_notification: 'Mail sent again',
  reply: 'Reply sent',
  close: 'Closed',
  revoke_approval: 'Approval revoked',
  reopen: 'Reopened',
  extend_deadline: 'Deadline extended',
};

/** "14 December 2026" from an ISO date (YYYY-MM-DD is a calendar day, not a UTC instant). */
export const longDate = (value: string) => dates.longDate(value, officeZone());

/** "14 December 2026 at 14:30", office time. */
export const dateTime = (value: string) => dates.dateTime(value, officeZone());

/** "14:30", office time. */
export const clockTime = (value: string) => dates.clockTime(value, officeZone());

export function meetingTime(start: string, end: string): string {
  return `${dateTime(start)} to ${clockTime(end)}`;
}

/** Today in the office, as YYYY-MM-DD. */
export const officeToday = (now = new Date()) => dates.officeDate(now, officeZone());

/**
 * Overdue as the API's overdue=true filter counts it: an open request whose due date has
 * passed. That includes a meeting held but not yet recorded, and an approved note whose
 * publication time has passed (it should have published on its own).
 */
export function isOverdue(request: Pick<RequestSummary, 'stage' | 'dueAt'>, today = officeToday()) {
  return !closedStages.includes(request.stage) && request.dueAt < today;
}

/** An instant as the value of <input type="datetime-local">, in office time. */
export const toLocalInput = (iso: string | undefined) => dates.toWallClock(iso, officeZone());

/** A datetime-local value read as office time, as an ISO instant; undefined if not a time. */
export const fromLocalInput = (value: string) => dates.fromWallClock(value, officeZone());

/**
 * Why a datetime-local value names no moment in the office, or undefined if it does. The
 * hour the clocks skip in spring does not exist; converting it would quietly move the
 * meeting, so the person is asked instead.
 */
export function localTimeProblem(value: string): string | undefined {
  if (!dates.isSkippedWallClock(value, officeZone())) return undefined;
  const [day, time] = value.split('T');
  return `${time?.slice(0, 5)} on ${longDate(day ?? '')} does not exist in office time (${officeZone()}), because the clocks go forward that night. Choose another time`;
}

/** "512 bytes", "34 KB", "2.5 MB". */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export const plural = (count: number, one: string, many = `${one}s`) =>
  `${count} ${count === 1 ? one : many}`;

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function roleNames(roles: readonly string[]): string {
  return roles.length ? roles.map(capitalise).join(', ') : 'No role';
}
