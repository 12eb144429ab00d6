import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadHolidayCalendar } from '../../shared/aws/wiring.ts';
import { officeDate } from '../../shared/dates.ts';
import {
  addWorkingDays,
  holidayCalendar,
  isWorkingDay,
  scottishBankHolidays as scotland,
} from '../../shared/workflow/deadlines.ts';

describe('addWorkingDays with the bundled Scottish calendar', () => {
  it('skips St Andrew’s Day: a letter received Sat 28 Nov 2026 with 10 working days is due Mon 14 Dec', () => {
    expect(addWorkingDays('2026-11-28', 10, scotland)).toBe('2026-12-14');
  });

  it('never counts the day of receipt itself', () => {
    expect(addWorkingDays('2026-06-01', 1, scotland)).toBe('2026-06-02');
  });

  it('returns the date itself for zero working days', () => {
    expect(addWorkingDays('2026-06-06', 0, scotland)).toBe('2026-06-06');
  });

  it('steps over a weekend from a Friday', () => {
    expect(addWorkingDays('2026-06-05', 1, scotland)).toBe('2026-06-08');
  });

  it('skips Christmas Day and the Boxing Day substitute (Fri 25 and Mon 28 Dec 2026)', () => {
    // Thu 24 Dec: Fri 25 holiday, weekend, Mon 28 holiday, so the first working day is Tue 29.
    expect(addWorkingDays('2026-12-24', 1, scotland)).toBe('2026-12-29');
  });

  it('skips New Year’s Day and the 2nd January substitute (Fri 1 and Mon 4 Jan 2027)', () => {
    // Thu 31 Dec: Fri 1 Jan holiday, weekend, Mon 4 Jan holiday, so Tue 5 Jan.
    expect(addWorkingDays('2026-12-31', 1, scotland)).toBe('2027-01-05');
  });

  it('counts across the whole Christmas and New Year break', () => {
    // From Wed 23 Dec 2026: 24, 29, 30, 31 Dec, 5, 6, 7, 8, 11, 12 Jan.
    expect(addWorkingDays('2026-12-23', 10, scotland)).toBe('2027-01-12');
  });

  it('skips Good Friday 2026 (3 April) but not Easter Monday, which is not a Scottish holiday', () => {
    expect(addWorkingDays('2026-04-02', 1, scotland)).toBe('2026-04-06');
  });

  it('counts weekends only for years beyond the calendar file', () => {
    expect(scotland.lastYear).toBe(2028);
    // 25 Dec 2029 is a Tuesday; with no listed holidays it is a working day.
    expect(addWorkingDays('2029-12-24', 1, scotland)).toBe('2029-12-25');
  });
});

describe('isWorkingDay', () => {
  it('is false on Saturdays and Sundays', () => {
    expect(isWorkingDay('2026-11-28', scotland)).toBe(false);
    expect(isWorkingDay('2026-11-29', scotland)).toBe(false);
  });

  it('is false on the listed bank holidays', () => {
    for (const date of [
      '2026-04-03',
      '2026-11-30',
      '2026-12-25',
      '2026-12-28',
      '2027-01-01',
      '2027-01-04',
    ]) {
      expect(isWorkingDay(date, scotland), date).toBe(false);
    }
  });

  it('is true on an ordinary weekday', () => {
    expect(isWorkingDay('2026-12-01', scotland)).toBe(true);
    expect(isWorkingDay('2026-12-29', scotland)).toBe(true);
  });

  it('is true on a weekday that is a holiday only in England (Easter Monday 2026)', () => {
    expect(isWorkingDay('2026-04-06', scotland)).toBe(true);
  });
});

describe('officeDate in Europe/London', () => {
  const london = (iso: string) => officeDate(new Date(iso), 'Europe/London');

  it('is the UTC date in winter (GMT), even a minute before midnight', () => {
    expect(london('2026-01-15T23:59:00Z')).toBe('2026-01-15');
    expect(london('2026-01-16T00:00:00Z')).toBe('2026-01-16');
  });

  it('is already the next day at 23:30 UTC in summer (BST)', () => {
    expect(london('2026-06-30T23:30:00Z')).toBe('2026-07-01');
    expect(officeDate(new Date('2026-06-30T23:30:00Z'), 'UTC')).toBe('2026-06-30');
  });

  it('follows the clocks going forward on 29 March 2026', () => {
    expect(london('2026-03-28T23:30:00Z')).toBe('2026-03-28');
    expect(london('2026-03-29T23:30:00Z')).toBe('2026-03-30');
  });

  it('follows the clocks going back on 25 October 2026', () => {
    expect(london('2026-10-24T23:30:00Z')).toBe('2026-10-25');
    expect(london('2026-10-25T23:30:00Z')).toBe('2026-10-25');
  });
});

describe('holidayCalendar', () => {
  it('builds a calendar from a well-formed file', () => {
    const calendar = holidayCalendar({
      events: [
        { date: '2030-05-06', title: 'Early May bank holiday' },
        { date: '2031-01-01', title: 'New Year’s Day' },
      ],
    });
    expect(calendar.isHoliday('2030-05-06')).toBe(true);
    expect(calendar.isHoliday('2030-05-07')).toBe(false);
    expect(calendar.lastYear).toBe(2031);
  });

  it('rejects a file without an events list', () => {
    expect(() => holidayCalendar({ dates: ['2026-12-25'] })).toThrow();
  });

  it('rejects an empty events list', () => {
    expect(() => holidayCalendar({ events: [] })).toThrow();
  });

  it('rejects a date that is not ISO YYYY-MM-DD', () => {
    expect(() =>
      holidayCalendar({ events: [{ date: '25/12/2026', title: 'Christmas' }] }),
    ).toThrow();
  });

  it('rejects an event without a title', () => {
    expect(() => holidayCalendar({ events: [{ date: '2026-12-25' }] })).toThrow();
  });
});

describe('loadHolidayCalendar', () => {
  const dir = mkdtempSync(join(tmpdir(), 'postroom-holidays-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('uses the bundled Scottish calendar when no file is given', () => {
    expect(scotland.isHoliday('2026-11-30')).toBe(true);
  });

  it('uses a replacement file instead of the bundled calendar', () => {
    const file = join(dir, 'england.json');
    writeFileSync(
      file,
      JSON.stringify({ events: [{ date: '2026-04-06', title: 'Easter Monday' }] }),
    );
    const calendar = loadHolidayCalendar(file);
    expect(calendar.isHoliday('2026-04-06')).toBe(true);
    expect(calendar.isHoliday('2026-11-30')).toBe(false);
    expect(addWorkingDays('2026-11-28', 10, calendar)).toBe('2026-12-11');
  });

  it('explains a file that is not JSON, naming the file and the expected shape', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{"events": [');
    expect(() => loadHolidayCalendar(file)).toThrow(
      /^BANK_HOLIDAYS_FILE .*broken\.json is not a usable calendar/,
    );
    expect(() => loadHolidayCalendar(file)).toThrow(/"events":\[\{"date":"2026-12-25"/);
  });

  it('explains a file whose JSON has the wrong shape', () => {
    const file = join(dir, 'wrong-shape.json');
    writeFileSync(file, JSON.stringify({ events: [{ date: 'Christmas', title: 'x' }] }));
    expect(() => loadHolidayCalendar(file)).toThrow(/wrong-shape\.json is not a usable calendar/);
  });

  it('explains a file that cannot be read', () => {
    const file = join(dir, 'missing.json');
    expect(() => loadHolidayCalendar(file)).toThrow(
      /missing\.json is not a usable calendar.*ENOENT/,
    );
  });
});
