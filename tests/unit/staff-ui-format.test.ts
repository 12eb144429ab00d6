import { beforeEach, describe, expect, it } from 'vitest';
import {
  dateTime,
  fromLocalInput,
  isOverdue,
  localTimeProblem,
  officeTimeHint,
  officeToday,
  toLocalInput,
  useOfficeTimeZone,
} from '../../web/src/format.ts';

// What config.json says; each test that wants another office says so.
beforeEach(() => useOfficeTimeZone('Europe/London'));

/** The staff UI's reading of times typed in the office's time, and its overdue rule. */
describe('times typed in the office', () => {
  it('reads a datetime-local value as UK time, in winter and in summer', () => {
    expect(fromLocalInput('2027-01-14T10:00')).toBe('2027-01-14T10:00:00.000Z');
    expect(fromLocalInput('2027-06-14T10:00')).toBe('2027-06-14T09:00:00.000Z');
    expect(toLocalInput('2027-06-14T09:00:00.000Z')).toBe('2027-06-14T10:00');
    expect(fromLocalInput('not a time')).toBeUndefined();
  });

  it('says the skipped spring hour does not exist, rather than moving the meeting', () => {
    // The clocks went forward at 01:00 UK time on Sunday 28 March 2027.
    expect(localTimeProblem('2027-03-28T01:30')).toBe(
      '01:30 on 28 March 2027 does not exist in office time (Europe/London), because the clocks go forward that night. Choose another time',
    );
    expect(localTimeProblem('2027-03-28T00:30')).toBeUndefined();
    expect(localTimeProblem('2027-03-28T02:30')).toBeUndefined();
    // The repeated autumn hour exists (twice): it is read, not refused.
    expect(localTimeProblem('2027-10-31T01:30')).toBeUndefined();
    expect(localTimeProblem('')).toBeUndefined();
  });
});

describe('an office in another time zone, as config.json names it', () => {
  it('reads and shows times on New York’s clock, and says which clock beside the field', () => {
    useOfficeTimeZone('America/New_York');
    expect(fromLocalInput('2027-01-14T10:00')).toBe('2027-01-14T15:00:00.000Z');
    expect(toLocalInput('2027-06-14T14:00:00.000Z')).toBe('2027-06-14T10:00');
    expect(dateTime('2027-06-14T14:00:00.000Z')).toBe('14 June 2027 at 10:00');
    expect(officeTimeHint()).toBe('Office time (America/New_York)');
  });

  it('refuses New York’s skipped hour, not London’s', () => {
    useOfficeTimeZone('America/New_York');
    // New York's clocks went forward at 02:00 on Sunday 14 March 2027.
    expect(localTimeProblem('2027-03-14T02:30')).toBe(
      '02:30 on 14 March 2027 does not exist in office time (America/New_York), because the clocks go forward that night. Choose another time',
    );
    expect(localTimeProblem('2027-03-28T01:30')).toBeUndefined();
  });

  it('counts today by Tokyo’s calendar, a day ahead of London’s in the evening', () => {
    useOfficeTimeZone('Asia/Tokyo');
    expect(officeToday(new Date('2027-02-10T20:00:00Z'))).toBe('2027-02-11');
  });
});

describe('overdue', () => {
  it('counts every open stage past its due date, as the API filter does, and no closed one', () => {
    const today = officeToday(new Date('2027-02-10T12:00:00Z'));
    expect(today).toBe('2027-02-10');
    for (const stage of ['received', 'scheduled', 'in_review', 'approved'] as const)
      expect(isOverdue({ stage, dueAt: '2027-02-09' }, today)).toBe(true);
    for (const stage of ['published', 'declined', 'withdrawn'] as const)
      expect(isOverdue({ stage, dueAt: '2027-02-09' }, today)).toBe(false);
    expect(isOverdue({ stage: 'received', dueAt: '2027-02-10' }, today)).toBe(false);
  });
});
