import type { Report } from './figures.ts';

/**
 * The report as tables: one list of what each table is called and holds, read by the CSV
 * the API answers with (csv.ts) and by the staff UI's Reports page, which draws each
 * table beside its chart and saves it as CSV, so the page, its downloads and the API's
 * file cannot disagree. Values are as the API gives them (stage and channel keys, ISO
 * dates, numbers); the UI words them for people.
 */
export type Cell = string | number | null;

export interface ReportTable {
  /** A stable name: the `table` column of the whole report's CSV, and the file name of one. */
  id: ReportTableId;
  title: string;
  /** Column names, snake_case; the first column is each row's key. */
  columns: readonly string[];
  rows: Cell[][];
}

export const reportTableIds = [
  'received-by-week',
  'received-by-channel',
  'by-stage',
  'time-in-stage',
  'on-time',
  'by-assignee',
  'top-organisations',
] as const;
export type ReportTableId = (typeof reportTableIds)[number];

/** An unassigned request's key in the tables: no address can be written so. */
export const UNASSIGNED = '(unassigned)';

export function reportTables(report: Report): ReportTable[] {
  const { received, onTime } = report;
  return [
    {
      id: 'received-by-week',
      title: 'Requests received, by week (weeks start on Monday)',
      columns: ['week', 'requests'],
      rows: received.byWeek.map((row) => [row.week, row.count]),
    },
    {
      id: 'received-by-channel',
      title: 'Requests received, by channel',
      columns: ['channel', 'requests'],
      rows: received.byChannel.map((row) => [row.channel, row.count]),
    },
    {
      id: 'by-stage',
      title: 'Requests received in the period, by their stage now',
      columns: ['stage', 'requests'],
      rows: report.byStage.map((row) => [row.stage, row.count]),
    },
    {
      id: 'time-in-stage',
      title: 'Time spent in each stage, in working days (stays that ended in the period)',
      columns: ['stage', 'stays', 'median_working_days', 'p90_working_days', 'ongoing'],
      rows: report.timeInStage.map((row) => [
        row.stage,
        row.stays,
        row.median,
        row.p90,
        row.ongoing,
      ]),
    },
    {
      id: 'on-time',
      title: 'Replies and notes on time',
      columns: ['deadline', 'counted', 'on_time', 'late', 'outstanding', 'share_on_time'],
      rows: (['replies', 'notes'] as const).map((deadline) => {
        const figure = onTime[deadline];
        return [
          deadline,
          figure.counted,
          figure.onTime,
          figure.late,
          figure.outstanding,
          figure.share,
        ];
      }),
    },
    {
      id: 'by-assignee',
      title: 'Open and overdue requests now, by assignee',
      columns: ['assignee', 'open', 'overdue'],
      rows: report.byAssignee.map((row) => [row.assignee ?? UNASSIGNED, row.open, row.overdue]),
    },
    {
      id: 'top-organisations',
      title: 'Organisations with the most requests received in the period',
      columns: ['organisation', 'requests', 'meetings_held'],
      rows: report.topOrganisations.map((row) => [
        row.organisation,
        row.requests,
        row.meetingsHeld,
      ]),
    },
  ];
}
