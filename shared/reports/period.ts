import * as z from '../zod.ts';

/** The longest period one report covers: a year, with a leap day. */
export const MAX_REPORT_DAYS = 366;

/**
 * The years a report may ask about: any an office could have records of, and none whose
 * weeks run past year 9999, where dates stop being YYYY-MM-DD.
 */
export const REPORT_YEARS = { first: 1970, last: 2999 } as const;

const DAY_MS = 86_400_000;
const reportDate = (bound: 'from' | 'to') =>
  z.iso.date({ error: `${bound} must be a date, YYYY-MM-DD, such as 2026-01-01` }).check(
    z.refine((date) => {
      const year = Number(date.slice(0, 4));
      return year >= REPORT_YEARS.first && year <= REPORT_YEARS.last;
    }, `${bound} must be a date from ${REPORT_YEARS.first}-01-01 to ${REPORT_YEARS.last}-12-31`),
    z.describe(
      `the ${bound === 'from' ? 'first' : 'last'} office date the report covers (both are included)`,
    ),
  );

/**
 * GET /api/reports: from and to are office dates, both included, at most a year apart;
 * `format=csv` answers with the report as a CSV file instead of JSON.
 */
export const reportQuerySchema = z
  .object({
    from: reportDate('from'),
    to: reportDate('to'),
    format: z._default(
      z
        .enum(['json', 'csv'], { error: 'format must be json (the default) or csv' })
        .check(z.describe('csv: every table of the report in one CSV file instead of JSON')),
      'json',
    ),
  })
  .check(
    z.refine((query) => query.from <= query.to, {
      message: 'the period must not end before it starts: from must be on or before to',
      path: ['to'],
    }),
    z.refine(
      (query) => (Date.parse(query.to) - Date.parse(query.from)) / DAY_MS < MAX_REPORT_DAYS,
      {
        message: `a report covers at most ${MAX_REPORT_DAYS} days, from and to included; ask for a year or less`,
        path: ['to'],
      },
    ),
  );
