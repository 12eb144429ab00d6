import { describe, expect, it } from 'vitest';
import {
  addDays,
  clockTime,
  dateTime,
  dayOfWeek,
  fromWallClock,
  isSkippedWallClock,
  isTimeZone,
  longDate,
  officeDate,
  officeHour,
  toWallClock,
  weekdayDate,
  weekdayDateTime,
} from '../../shared/dates.ts';

const london = 'Europe/London';
const newYork = 'America/New_York';
const tokyo = 'Asia/Tokyo';

// ICU has written "Monday 14 December" and "Monday, 14 December", and "14:30" after
// "at" or a comma, in different versions; the tests accept either, the code picks neither.
const weekdaySeparator = ',? ';
const timeSeparator = '(,| at) ';

describe('the formats postroom shows', () => {
  const instant = '2026-12-14T14:30:00Z';

  it('says an instant as London’s clock shows it', () => {
    expect(longDate(instant, london)).toBe('14 December 2026');
    expect(weekdayDate(instant, london)).toMatch(
      new RegExp(`^Monday${weekdaySeparator}14 December 2026$`),
    );
    expect(dateTime(instant, london)).toMatch(
      new RegExp(`^14 December 2026${timeSeparator}14:30$`),
    );
    expect(weekdayDateTime(instant, london)).toMatch(
      new RegExp(`^Monday${weekdaySeparator}14 December 2026${timeSeparator}14:30$`),
    );
    expect(clockTime(instant, london)).toBe('14:30');
  });

  it('says the same instant on New York’s and Tokyo’s clocks', () => {
    expect(clockTime(instant, newYork)).toBe('09:30');
    expect(longDate(instant, newYork)).toBe('14 December 2026');
    expect(clockTime(instant, tokyo)).toBe('23:30');
    // Later the same UTC evening it is already Tuesday in Tokyo.
    expect(longDate('2026-12-14T15:30:00Z', tokyo)).toBe('15 December 2026');
    expect(weekdayDate('2026-12-14T15:30:00Z', tokyo)).toMatch(/^Tuesday/);
  });

  it('says a calendar date as that day in every zone, never the day before', () => {
    for (const zone of [london, newYork, tokyo, 'Pacific/Kiritimati', 'Pacific/Pago_Pago']) {
      expect(longDate('2026-12-14', zone)).toBe('14 December 2026');
      expect(weekdayDate('2026-12-14', zone)).toMatch(/^Monday/);
    }
  });

  it('accepts a Date as well as an ISO string', () => {
    expect(clockTime(new Date('2026-06-14T09:05:00Z'), london)).toBe('10:05');
  });

  it('gives back what it cannot read, rather than "Invalid Date"', () => {
    expect(longDate('soon', london)).toBe('soon');
    expect(dateTime('', london)).toBe('');
    expect(clockTime('not a time', london)).toBe('not a time');
  });

  it('follows each zone’s own clock change', () => {
    // London went to BST at 01:00 UTC on 29 March 2026; New York to EDT on 8 March.
    expect(clockTime('2026-03-29T00:59:00Z', london)).toBe('00:59');
    expect(clockTime('2026-03-29T01:00:00Z', london)).toBe('02:00');
    expect(clockTime('2026-03-08T06:59:00Z', newYork)).toBe('01:59');
    expect(clockTime('2026-03-08T07:00:00Z', newYork)).toBe('03:00');
    // Between the two, New York is four hours behind London, not five.
    expect(clockTime('2026-03-20T12:00:00Z', london)).toBe('12:00');
    expect(clockTime('2026-03-20T12:00:00Z', newYork)).toBe('08:00');
  });
});

describe('office calendar days', () => {
  it('is the office’s date, not UTC’s', () => {
    expect(officeDate(new Date('2026-06-30T23:30:00Z'), london)).toBe('2026-07-01');
    expect(officeDate(new Date('2026-06-30T23:30:00Z'), 'UTC')).toBe('2026-06-30');
    expect(officeDate(new Date('2026-07-01T02:00:00Z'), newYork)).toBe('2026-06-30');
    expect(officeDate(new Date('2026-06-30T15:00:00Z'), tokyo)).toBe('2026-07-01');
  });

  it('is the office’s hour on a 24-hour clock, midnight as 0', () => {
    expect(officeHour(new Date('2026-01-15T00:10:00Z'), london)).toBe(0);
    expect(officeHour(new Date('2026-06-15T06:00:00Z'), london)).toBe(7);
    expect(officeHour(new Date('2026-06-15T06:00:00Z'), newYork)).toBe(2);
    expect(officeHour(new Date('2026-06-15T06:00:00Z'), tokyo)).toBe(15);
  });

  it('adds days across month, year and leap-day boundaries, whatever the clocks do', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-28', 2)).toBe('2026-03-30');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('knows the day of the week of a date', () => {
    expect(dayOfWeek('2026-12-14')).toBe(1);
    expect(dayOfWeek('2026-12-13')).toBe(0);
    expect(dayOfWeek('2026-12-19')).toBe(6);
  });
});

describe('wall-clock times typed into a form', () => {
  it('reads a time on the office’s clock, in winter and summer', () => {
    expect(fromWallClock('2027-01-14T10:00', london)).toBe('2027-01-14T10:00:00.000Z');
    expect(fromWallClock('2027-06-14T10:00', london)).toBe('2027-06-14T09:00:00.000Z');
    expect(fromWallClock('2027-01-14T10:00', newYork)).toBe('2027-01-14T15:00:00.000Z');
    expect(fromWallClock('2027-06-14T10:00', newYork)).toBe('2027-06-14T14:00:00.000Z');
    expect(fromWallClock('2027-06-14T10:00', tokyo)).toBe('2027-06-14T01:00:00.000Z');
    expect(fromWallClock('10 o’clock', london)).toBeUndefined();
  });

  it('shows an instant as the value a datetime-local field takes', () => {
    expect(toWallClock('2027-06-14T09:00:00.000Z', london)).toBe('2027-06-14T10:00');
    expect(toWallClock('2027-06-14T14:00:00.000Z', newYork)).toBe('2027-06-14T10:00');
    expect(toWallClock('2027-01-01T00:30:00.000Z', newYork)).toBe('2026-12-31T19:30');
    expect(toWallClock(undefined, london)).toBe('');
    expect(toWallClock('never', london)).toBe('');
  });

  it('finds the hour each zone skips in spring, and only that hour', () => {
    expect(isSkippedWallClock('2027-03-28T01:30', london)).toBe(true);
    expect(isSkippedWallClock('2027-03-28T00:30', london)).toBe(false);
    expect(isSkippedWallClock('2027-03-28T02:30', london)).toBe(false);
    expect(isSkippedWallClock('2027-03-14T02:30', newYork)).toBe(true);
    expect(isSkippedWallClock('2027-03-28T01:30', newYork)).toBe(false);
    // Tokyo keeps no summer time.
    expect(isSkippedWallClock('2027-03-28T01:30', tokyo)).toBe(false);
  });

  it('reads the autumn hour that happens twice, rather than refusing it', () => {
    expect(isSkippedWallClock('2027-10-31T01:30', london)).toBe(false);
    expect(toWallClock(fromWallClock('2027-10-31T01:30', london), london)).toBe('2027-10-31T01:30');
  });

  it('round-trips every quarter hour of a day with a clock change, but the skipped hour', () => {
    for (let minutes = 0; minutes < 24 * 60; minutes += 15) {
      const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
      const mm = String(minutes % 60).padStart(2, '0');
      const typed = `2027-03-14T${hh}:${mm}`;
      const skipped = hh === '02';
      expect(isSkippedWallClock(typed, newYork), typed).toBe(skipped);
      if (!skipped) expect(toWallClock(fromWallClock(typed, newYork), newYork), typed).toBe(typed);
    }
  });
});

describe('isTimeZone', () => {
  it('knows IANA zones and refuses anything else', () => {
    for (const zone of [london, newYork, tokyo, 'UTC']) expect(isTimeZone(zone)).toBe(true);
    for (const zone of ['', 'Europe/Londres', 'London', 'GMT+1 (summer)'])
      expect(isTimeZone(zone), zone).toBe(false);
  });
});
