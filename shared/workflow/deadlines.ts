import { addDays, type CalendarDate, dayOfWeek } from '../dates.ts';
import * as z from '../zod.ts';
import bundledScotland from './bank-holidays.scotland.json' with { type: 'json' };

export interface HolidayCalendar {
  isHoliday(date: CalendarDate): boolean;
  /** The last year the file lists; deadlines beyond it count weekends only. */
  readonly lastYear: number;
}

const holidayFileSchema = z.object({
  events: z.array(z.object({ date: z.iso.date(), title: z.string() })).check(z.minLength(1)),
});

export function holidayCalendar(source: unknown): HolidayCalendar {
  const parsed = holidayFileSchema.parse(source);
  const dates = new Set(parsed.events.map((event) => event.date));
  const lastYear = Math.max(...parsed.events.map((event) => Number(event.date.slice(0, 4))));
  return { isHoliday: (date) => dates.has(date), lastYear };
}

/**
 * The bundled Scottish calendar (bundled into each function, not read at run time). An
 * office with another calendar names its file in BANK_HOLIDAYS_FILE, which the adapter
 * building the rules reads (shared/aws/wiring.ts): workflow reads no files.
 */
export const scottishBankHolidays: HolidayCalendar = holidayCalendar(bundledScotland);

export function isWorkingDay(date: CalendarDate, calendar: HolidayCalendar): boolean {
  const weekday = dayOfWeek(date);
  return weekday !== 0 && weekday !== 6 && !calendar.isHoliday(date);
}

/**
 * The date N working days after `from`. The day of receipt itself never counts, so a
 * letter that arrives on a Saturday has the same deadline as one that arrives on the
 * Friday evening before it plus one working day's grace, which is how offices count.
 */
export function addWorkingDays(
  from: CalendarDate,
  workingDays: number,
  calendar: HolidayCalendar,
): CalendarDate {
  let date = from;
  let remaining = workingDays;
  while (remaining > 0) {
    date = addDays(date, 1);
    if (isWorkingDay(date, calendar)) remaining -= 1;
  }
  return date;
}
