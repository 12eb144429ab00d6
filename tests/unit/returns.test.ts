import { beforeAll, describe, expect, it } from 'vitest';
import { redactionReady } from '../../shared/publication/redaction.ts';
import type { Site } from '../../shared/publication/render.ts';
import {
  heldIn,
  latestDueQuarter,
  parseQuarter,
  quarterDays,
  quarterOf,
  renderReturnCsv,
  renderReturnPage,
  renderReturnsIndex,
  returnDueOn,
  returnRows,
} from '../../shared/publication/returns.ts';
import { holidayCalendar, scottishBankHolidays } from '../../shared/workflow/deadlines.ts';
import type { RequestRecord } from '../../shared/workflow/records.ts';
import { heldRequest } from '../support/request-record.ts';

// The public copy redacts, which needs the phone detector loaded, as publication loads it.
beforeAll(() => redactionReady(undefined));

const site: Site = {
  officeName: 'The Commissioner’s Office',
  baseUrl: 'https://meetings.example/',
  timeZone: 'Europe/London',
};
const now = new Date('2026-11-01T09:00:00Z');
const letter = { text: '', at: '2026-06-01T09:00:00Z', attachments: [], namesFound: [] };

const request = heldRequest;

describe('quarters', () => {
  it('reads only a year and a quarter', () => {
    expect(parseQuarter('2026-Q3')).toEqual({ year: 2026, quarter: 3 });
    for (const bad of [
      '2026-Q0',
      '2026-Q5',
      '2026Q3',
      '2026-q3',
      '26-Q3',
      '2026-Q3.csv',
      '1969-Q4',
      '3000-Q1',
      '9999-Q4',
    ])
      expect(parseQuarter(bad), bad).toBeUndefined();
    expect(parseQuarter('1970-Q1')).toEqual({ year: 1970, quarter: 1 });
    expect(parseQuarter('2999-Q4')).toEqual({ year: 2999, quarter: 4 });
  });

  it('runs from the first of its first month to the last of its third', () => {
    expect(quarterDays({ year: 2026, quarter: 1 })).toEqual({
      first: '2026-01-01',
      last: '2026-03-31',
    });
    expect(quarterDays({ year: 2028, quarter: 1 }).last).toBe('2028-03-31');
    expect(quarterDays({ year: 2026, quarter: 4 })).toEqual({
      first: '2026-10-01',
      last: '2026-12-31',
    });
    expect(quarterOf('2026-09-30')).toEqual({ year: 2026, quarter: 3 });
    expect(quarterOf('2026-10-01')).toEqual({ year: 2026, quarter: 4 });
  });

  it('is due the set number of working days after it ends, bank holidays skipped', () => {
    // Q3 2026 ends on Wednesday 30 September: 20 working days on is Wednesday 28 October.
    expect(returnDueOn({ year: 2026, quarter: 3 }, 20, scottishBankHolidays)).toBe('2026-10-28');
    const holiday = holidayCalendar({ events: [{ date: '2026-10-05', title: 'A holiday' }] });
    expect(returnDueOn({ year: 2026, quarter: 3 }, 20, holiday)).toBe('2026-10-29');
    expect(latestDueQuarter('2026-10-27', 20, scottishBankHolidays)).toEqual({
      year: 2026,
      quarter: 2,
    });
    expect(latestDueQuarter('2026-10-28', 20, scottishBankHolidays)).toEqual({
      year: 2026,
      quarter: 3,
    });
    expect(latestDueQuarter('2027-01-05', 5, scottishBankHolidays)).toEqual({
      year: 2026,
      quarter: 3,
    });
  });

  it('holds the meetings held in it, on the office’s clock, and only once held', () => {
    const q3 = { year: 2026, quarter: 3 as const };
    const at = (start: string, stage: RequestRecord['stage'] = 'held') =>
      request(1, {
        stage,
        meeting: { ...(request(1).meeting as NonNullable<RequestRecord['meeting']>), start },
      });
    expect(heldIn(at('2026-06-30T23:30:00Z'), q3, site.timeZone)).toBe(true);
    expect(heldIn(at('2026-06-30T22:30:00Z'), q3, site.timeZone)).toBe(false);
    expect(heldIn(at('2026-09-30T22:59:00Z'), q3, site.timeZone)).toBe(true);
    expect(heldIn(at('2026-09-30T23:00:00Z'), q3, site.timeZone)).toBe(false);
    for (const stage of ['scheduled', 'withdrawn', 'declined', 'accepted'] as const)
      expect(heldIn(at('2026-08-01T10:00:00Z', stage), q3, site.timeZone), stage).toBe(false);
    for (const stage of [
      'held',
      'drafting',
      'in_review',
      'approved',
      'published',
      'closed',
    ] as const)
      expect(heldIn(at('2026-08-01T10:00:00Z', stage), q3, site.timeZone), stage).toBe(true);
    // The note's meeting counts over the scheduled one.
    const moved = request(1, {
      draft: {
        version: 1,
        body: '',
        editors: [],
        meeting: {
          ...(request(1).meeting as NonNullable<RequestRecord['meeting']>),
          start: '2026-10-02T10:00:00Z',
        },
      },
    });
    expect(heldIn(moved, q3, site.timeZone)).toBe(false);
  });
});

describe('the rows of a return', () => {
  const options = { officeHolder: 'The Commissioner' };

  it('has one row per organisation, by date then reference', () => {
    const three = request(2, {
      stage: 'published',
      meeting: {
        start: '2026-07-10T09:00:00Z',
        end: '2026-07-10T10:00:00Z',
        location: 'Edinburgh',
        attendees: ['A Ltd', 'B Ltd', 'C Ltd'].map((organisation, n) => ({
          name: `Person ${n}`,
          role: 'Director',
          organisation,
          host: false,
          invitedGuest: false,
        })),
        sequence: 0,
        officeHolder: 'The Deputy',
      },
      organisation: 'A Ltd',
      draft: { version: 1, body: '## Purpose\n\nTo talk.', editors: [] },
    });
    const rows = returnRows(
      [
        { request: request(3), letter },
        { request: request(1), letter },
        { request: three, letter },
      ],
      site,
      options,
      now,
    );
    expect(rows.map((row) => [row.reference, row.name])).toEqual([
      ['REQ-2026-0002', 'A Ltd'],
      ['REQ-2026-0002', 'B Ltd'],
      ['REQ-2026-0002', 'C Ltd'],
      ['REQ-2026-0001', 'Org Ltd'],
      ['REQ-2026-0003', 'Org Ltd'],
    ]);
    expect(rows[0]).toEqual({
      officeHolder: 'The Deputy',
      date: '2026-07-10',
      name: 'A Ltd',
      purpose: 'To talk.',
      reference: 'REQ-2026-0002',
      noteUrl: 'https://meetings.example/meetings/2026/req-2026-0002/',
      letterUrl: 'https://meetings.example/meetings/2026/req-2026-0002/letter.html',
    });
    // Not published: no addresses; no note: the subject is the purpose.
    expect(rows[3]).toMatchObject({
      officeHolder: 'The Commissioner',
      purpose: 'Subject 1',
      noteUrl: '',
      letterUrl: '',
    });
  });

  it('takes the purpose from the note only once it is published, never from a draft or an embargoed note', () => {
    const note = { version: 2, body: '## Purpose\n\nMarket-sensitive plans.', editors: [] };
    for (const stage of ['drafting', 'in_review', 'approved', 'closed'] as const) {
      const [row] = returnRows(
        [
          {
            request: request(5, { stage, draft: note, publishAt: '2027-01-01T00:00:00Z' }),
            letter,
          },
        ],
        site,
        options,
        now,
      );
      expect(row?.purpose, stage).toBe('Subject 5');
    }
    const [published] = returnRows(
      [{ request: request(5, { stage: 'published', draft: note }), letter }],
      site,
      options,
      now,
    );
    expect(published?.purpose).toBe('Market-sensitive plans.');
  });

  it('redacts a private individual as the public copy does, unless an admin asks', () => {
    const individual = request(4, {
      organisation: undefined,
      sender: { name: 'Morag Fairlie', address: 'morag@home.example' },
      subject: 'Morag Fairlie about her appeal',
      meeting: {
        ...(request(4).meeting as NonNullable<RequestRecord['meeting']>),
        attendees: [
          {
            name: 'The Commissioner',
            role: 'Commissioner',
            organisation: site.officeName,
            host: true,
            invitedGuest: false,
          },
        ],
      },
    });
    const [shown] = returnRows([{ request: individual, letter }], site, options, now);
    expect(shown).toMatchObject({ name: '[redacted]', purpose: '[redacted] about her appeal' });
    const [named] = returnRows(
      [{ request: individual, letter }],
      site,
      { ...options, namePrivateIndividuals: true },
      now,
    );
    expect(named).toMatchObject({ name: 'Morag Fairlie', purpose: '[redacted] about her appeal' });
  });

  it('keeps a private individual private when staff list them as attending "for themselves"', () => {
    // Intake guessed the organisation from the address's domain; staff listed the writer
    // as an attendee, with a role and "Private individual", as the attendee form asks.
    const individual = request(6, {
      organisation: 'fastmail.example',
      sender: { name: 'Margaret Thistlewood', address: 'margaret@fastmail.example' },
      subject: 'Bus stop outside my house',
      meeting: {
        ...(request(6).meeting as NonNullable<RequestRecord['meeting']>),
        attendees: [
          {
            name: 'Margaret Thistlewood',
            role: 'Resident',
            organisation: 'Private individual',
            host: false,
            invitedGuest: false,
          },
          {
            name: 'The Commissioner',
            role: 'Commissioner',
            organisation: site.officeName,
            host: true,
            invitedGuest: false,
          },
        ],
      },
    });
    // One row, the individual's: neither the guessed domain nor "Private individual" is an
    // organisation met.
    const shown = returnRows([{ request: individual, letter }], site, options, now);
    expect(shown.map((row) => row.name)).toEqual(['[redacted]']);
    const named = returnRows(
      [{ request: individual, letter }],
      site,
      { ...options, namePrivateIndividuals: true },
      now,
    );
    expect(named.map((row) => row.name)).toEqual(['Margaret Thistlewood']);
  });
});

describe('the return as CSV and pages', () => {
  const row = {
    officeHolder: 'The Commissioner',
    date: '2026-07-10',
    name: '=HYPERLINK("x")',
    purpose: 'Say "hello"',
    reference: 'REQ-2026-0001',
    noteUrl: '',
    letterUrl: '',
  };

  it('quotes every cell, neutralises formulas, and ends every line with CRLF', () => {
    expect(renderReturnCsv([row])).toBe(
      '"Office-holder","Date","Name of organisation or individual","Purpose of meeting","Reference","Note URL","Letter URL"\r\n' +
        '"The Commissioner","2026-07-10","\'=HYPERLINK(""x"")","Say ""hello""","REQ-2026-0001","",""\r\n',
    );
  });

  it('shows the return as a table with a caption and column headers, escaped', () => {
    const page = renderReturnPage({ year: 2026, quarter: 3 }, [row], site, now.toISOString());
    expect(page).toContain('<caption>');
    expect(page).toContain('<th scope="col">Office-holder</th>');
    expect(page).toContain('Say &quot;hello&quot;');
    expect(page).toContain('href="../2026-Q3.csv"');
    expect(page).toContain('<h1>Meetings with outside organisations, July to September 2026</h1>');
  });

  it('lists every published return, or says there are none', () => {
    expect(renderReturnsIndex([], site)).toContain('No returns have been published yet.');
    const index = renderReturnsIndex(
      [
        { quarter: '2026-Q3', publishedAt: now.toISOString() },
        { quarter: '2026-Q2', publishedAt: now.toISOString() },
      ],
      site,
    );
    expect(index).toContain('href="2026-Q3/"');
    expect(index).toContain('href="2026-Q2.csv"');
  });
});
