import { describe, expect, it } from 'vitest';
import {
  type CalendarEntry,
  calendarContentType,
  cancellation,
  invitation,
} from '../../shared/mail/calendar.ts';
import { readCalendar } from '../support/calendar.ts';

const entry: CalendarEntry = {
  uid: 'a0000000000000000001@postroom.office.example',
  sequence: 1,
  start: '2027-02-24T14:00:00Z',
  end: '2027-02-24T15:20:00Z',
  summary: 'Meeting: Cameras, privacy; and the rest (REQ-2027-0001)',
  location: 'Waverley Gate, Edinburgh',
  description: 'The Commissioner’s Office: meeting. Reference REQ-2027-0001.',
  organizer: { name: 'The Commissioner’s Office', email: 'commissioner@office.example' },
  attendees: [
    { name: 'Helen Marsh', email: 'vp.publicaffairs@lumencam.example' },
    { name: 'Raj Patel' },
    { name: 'Sophie "Soph" Grant', email: 'sophie@northlight.example' },
  ],
  stamp: new Date('2027-02-20T10:00:00Z'),
};

/** The raw lines, folded as sent: what the 75-octet rule is about. */
const rawLines = (ics: string) => ics.replace(/\r\n$/, '').split('\r\n');

describe('a cancellation', () => {
  it('cancels the invitation’s entry: same UID, the SEQUENCE given, METHOD:CANCEL', () => {
    const invited = readCalendar(invitation({ ...entry, sequence: 1 }));
    const cancelled = readCalendar(cancellation({ ...entry, sequence: 2, meetingCancelled: true }));
    expect(invited).toMatchObject({ method: 'REQUEST', sequence: 1, status: 'CONFIRMED' });
    expect(cancelled).toMatchObject({
      method: 'CANCEL',
      uid: invited.uid,
      sequence: 2,
      status: 'CANCELLED',
      start: '2027-02-24T14:00:00.000Z',
      end: '2027-02-24T15:20:00.000Z',
      organizer: { name: 'The Commissioner’s Office', email: 'commissioner@office.example' },
    });
    // Only those with an address had the invitation; the CANCEL names each of them.
    expect(cancelled.attendees).toEqual([
      { name: 'Helen Marsh', email: 'vp.publicaffairs@lumencam.example' },
      { name: 'Sophie Soph Grant', email: 'sophie@northlight.example' },
    ]);
    expect(cancellation({ ...entry, meetingCancelled: true })).toMatch(
      /^DTSTAMP:20270220T100000Z\r$/m,
    );
  });

  it('leaves STATUS out when it only takes someone off a meeting that still goes ahead', () => {
    const ics = cancellation({
      ...entry,
      attendees: [{ name: 'Sophie Grant', email: 'sophie@northlight.example' }],
      meetingCancelled: false,
    });
    expect(readCalendar(ics)).toMatchObject({
      method: 'CANCEL',
      status: undefined,
      attendees: [{ name: 'Sophie Grant', email: 'sophie@northlight.example' }],
    });
  });

  it('asks for a reply to an invitation, and none to a cancellation', () => {
    const unfolded = (ics: string) => ics.replace(/\r\n /g, '');
    expect(unfolded(invitation(entry))).toContain(';RSVP=TRUE:mailto:sophie@northlight.example');
    expect(unfolded(cancellation({ ...entry, meetingCancelled: true }))).not.toContain('RSVP');
  });

  it('says its method in the Content-Type too', () => {
    expect(calendarContentType('CANCEL')).toBe('text/calendar; charset=UTF-8; method=CANCEL');
    expect(calendarContentType('REQUEST')).toBe('text/calendar; charset=UTF-8; method=REQUEST');
  });
});

describe('calendar text', () => {
  it('escapes commas, semicolons, backslashes and line breaks, which a reader gets back whole', () => {
    const awkward = 'Budget; costs, and C:\\temp\nsecond line\r\nthird\rfourth';
    for (const ics of [
      invitation({ ...entry, summary: awkward, location: awkward, description: awkward }),
      cancellation({ ...entry, summary: awkward, location: awkward, meetingCancelled: true }),
    ]) {
      const read = readCalendar(ics);
      const unbroken = 'Budget; costs, and C:\\temp\nsecond line\nthird\nfourth';
      expect(read.summary).toBe(unbroken);
      expect(read.location).toBe(unbroken);
      // No stray line break ends a content line early.
      expect(rawLines(ics).every((line) => /^[A-Z-]+[;:]|^ /.test(line))).toBe(true);
    }
  });

  it('folds lines at 75 octets without splitting a character, and a reader unfolds them', () => {
    const long = `${'Réunion à Édimbourg — '.repeat(12)}🙂 fin`;
    const ics = cancellation({ ...entry, description: long, meetingCancelled: true });
    const lines = rawLines(ics);
    expect(lines.some((line) => line.startsWith(' '))).toBe(true);
    for (const line of lines) {
      expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
      // A split character would show as U+FFFD once the bytes are read back as UTF-8.
      expect(Buffer.from(line).toString('utf8')).not.toContain('\uFFFD');
    }
    expect(readCalendar(ics).description).toBe(long);
    expect(readCalendar(invitation({ ...entry, description: long })).description).toBe(long);
  });

  it('keeps quotes and line breaks out of parameter values such as CN', () => {
    const ics = invitation({
      ...entry,
      attendees: [{ name: 'Mallory"\r\nATTENDEE:mailto:evil@x.example', email: 'm@x.example' }],
    });
    expect(readCalendar(ics).attendees).toEqual([
      { name: 'MalloryATTENDEE:mailto:evil@x.example', email: 'm@x.example' },
    ]);
  });
});
