import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHolidayCalendar } from '../../shared/aws/wiring.ts';
import { officeDate } from '../../shared/dates.ts';
import {
  addWorkingDays,
  holidayCalendar,
  isWorkingDay,
  scottishBankHolidays as scotland,
} from '../../shared/workflow/deadlines.ts';

describe('reply-by dates in Scottish working days', () => {
  it('skips St Andrew’s Day and the weekend', () => {
    // Received Saturday 28 November 2026; Monday 30 November is St Andrew's Day.
    expect(addWorkingDays('2026-11-28', 10, scotland)).toBe('2026-12-14');
    expect(addWorkingDays('2026-11-27', 1, scotland)).toBe('2026-12-01');
  });

  it('skips Christmas, the Boxing Day substitute and New Year with its substitute', () => {
    expect(isWorkingDay('2026-12-25', scotland)).toBe(false);
    expect(isWorkingDay('2026-12-28', scotland)).toBe(false);
    expect(addWorkingDays('2026-12-24', 1, scotland)).toBe('2026-12-29');
    expect(addWorkingDays('2026-12-31', 1, scotland)).toBe('2027-01-05');
  });

  it('skips Good Friday but not Easter Monday, which is not a Scottish bank holiday', () => {
    expect(isWorkingDay('2026-04-03', scotland)).toBe(false);
    expect(isWorkingDay('2026-04-06', scotland)).toBe(true);
    expect(addWorkingDays('2026-04-02', 1, scotland)).toBe('2026-04-06');
  });

  it('never counts the day of receipt', () => {
    expect(addWorkingDays('2026-06-01', 0, scotland)).toBe('2026-06-01');
    expect(addWorkingDays('2026-06-01', 1, scotland)).toBe('2026-06-02');
  });

  it('uses the office’s wall-clock date, across midnight and the clocks changing', () => {
    expect(officeDate(new Date('2026-06-30T23:30:00Z'), 'Europe/London')).toBe('2026-07-01');
    expect(officeDate(new Date('2026-12-31T23:30:00Z'), 'Europe/London')).toBe('2026-12-31');
    expect(officeDate(new Date('2026-03-28T23:59:00Z'), 'Europe/London')).toBe('2026-03-28');
    expect(officeDate(new Date('2026-03-29T23:30:00Z'), 'Europe/London')).toBe('2026-03-30');
  });
});

describe('a replacement calendar', () => {
  it('is read from the file BANK_HOLIDAYS_FILE names', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'calendar-')), 'england.json');
    writeFileSync(
      file,
      JSON.stringify({ events: [{ date: '2026-04-06', title: 'Easter Monday' }] }),
    );
    const england = loadHolidayCalendar(file);
    expect(isWorkingDay('2026-04-06', england)).toBe(false);
    expect(isWorkingDay('2026-11-30', england)).toBe(true);
    expect(england.lastYear).toBe(2026);
  });

  it('explains what a usable file looks like when it is not one', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'calendar-')), 'broken.json');
    writeFileSync(file, '{"events": [{"date": "30/11/2026"}]}');
    expect(() => loadHolidayCalendar(file)).toThrow(
      /BANK_HOLIDAYS_FILE .*broken\.json is not a usable calendar: expected JSON like/,
    );
    expect(() => loadHolidayCalendar(join(tmpdir(), 'no-such-calendar.json'))).toThrow(
      /not a usable calendar/,
    );
    expect(() => holidayCalendar({ events: [] })).toThrow();
  });
});
