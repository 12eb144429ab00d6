/**
 * A meeting as an iCalendar entry (RFC 5545). The UID is the request's, so a reschedule
 * updates, and a cancellation removes, the same calendar entry; SEQUENCE says which
 * version of it this is, and a calendar ignores a message older than the entry it holds.
 */
export interface CalendarEntry {
  uid: string;
  sequence: number;
  start: string;
  end: string;
  summary: string;
  location: string;
  description: string;
  organizer: { name: string; email: string };
  attendees: Array<{ name: string; email?: string }>;
  stamp: Date;
}

/** An invitation (RFC 5546 METHOD:REQUEST): the meeting as it now stands. */
export type Invitation = CalendarEntry;

/**
 * A cancellation (RFC 5546 §3.2.5, METHOD:CANCEL), whose SEQUENCE is above that of the
 * last invitation its attendees had. `attendees` are those it is for: everyone, when the
 * meeting itself is called off (`meetingCancelled`, STATUS:CANCELLED); otherwise those
 * taken off a meeting that still goes ahead, for whom the RFC says STATUS must be left out.
 */
export interface Cancellation extends CalendarEntry {
  meetingCancelled: boolean;
}

export type CalendarMethod = 'REQUEST' | 'CANCEL';

/** The Content-Type of a calendar file: the method in it, for mail clients that read it there. */
export const calendarContentType = (method: CalendarMethod) =>
  `text/calendar; charset=UTF-8; method=${method}`;

const text = (value: string) =>
  value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');
const param = (value: string) => `"${value.replace(/["\r\n]/g, '')}"`;
const utc = (iso: string | Date) =>
  new Date(iso)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/** Folds a content line at 75 octets without splitting a UTF-8 character. */
function fold(line: string): string {
  const parts: string[] = [];
  let current = '';
  for (const char of line) {
    if (Buffer.byteLength(current + char) > (parts.length ? 74 : 75)) {
      parts.push(current);
      current = '';
    }
    current += char;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

/** One VCALENDAR holding one VEVENT: the lines an invitation and a cancellation share. */
function calendar(method: CalendarMethod, entry: CalendarEntry, status?: string): string {
  // A cancellation asks for no reply; an invitation asks each attendee for one.
  const rsvp = method === 'REQUEST' ? ';RSVP=TRUE' : '';
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//postroom//meeting requests//EN',
    `METHOD:${method}`,
    'CALSCALE:GREGORIAN',
    'BEGIN:VEVENT',
    `UID:${entry.uid}`,
    `SEQUENCE:${entry.sequence}`,
    `DTSTAMP:${utc(entry.stamp)}`,
    `DTSTART:${utc(entry.start)}`,
    `DTEND:${utc(entry.end)}`,
    `SUMMARY:${text(entry.summary)}`,
    `LOCATION:${text(entry.location)}`,
    `DESCRIPTION:${text(entry.description)}`,
    `ORGANIZER;CN=${param(entry.organizer.name)}:mailto:${entry.organizer.email}`,
    ...entry.attendees.flatMap((attendee) =>
      attendee.email
        ? [
            `ATTENDEE;CN=${param(attendee.name)};ROLE=REQ-PARTICIPANT${rsvp}:mailto:${attendee.email}`,
          ]
        : [],
    ),
    ...(status ? [`STATUS:${status}`] : []),
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return `${lines.map(fold).join('\r\n')}\r\n`;
}

export function invitation(invite: Invitation): string {
  return calendar('REQUEST', invite, 'CONFIRMED');
}

export function cancellation(cancel: Cancellation): string {
  return calendar('CANCEL', cancel, cancel.meetingCancelled ? 'CANCELLED' : undefined);
}
