import { weekdayDate, weekdayDateTime } from '../../dates.ts';
import type { Meeting } from '../../workflow/records.ts';
import { escapeHtml, htmlDocument } from './html.ts';
import type { RenderedMail, TemplateRequest } from './index.ts';

/** Mail for workflow steps. Each speaks to one audience and names the reference. */
function mail(request: TemplateRequest, subject: string, paragraphs: string[]): RenderedMail {
  return {
    subject: `[${request.reference}] ${subject}`,
    text: `${paragraphs.join('\n\n')}\n`,
    html: htmlDocument(
      `${request.reference} ${subject}`,
      paragraphs.map((p) => escapeHtml(p).replace(/\n/g, '<br>')),
    ),
  };
}

const greeting = (request: TemplateRequest) =>
  request.senderName ? `Dear ${request.senderName},` : 'Hello,';

const meetingOff = (request: TemplateRequest, meeting: Meeting) =>
  `The meeting about "${request.subject}" on ${weekdayDateTime(meeting.start, request.timeZone)} (${meeting.location}) will not take place. A calendar cancellation is attached, which takes it out of your calendar.`;

export const workflowMail = {
  accept: (request: TemplateRequest, office: string) =>
    mail(request, `Your request for a meeting has been accepted`, [
      greeting(request),
      `${office} has agreed in principle to meet about "${request.subject}". We will be in touch to arrange a date, time and place.`,
      office,
    ]),
  decline: (request: TemplateRequest, office: string, reason: string) =>
    mail(request, 'Your request for a meeting', [
      greeting(request),
      `Thank you for your request about "${request.subject}". ${office} is not able to arrange a meeting.`,
      `Reason: ${reason}`,
      office,
    ]),
  withdraw: (request: TemplateRequest, office: string, reason: string, cancelled?: Meeting) =>
    mail(request, 'Your request for a meeting has been closed', [
      greeting(request),
      `Your request about "${request.subject}" has been closed.`,
      `Reason: ${reason}`,
      ...(cancelled ? [meetingOff(request, cancelled)] : []),
      office,
    ]),
  meetingCancelled: (request: TemplateRequest, office: string, meeting: Meeting) =>
    mail(request, 'Meeting cancelled', ['Hello,', meetingOff(request, meeting), office]),
  attendanceCancelled: (request: TemplateRequest, office: string) =>
    mail(request, 'Meeting: you are no longer on the list of attendees', [
      'Hello,',
      `The meeting about "${request.subject}" has been rearranged, and you are no longer on the list of those attending.`,
      'A calendar cancellation is attached, which takes the meeting out of your calendar.',
      office,
    ]),
  schedule: (request: TemplateRequest, office: string, meeting: Meeting, rescheduled: boolean) =>
    mail(request, rescheduled ? 'Meeting rescheduled' : 'Meeting arranged', [
      'Hello,',
      `${rescheduled ? 'The meeting has been moved' : 'A meeting has been arranged'} about "${request.subject}".`,
      `When: ${weekdayDateTime(meeting.start, request.timeZone)} to ${weekdayDateTime(meeting.end, request.timeZone)}\nWhere: ${meeting.location}`,
      `Attending:\n${meeting.attendees
        .map(
          (a) =>
            `- ${a.name}, ${a.role}, ${a.organisation}${a.host ? ' (host)' : ''}${a.invitedGuest ? ' (invited guest)' : ''}`,
        )
        .join('\n')}`,
      'A calendar invitation is attached.',
      office,
    ]),
  noteDue: (request: TemplateRequest, noteDueBy: string) =>
    mail(request, `Meeting held: the note is due by ${weekdayDate(noteDueBy, request.timeZone)}`, [
      `The meeting for ${request.reference} ("${request.subject}") has been recorded as held.`,
      `The note of the meeting is due by ${weekdayDate(noteDueBy, request.timeZone)}.`,
    ]),
  awaitingApproval: (request: TemplateRequest, submittedBy: string) =>
    mail(request, 'A meeting note awaits your approval', [
      `${submittedBy} has submitted the note of the meeting for ${request.reference} ("${request.subject}") for approval.`,
      'You may approve it or ask for changes. You may not approve a note you edited.',
    ]),
  changesRequested: (request: TemplateRequest, by: string, comment: string) =>
    mail(request, 'Changes requested to the meeting note', [
      `${by} has asked for changes to the note for ${request.reference} ("${request.subject}"):`,
      comment,
    ]),
  approvedForStaff: (request: TemplateRequest, publishAt: string) =>
    mail(request, 'Meeting note approved', [
      `The note for ${request.reference} ("${request.subject}") has been approved.`,
      `It will be published automatically at ${weekdayDateTime(publishAt, request.timeZone)}.`,
    ]),
  publishedForRequester: (request: TemplateRequest, office: string, pageUrl: string) =>
    mail(request, 'The note of our meeting is published', [
      greeting(request),
      `The note of our meeting about "${request.subject}" is now published on our transparency pages, with your letter:`,
      pageUrl,
      office,
    ]),
  publishedForOffice: (request: TemplateRequest, pageUrl: string) =>
    mail(request, 'Meeting note published', [
      `The note for ${request.reference} ("${request.subject}") is published:`,
      pageUrl,
    ]),
  assigned: (request: TemplateRequest, by: string) =>
    mail(request, `Assigned to you: ${request.subject}`, [
      `${by} has assigned ${request.reference} ("${request.subject}") to you.`,
    ]),
  takenDown: (request: TemplateRequest, by: string, reason: string) =>
    mail(request, 'Meeting note taken down', [
      `${by} has taken down the published note for ${request.reference} ("${request.subject}"). Its pages, and its entries in the index, feed and registers, are removed.`,
      `Reason: ${reason}`,
    ]),
  closedForStaff: (request: TemplateRequest, by: string, reason: string) =>
    mail(request, 'Request closed without a note', [
      `${by} has closed ${request.reference} ("${request.subject}"). No note of the meeting will be published.`,
      `Reason: ${reason}`,
    ]),
  approvalRevoked: (request: TemplateRequest, by: string, reason: string) =>
    mail(request, 'Approval revoked: the note will not be published', [
      `${by} has revoked the approval of the note for ${request.reference} ("${request.subject}"). It is back in review and will not be published until it is approved again.`,
      `Reason: ${reason}`,
    ]),
  reopened: (request: TemplateRequest, office: string) =>
    mail(request, 'Your request for a meeting is being considered again', [
      greeting(request),
      `${office} has reopened your request about "${request.subject}" and is considering it again. We will be in touch.`,
      office,
    ]),
  deadlineExtended: (
    request: TemplateRequest,
    by: string,
    deadline: string,
    until: string,
    reason: string,
  ) =>
    mail(request, `Deadline extended to ${weekdayDate(until, request.timeZone)}`, [
      `${by} has extended the ${deadline === 'noteDueBy' ? 'note' : 'reply'} deadline for ${request.reference} ("${request.subject}") to ${weekdayDate(until, request.timeZone)}.`,
      `Reason: ${reason}`,
    ]),
  approvedForRequester: (request: TemplateRequest, office: string, publishAt: string) =>
    mail(request, 'The note of our meeting will be published', [
      greeting(request),
      `The note of our meeting about "${request.subject}" has been approved. It will be published on our transparency pages, with your letter, at ${weekdayDateTime(publishAt, request.timeZone)}. We will send you the link.`,
      office,
    ]),
};
