import { closedStages, openStages } from '../../shared/workflow/stages.ts';
import type { Action, RequestSummary, Stage } from './types.ts';

/**
 * Words and dates. The office works in UK time (OFFICE_TIMEZONE defaults to Europe/London),
 * so dates show and are entered in that zone whatever the computer's own setting.
 */
export const OFFICE_TIME_ZONE = 'Europe/London';

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
  comment: 'Add comment',
  resend_notification: 'Send mail again',
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
  comment: 'Comment',
  message_received: 'Message received',
  resend_notification: 'Mail sent again',
};

const dateFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: OFFICE_TIME_ZONE,
});
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: OFFICE_TIME_ZONE,
});
const timeFormat = new Intl.DateTimeFormat('en-GB', {
  hour: '2-digit',
  minute: '2-digit',
  timeZone: OFFICE_TIME_ZONE,
});

/** "14 December 2026" from an ISO date (YYYY-MM-DD is a calendar day, not a UTC instant). */
export function longDate(value: string): string {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T12:00:00Z` : value;
  const date = new Date(day);
  return Number.isNaN(date.getTime()) ? value : dateFormat.format(date);
}

export function dateTime(value: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : dateTimeFormat.format(date);
}

/** "14:30", office time. */
export const clockTime = (value: string) => timeFormat.format(new Date(value));

export function meetingTime(start: string, end: string): string {
  return `${dateTime(start)} to ${clockTime(end)}`;
}

/** Today in the office, as YYYY-MM-DD. */
export function officeToday(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: OFFICE_TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

/**
 * Overdue as the API's overdue=true filter counts it: an open request whose due date has
 * passed. That includes a meeting held but not yet recorded, and an approved note whose
 * publication time has passed (it should have published on its own).
 */
export function isOverdue(request: Pick<RequestSummary, 'stage' | 'dueAt'>, today = officeToday()) {
  return !closedStages.includes(request.stage) && request.dueAt < today;
}

/** The office's wall-clock parts of an instant. */
function officeParts(at: Date) {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: OFFICE_TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return {
    year: part('year'),
    month: part('month'),
    day: part('day'),
    hour: part('hour'),
    minute: part('minute'),
  };
}

/** An instant as the value of <input type="datetime-local">, in office time. */
export function toLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  const p = officeParts(at);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)}T${two(p.hour)}:${two(p.minute)}`;
}

/** A datetime-local value read as office time, as an ISO instant; undefined if not a time. */
export function fromLocalInput(value: string): string | undefined {
  const match = value.match(/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/);
  if (!match) return undefined;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const wanted = Date.UTC(year, month - 1, day, hour, minute);
  // Guess UTC, see what the office clock says then, and correct by the difference (twice,
  // so a guess that lands across a clock change settles).
  let at = wanted;
  for (let round = 0; round < 2; round += 1) {
    const p = officeParts(new Date(at));
    at += wanted - Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  }
  return new Date(at).toISOString();
}

/**
 * Why a datetime-local value names no moment in the office, or undefined if it does. The
 * hour the clocks skip in spring (01:00 to 02:00 UK time, last Sunday in March) does not
 * exist; converting it would quietly move the meeting, so the person is asked instead.
 */
export function localTimeProblem(value: string): string | undefined {
  const at = fromLocalInput(value);
  if (!at || toLocalInput(at) === value.slice(0, 16)) return undefined;
  const [day, time] = value.split('T');
  return `${time?.slice(0, 5)} on ${longDate(day ?? '')} does not exist in UK time, because the clocks go forward that night. Choose another time`;
}

export const plural = (count: number, one: string, many = `${one}s`) =>
  `${count} ${count === 1 ? one : many}`;

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function roleNames(roles: readonly string[]): string {
  return roles.length ? roles.map(capitalise).join(', ') : 'No role';
}
