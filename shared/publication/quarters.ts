import { addDays, type CalendarDate } from '../dates.ts';

/**
 * Quarters of the year, as the quarterly return names and counts them: pure and small, so
 * the staff UI offers the same quarters the API accepts without loading publication.
 */
export interface Quarter {
  year: number;
  quarter: 1 | 2 | 3 | 4;
}

/** `2026-Q3`: how a quarter is named in addresses and file names. */
export const quarterName = ({ year, quarter }: Quarter) => `${year}-Q${quarter}`;

/** A quarter's name: four digits of year, then Q1 (January to March) to Q4. */
export const QUARTER_PATTERN = /^(\d{4})-Q([1-4])$/;

/**
 * The years a return may be asked for, as a report's: any an office could have records
 * of. Year 9999's last quarter would end past the last date YYYY-MM-DD can write.
 */
export const QUARTER_YEARS = { first: 1970, last: 2999 } as const;

export function parseQuarter(name: string): Quarter | undefined {
  const match = QUARTER_PATTERN.exec(name);
  if (!match) return undefined;
  const year = Number(match[1]);
  if (year < QUARTER_YEARS.first || year > QUARTER_YEARS.last) return undefined;
  return { year, quarter: Number(match[2]) as Quarter['quarter'] };
}

/** The quarter's first and last days, as office dates. */
export function quarterDays({ year, quarter }: Quarter): {
  first: CalendarDate;
  last: CalendarDate;
} {
  const month = (quarter - 1) * 3 + 1;
  const first = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-01`;
  const next =
    quarter === 4
      ? `${String(year + 1).padStart(4, '0')}-01-01`
      : `${String(year).padStart(4, '0')}-${String(month + 3).padStart(2, '0')}-01`;
  return { first, last: addDays(next, -1) };
}

export function quarterOf(date: CalendarDate): Quarter {
  const month = Number(date.slice(5, 7));
  return {
    year: Number(date.slice(0, 4)),
    quarter: (Math.floor((month - 1) / 3) + 1) as Quarter['quarter'],
  };
}

export const previousQuarter = ({ year, quarter }: Quarter): Quarter =>
  quarter === 1
    ? { year: year - 1, quarter: 4 }
    : { year, quarter: (quarter - 1) as Quarter['quarter'] };
