import ICAL from 'ical.js';
import type { CalendarEntry } from '../../shared/mail/calendar.ts';

/** A calendar message as a calendar program reads it: parsed by ical.js, not by our own code. */
export interface ReadCalendar extends Omit<CalendarEntry, 'attendees' | 'stamp'> {
  method: string;
  status: string | undefined;
  attendees: Array<{ name: string; email: string }>;
}

const mailbox = (property: ICAL.Property) => ({
  name: String(property.getParameter('cn') ?? ''),
  email: String(property.getFirstValue()).replace(/^mailto:/i, ''),
});

export function readCalendar(ics: string): ReadCalendar {
  const root = new ICAL.Component(ICAL.parse(ics));
  const event = root.getFirstSubcomponent('vevent');
  if (!event) throw new Error('no VEVENT in the calendar message');
  const value = (name: string) => event.getFirstPropertyValue(name);
  const instant = (name: string) => (value(name) as ICAL.Time).toJSDate().toISOString();
  const organizer = event.getFirstProperty('organizer');
  if (!organizer) throw new Error('no ORGANIZER in the calendar message');
  return {
    method: String(root.getFirstPropertyValue('method')),
    uid: String(value('uid')),
    sequence: Number(value('sequence')),
    status: value('status') === null ? undefined : String(value('status')),
    start: instant('dtstart'),
    end: instant('dtend'),
    summary: String(value('summary')),
    location: String(value('location')),
    description: String(value('description')),
    organizer: mailbox(organizer),
    attendees: event.getAllProperties('attendee').map(mailbox),
  };
}

/** The calendar file a sent mail carries (the SES emulator keeps attachments base64), if any. */
export function calendarIn(mail: {
  attachments: Array<{ contentType: string; filename?: string; content: string }>;
}): { filename?: string; contentType: string; calendar: ReadCalendar } | undefined {
  const file = mail.attachments.find((attachment) =>
    attachment.contentType.startsWith('text/calendar'),
  );
  if (!file) return undefined;
  return {
    filename: file.filename,
    contentType: file.contentType,
    calendar: readCalendar(Buffer.from(file.content, 'base64').toString('utf8')),
  };
}
