/**
 * Every date postroom shows or sends, in one place: mail, the public pages, the staff UI,
 * the note prefill and the digest. Each is shown on the office's wall clock
 * (OFFICE_TIMEZONE), whatever zone the server or the reader's computer is in.
 *
 * Two kinds of value come in. An instant (an ISO timestamp) is shown as the office's clock
 * shows it. A calendar date (YYYY-MM-DD, as reply-by and note-due dates are stored) already
 * names an office day, so it is shown as that day and never shifted by a zone.
 *
 * Pure, Intl only: the staff UI bundles this module too, so both say a date the same way.
 */

/** An ISO calendar date (YYYY-MM-DD) in the office's own time zone. */
export type CalendarDate = string;

/** British English wording ("14 December 2026", 24-hour clock) for every office. */
const LOCALE = 'en-GB';

const styles = {
  /** 14 December 2026 */
  date: { day: 'numeric', month: 'long', year: 'numeric' },
  /** Monday, 14 December 2026 */
  weekdayDate: { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' },
  /** 14 December 2026 at 14:30 */
  dateTime: { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' },
  /** Monday, 14 December 2026 at 14:30 */
  weekdayDateTime: {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  },
  /** 14:30 */
  time: { hour: '2-digit', minute: '2-digit' },
  /** Wall-clock parts, for calendar arithmetic and datetime-local values. */
  parts: {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  },
} as const satisfies Record<string, Intl.DateTimeFormatOptions>;

type Style = keyof typeof styles;

// Building a DateTimeFormat costs far more than using one, and a page of the inbox or a
// publication formats hundreds of dates in one zone.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(style: Style, timeZone: string): Intl.DateTimeFormat {
  const key = `${style} ${timeZone}`;
  let found = formatters.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat(LOCALE, { ...styles[style], timeZone });
    formatters.set(key, found);
  }
  return found;
}

const calendarDatePattern = /^\d{4}-\d{2}-\d{2}$/;

/** Whether `name` is a time zone this runtime knows (IANA, e.g. America/New_York). */
export function isTimeZone(name: string): boolean {
  if (!name) return false;
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function instant(value: string | Date): Date | undefined {
  const at = typeof value === 'string' ? new Date(value) : value;
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** A date style: a calendar date is shown as its own day, an instant in the office's zone. */
function showDay(value: string | Date, timeZone: string, style: 'date' | 'weekdayDate'): string {
  if (typeof value === 'string' && calendarDatePattern.test(value)) {
    // Noon UTC of that day, read in UTC: the day itself, in any zone.
    return formatter(style, 'UTC').format(new Date(`${value}T12:00:00Z`));
  }
  const at = instant(value);
  return at ? formatter(style, timeZone).format(at) : String(value);
}

/** A time style: an instant, on the office's clock. */
function showInstant(
  value: string | Date,
  timeZone: string,
  style: 'dateTime' | 'weekdayDateTime' | 'time',
): string {
  const at = instant(value);
  return at ? formatter(style, timeZone).format(at) : String(value);
}

// Each returns a value it cannot read as it came, rather than "Invalid Date".

/** "14 December 2026". */
export const longDate = (value: string | Date, timeZone: string) =>
  showDay(value, timeZone, 'date');

/** "Monday, 14 December 2026". */
export const weekdayDate = (value: string | Date, timeZone: string) =>
  showDay(value, timeZone, 'weekdayDate');

/** "14 December 2026 at 14:30". */
export const dateTime = (value: string | Date, timeZone: string) =>
  showInstant(value, timeZone, 'dateTime');

/** "Monday, 14 December 2026 at 14:30". */
export const weekdayDateTime = (value: string | Date, timeZone: string) =>
  showInstant(value, timeZone, 'weekdayDateTime');

/** "14:30". */
export const clockTime = (value: string | Date, timeZone: string) =>
  showInstant(value, timeZone, 'time');

/** The office's wall-clock reading of an instant. */
function wallClockParts(at: Date, timeZone: string) {
  const parts = formatter('parts', timeZone).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find((p) => p.type === type)?.value ?? 0);
  return {
    year: part('year'),
    month: part('month'),
    day: part('day'),
    hour: part('hour'),
    minute: part('minute'),
  };
}

const two = (n: number) => String(n).padStart(2, '0');

/** The calendar date of an instant as the office's wall clock shows it. */
export function officeDate(at: Date, timeZone: string): CalendarDate {
  const p = wallClockParts(at, timeZone);
  return `${String(p.year).padStart(4, '0')}-${two(p.month)}-${two(p.day)}`;
}

const DAY_MS = 86_400_000;

/**
 * officeDate for many instants (a report over thousands of requests): the zone's offset
 * is read once per UTC day and used for every instant of that day while it holds all day,
 * so most instants cost arithmetic rather than an Intl call (about 30 µs each). A day on
 * which the clocks change is left to officeDate itself.
 */
export function officeDater(timeZone: string): (at: string | Date) => CalendarDate {
  const offsets = new Map<number, number | null>();
  const offsetAt = (ms: number) => {
    const p = wallClockParts(new Date(ms), timeZone);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - ms;
  };
  // The few hundred days a report's instants fall on, each worded once.
  const words = new Map<number, CalendarDate>();
  const dayWords = (day: number) => {
    let found = words.get(day);
    if (!found) {
      found = new Date(day * DAY_MS).toISOString().slice(0, 10);
      words.set(day, found);
    }
    return found;
  };
  return (value) => {
    const ms = typeof value === 'string' ? Date.parse(value) : value.getTime();
    const day = Math.floor(ms / DAY_MS);
    if (Number.isNaN(day)) return officeDate(new Date(ms), timeZone);
    let offset = offsets.get(day);
    if (offset === undefined) {
      const start = offsetAt(day * DAY_MS);
      offset = start === offsetAt((day + 1) * DAY_MS) ? start : null;
      offsets.set(day, offset);
    }
    return offset === null
      ? officeDate(new Date(ms), timeZone)
      : dayWords(Math.floor((ms + offset) / DAY_MS));
  };
}

/** The hour (0 to 23) the office's clock shows at an instant. */
export function officeHour(at: Date, timeZone: string): number {
  return wallClockParts(at, timeZone).hour;
}

/** The calendar date `days` after (or before) `date`; no zone is involved. */
export function addDays(date: CalendarDate, days: number): CalendarDate {
  const day = new Date(`${date}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + days);
  return day.toISOString().slice(0, 10);
}

/** The day of the week of a calendar date: 0 for Sunday to 6 for Saturday. */
export function dayOfWeek(date: CalendarDate): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/**
 * An instant as the office's clock reads it, as YYYY-MM-DDTHH:MM (the value of an
 * <input type="datetime-local">); '' for a value that is not an instant.
 */
export function toWallClock(value: string | Date | undefined, timeZone: string): string {
  const at = value === undefined ? undefined : instant(value);
  if (!at) return '';
  const p = wallClockParts(at, timeZone);
  return `${p.year}-${two(p.month)}-${two(p.day)}T${two(p.hour)}:${two(p.minute)}`;
}

/**
 * A wall-clock time (YYYY-MM-DDTHH:MM) read in the office's zone, as an ISO instant;
 * undefined if it is not one. A time the clocks skip comes back as the instant an hour
 * on; `isSkippedWallClock` is how a caller notices.
 */
export function fromWallClock(value: string, timeZone: string): string | undefined {
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
    const p = wallClockParts(new Date(at), timeZone);
    at += wanted - Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  }
  return new Date(at).toISOString();
}

/** Whether a wall-clock time names no moment in the zone: the hour the clocks skip. */
export function isSkippedWallClock(value: string, timeZone: string): boolean {
  const at = fromWallClock(value, timeZone);
  return at !== undefined && toWallClock(at, timeZone) !== value.slice(0, 16);
}
