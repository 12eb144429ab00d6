import { describe, expect, it } from 'vitest';
import { officeDate, officeDater } from '../../shared/dates.ts';
import { reportCsv, tableCsv } from '../../shared/reports/csv.ts';
import type { RequestFacts } from '../../shared/reports/facts.ts';
import { reportQuerySchema } from '../../shared/reports/period.ts';
import { DatedFacts, nearestRank, report, weekOf } from '../../shared/reports/report.ts';
import { reportTables } from '../../shared/reports/tables.ts';
import { scottishBankHolidays } from '../../shared/workflow/deadlines.ts';
import type { Stage } from '../../shared/workflow/stages.ts';

/**
 * The report's figures on hand-made facts with known timings, in the office's zone
 * (Europe/London, on summer time from 29 March 2026), over two weeks that hold Good Friday
 * (3 April 2026, a Scottish bank holiday) and two weekends.
 */
const rules = { timeZone: 'Europe/London', calendar: scottishBankHolidays };
const now = new Date('2026-04-15T12:00:00Z');
const period = { from: '2026-03-30', to: '2026-04-14' };

function request(
  id: string,
  fields: Partial<RequestFacts> & { path: Array<[Stage, string]> },
): RequestFacts {
  const { path, ...rest } = fields;
  const stages = path.map(([stage, at]) => ({ stage, at, action: stage }));
  return {
    id,
    reference: `REQ-2026-${id}`,
    receivedAt: path[0]?.[1] ?? '',
    channel: 'email',
    senderName: 'A Writer',
    stage: stages.at(-1)?.stage ?? 'received',
    replyBy: '2026-12-31',
    stages,
    eventSeq: path.length,
    ...rest,
  };
}

const facts: RequestFacts[] = [
  // Received on the Monday; accepted on the Thursday before Good Friday, scheduled the
  // Monday after it (1 working day: the holiday and the weekend do not count).
  request('a', {
    organisation: 'Lumen Cameras',
    assignee: 'cara@office.example',
    replyBy: '2026-04-13',
    noteDueBy: '2026-04-22',
    answeredAt: '2026-04-02T09:00:00Z',
    path: [
      ['received', '2026-03-30T09:00:00Z'],
      ['accepted', '2026-04-02T09:00:00Z'],
      ['scheduled', '2026-04-06T09:00:00Z'],
      ['held', '2026-04-08T09:00:00Z'],
      ['drafting', '2026-04-09T09:00:00Z'],
    ],
  }),
  // Declined a day after its deadline: late.
  request('b', {
    channel: 'post',
    organisation: 'Lumen Cameras',
    replyBy: '2026-04-13',
    answeredAt: '2026-04-14T10:00:00Z',
    path: [
      ['received', '2026-04-01T08:00:00Z'],
      ['declined', '2026-04-14T10:00:00Z'],
    ],
  }),
  // 23:30 UTC on Sunday is 00:30 on Monday in the office: the week of 6 April. Never
  // answered, its deadline passed: late and outstanding; nobody holds it.
  request('c', {
    channel: 'phone',
    organisation: 'Harbour Trust',
    replyBy: '2026-04-10',
    path: [['received', '2026-04-05T23:30:00Z']],
  }),
  // Accepted the day it came: 0 working days.
  request('d', {
    organisation: 'Harbour Trust',
    assignee: 'colin@office.example',
    replyBy: '2026-04-21',
    answeredAt: '2026-04-07T15:00:00Z',
    path: [
      ['received', '2026-04-07T09:00:00Z'],
      ['accepted', '2026-04-07T15:00:00Z'],
    ],
  }),
  // Received before the period, published within it by its note deadline.
  request('e', {
    organisation: 'Old Org',
    replyBy: '2026-03-27',
    noteDueBy: '2026-04-15',
    answeredAt: '2026-03-23T09:00:00Z',
    publishedAt: '2026-04-14T09:00:00Z',
    path: [
      ['received', '2026-03-20T09:00:00Z'],
      ['accepted', '2026-03-23T09:00:00Z'],
      ['scheduled', '2026-03-25T09:00:00Z'],
      ['held', '2026-04-01T16:00:00Z'],
      ['drafting', '2026-04-02T09:00:00Z'],
      ['in_review', '2026-04-10T09:00:00Z'],
      ['approved', '2026-04-13T09:00:00Z'],
      ['published', '2026-04-14T09:00:00Z'],
    ],
  }),
  // Opened by the office; held, its note due yesterday: overdue, and late outstanding.
  request('f', {
    channel: 'office',
    organisation: 'Lumen Cameras',
    assignee: 'cara@office.example',
    replyBy: '2026-04-22',
    noteDueBy: '2026-04-14',
    answeredAt: '2026-04-09T09:00:00Z',
    path: [
      ['received', '2026-04-08T09:00:00Z'],
      ['accepted', '2026-04-09T09:00:00Z'],
      ['scheduled', '2026-04-09T12:00:00Z'],
      ['held', '2026-04-13T09:00:00Z'],
    ],
  }),
  // No organisation; withdrawn before any answer, so no answer was owed.
  request('g', {
    replyBy: '2026-04-24',
    path: [
      ['received', '2026-04-10T09:00:00Z'],
      ['withdrawn', '2026-04-13T09:00:00Z'],
    ],
  }),
  // Long before the period; in review, its note overdue since 1 April.
  request('h', {
    organisation: 'Old Org',
    assignee: 'cara@office.example',
    replyBy: '2026-02-16',
    noteDueBy: '2026-04-01',
    answeredAt: '2026-02-03T09:00:00Z',
    path: [
      ['received', '2026-02-02T09:00:00Z'],
      ['accepted', '2026-02-03T09:00:00Z'],
      ['scheduled', '2026-02-04T09:00:00Z'],
      ['held', '2026-03-02T09:00:00Z'],
      ['drafting', '2026-03-03T09:00:00Z'],
      ['in_review', '2026-03-04T09:00:00Z'],
    ],
  }),
];

describe('the management report', () => {
  const figures = report(facts, period, now, rules);

  it('counts requests received by office date, by ISO week from Monday and by channel', () => {
    expect(figures.today).toBe('2026-04-15');
    expect(figures.received).toEqual({
      total: 6,
      byWeek: [
        { week: '2026-03-30', count: 2 },
        { week: '2026-04-06', count: 4 },
        { week: '2026-04-13', count: 0 },
      ],
      byChannel: [
        { channel: 'email', count: 3 },
        { channel: 'post', count: 1 },
        { channel: 'phone', count: 1 },
        { channel: 'office', count: 1 },
      ],
    });
  });

  it('counts the period’s requests by the stage each is in now, every stage listed', () => {
    expect(Object.fromEntries(figures.byStage.map((row) => [row.stage, row.count]))).toEqual({
      received: 1,
      accepted: 1,
      declined: 1,
      scheduled: 0,
      held: 1,
      drafting: 1,
      in_review: 0,
      approved: 0,
      published: 0,
      withdrawn: 1,
      closed: 0,
    });
    expect(figures.byStage.map((row) => row.stage).slice(0, 3)).toEqual([
      'received',
      'accepted',
      'declined',
    ]);
  });

  it('measures stays that ended in the period in working days: nearest-rank median and p90', () => {
    expect(figures.timeInStage).toEqual([
      // a 3, b 8 (Good Friday skipped), d 0, f 1, g 1; c's stay goes on.
      { stage: 'received', stays: 5, median: 1, p90: 8, ongoing: 1 },
      // a 1 (Thursday to the Monday after Good Friday), f 0; e's ended before the period.
      { stage: 'accepted', stays: 2, median: 0, p90: 1, ongoing: 1 },
      { stage: 'scheduled', stays: 3, median: 2, p90: 5, ongoing: 0 },
      { stage: 'held', stays: 2, median: 1, p90: 1, ongoing: 1 },
      { stage: 'drafting', stays: 1, median: 5, p90: 5, ongoing: 1 },
      { stage: 'in_review', stays: 1, median: 1, p90: 1, ongoing: 1 },
      { stage: 'approved', stays: 1, median: 1, p90: 1, ongoing: 0 },
    ]);
  });

  it('gives replies and notes on time against their deadlines, counts beside the shares', () => {
    expect(figures.onTime).toEqual({
      replies: { counted: 5, onTime: 3, late: 2, outstanding: 1, share: 0.6 },
      notes: { counted: 3, onTime: 1, late: 2, outstanding: 2, share: 1 / 3 },
    });
  });

  it('gives the open load and the overdue now per assignee, nobody’s last', () => {
    expect(figures.byAssignee).toEqual([
      { assignee: 'cara@office.example', open: 3, overdue: 2 },
      { assignee: 'colin@office.example', open: 1, overdue: 0 },
      { assignee: null, open: 1, overdue: 1 },
    ]);
  });

  it('lists the organisations with the most requests in the period, with meetings held', () => {
    expect(figures.topOrganisations).toEqual([
      { organisation: 'Lumen Cameras', requests: 3, meetingsHeld: 2 },
      { organisation: 'Harbour Trust', requests: 2, meetingsHeld: 0 },
    ]);
  });

  it('orders ties by meetings then by name, keeps the top N, and whatever order the facts came in', () => {
    const orgs = ['Zeta', 'Alpha', 'Mid', 'Beta'].map((organisation, n) =>
      request(`t${n}`, {
        organisation,
        path:
          organisation === 'Mid'
            ? [
                ['received', '2026-04-01T09:00:00Z'],
                ['held', '2026-04-02T09:00:00Z'],
              ]
            : [['received', '2026-04-01T09:00:00Z']],
      }),
    );
    const top = report(orgs, period, now, { ...rules, topOrganisations: 3 }).topOrganisations;
    expect(top.map((row) => row.organisation)).toEqual(['Mid', 'Alpha', 'Beta']);
    expect(report([...facts].reverse(), period, now, rules)).toEqual(figures);
    // Dated once and reused, as the API does for each catalogue, whatever the period.
    const dated = new DatedFacts(facts, rules.timeZone);
    expect(report(dated, period, now, rules)).toEqual(figures);
    expect(report(dated, { from: '2026-04-13', to: '2026-04-14' }, now, rules)).toEqual(
      report(facts, { from: '2026-04-13', to: '2026-04-14' }, now, rules),
    );
  });

  it('is empty but whole for a period with nothing in it', () => {
    const empty = report([], { from: '2026-04-15', to: '2026-04-15' }, now, rules);
    expect(empty.received.byWeek).toEqual([{ week: '2026-04-13', count: 0 }]);
    expect(empty.timeInStage[0]).toEqual({
      stage: 'received',
      stays: 0,
      median: null,
      p90: null,
      ongoing: 0,
    });
    expect(empty.onTime.replies.share).toBeNull();
    expect(empty.byAssignee).toEqual([]);
    // The working-day table spans the data, not the period: a far period is no dearer.
    const far = report(facts, { from: '2999-01-01', to: '2999-12-31' }, now, rules);
    expect(far.received.total).toBe(0);
    expect(far.received.byWeek).toHaveLength(53);
    expect(far.timeInStage.every((row) => row.stays === 0)).toBe(true);
  });
});

describe('the report’s arithmetic', () => {
  it('takes percentiles by nearest rank: always one of the values', () => {
    expect(nearestRank([], 50)).toBeNull();
    expect(nearestRank([4], 90)).toBe(4);
    expect(nearestRank([1, 2, 3, 4], 50)).toBe(2);
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90)).toBe(10);
  });

  it('dates instants as officeDate does, across clock changes and in zones off the hour', () => {
    for (const timeZone of [
      'Europe/London',
      'Asia/Kolkata',
      'Australia/Lord_Howe',
      'America/New_York',
    ]) {
      const dateOf = officeDater(timeZone);
      // Every 7 minutes through the days around each zone's spring and autumn changes.
      for (const start of [
        '2026-03-06',
        '2026-03-27',
        '2026-04-03',
        '2026-10-02',
        '2026-10-23',
        '2026-11-01',
      ]) {
        const from = Date.parse(`${start}T00:00:00Z`);
        for (let ms = from; ms < from + 4 * 86_400_000; ms += 7 * 60_000) {
          const at = new Date(ms);
          expect(dateOf(at.toISOString()), `${timeZone} ${at.toISOString()}`).toBe(
            officeDate(at, timeZone),
          );
        }
      }
    }
  });

  it('labels a week by its Monday', () => {
    expect(weekOf('2026-04-05')).toBe('2026-03-30');
    expect(weekOf('2026-04-06')).toBe('2026-04-06');
    expect(weekOf('2026-04-12')).toBe('2026-04-06');
  });
});

describe('the report’s CSV', () => {
  const figures = report(facts, period, now, rules);

  it('puts every table in one long file: table, key, column, value, CRLF, every cell quoted', () => {
    const csv = reportCsv(figures);
    const lines = csv.split('\r\n');
    expect(lines.slice(0, 7)).toEqual([
      '"table","key","column","value"',
      '"report","period","from","2026-03-30"',
      '"report","period","to","2026-04-14"',
      '"report","period","today","2026-04-15"',
      '"received-by-week","2026-03-30","requests","2"',
      '"received-by-week","2026-04-06","requests","4"',
      '"received-by-week","2026-04-13","requests","0"',
    ]);
    expect(lines).toContain('"time-in-stage","received","p90_working_days","8"');
    expect(lines).toContain('"on-time","notes","share_on_time","0.3333333333333333"');
    expect(lines).toContain('"by-assignee","(unassigned)","overdue","1"');
    expect(lines).toContain('"top-organisations","Lumen Cameras","meetings_held","2"');
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.split('\n').every((line) => line === '' || line.endsWith('\r'))).toBe(true);
    // Every value of every table, and the three of the period.
    const values = reportTables(figures).reduce(
      (sum, table) => sum + table.rows.length * (table.columns.length - 1),
      0,
    );
    expect(lines.length).toBe(1 + 3 + values + 1);
  });

  it('neutralises a cell a spreadsheet would run as a formula, and leaves no value empty but nulls', () => {
    const hostile = request('x', {
      organisation: '=HYPERLINK("http://evil.example","Click")',
      path: [['received', '2026-04-01T09:00:00Z']],
    });
    const csv = reportCsv(report([hostile], period, now, rules));
    expect(csv).toContain(
      '"top-organisations","\'=HYPERLINK(""http://evil.example"",""Click"")","requests","1"',
    );
    expect(csv).toContain('"time-in-stage","accepted","median_working_days",""');
    const table = reportTables(report([hostile], period, now, rules)).find(
      (one) => one.id === 'top-organisations',
    );
    expect(table && tableCsv(table)).toBe(
      '"organisation","requests","meetings_held"\r\n"\'=HYPERLINK(""http://evil.example"",""Click"")","1","0"\r\n',
    );
  });
});

describe('the report’s period', () => {
  const parse = (query: Record<string, string>) => {
    const result = reportQuerySchema.safeParse(query);
    return result.success ? result.data : result.error.issues.map((issue) => issue.message);
  };

  it('takes two office dates, from on or before to, at most 366 days, JSON unless csv is asked', () => {
    expect(parse({ from: '2026-01-01', to: '2026-12-31' })).toEqual({
      from: '2026-01-01',
      to: '2026-12-31',
      format: 'json',
    });
    expect(parse({ from: '2028-01-01', to: '2028-12-31', format: 'csv' })).toEqual({
      from: '2028-01-01',
      to: '2028-12-31',
      format: 'csv',
    });
  });

  it('says what is accepted when it is not', () => {
    expect(parse({ from: '2026-02-30', to: '2026-03-01' })).toEqual([
      'from must be a date, YYYY-MM-DD, such as 2026-01-01',
    ]);
    expect(parse({ from: '2026-03-02', to: '2026-03-01' })).toEqual([
      'the period must not end before it starts: from must be on or before to',
    ]);
    expect(parse({ from: '2026-01-01', to: '2027-01-01' })).toMatchObject({ to: '2027-01-01' });
    expect(parse({ from: '2026-01-01', to: '2027-01-02' })).toEqual([
      'a report covers at most 366 days, from and to included; ask for a year or less',
    ]);
    expect(parse({ from: '0000-01-01', to: '0000-12-31' })).toEqual([
      'from must be a date from 1970-01-01 to 2999-12-31',
      'to must be a date from 1970-01-01 to 2999-12-31',
    ]);
    expect(parse({ from: '9999-01-01', to: '9999-12-31' })).toEqual([
      'from must be a date from 1970-01-01 to 2999-12-31',
      'to must be a date from 1970-01-01 to 2999-12-31',
    ]);
    expect(parse({ from: '2026-01-01', to: '2026-01-31', format: 'xml' })).toEqual([
      'format must be json (the default) or csv',
    ]);
    expect(parse({})).toEqual([
      'from must be a date, YYYY-MM-DD, such as 2026-01-01',
      'to must be a date, YYYY-MM-DD, such as 2026-01-01',
    ]);
  });
});
