import type { Report } from '../../../shared/reports/figures.ts';
import {
  type Cell,
  type ReportTable,
  type ReportTableId,
  reportTables,
  UNASSIGNED,
} from '../../../shared/reports/tables.ts';
import { ApiProblem, get, getFile } from '../api.ts';
import { type Child, h, hidden } from '../dom.ts';
import { dateTime, longDate, officeToday, plural, stageNames } from '../format.ts';
import { button, errorSummaryHost, FormErrors, form, textInput } from '../forms.ts';
import { heading, type View } from '../page.ts';
import { navigate } from '../router.ts';
import type { Stage } from '../types.ts';

/**
 * The Reports page: the management report (GET /api/reports) for a period, each table
 * drawn as a bar chart beside the table itself. The charts are images to assistive
 * technology (role="img", named by their title and described), and the table beside each
 * one holds the same figures as text, so nothing is only in the picture; bars carry their
 * value and series as words, so nothing depends on telling colours apart. Each table
 * saves as CSV in the browser; the whole report comes as one CSV from the API.
 */

const day = (date: string, days: number) => {
  const at = new Date(`${date}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
};

/** The last quarter that has ended, by the office's calendar. */
export function lastFullQuarter(today: string): { from: string; to: string } {
  const year = Number(today.slice(0, 4));
  const quarter = Math.floor((Number(today.slice(5, 7)) - 1) / 3);
  const start =
    quarter === 0 ? `${year - 1}-10-01` : `${year}-${String(quarter * 3 - 2).padStart(2, '0')}-01`;
  const nextStart = `${year}-${String(quarter * 3 + 1).padStart(2, '0')}-01`;
  return { from: start, to: day(nextStart, -1) };
}

const channelNames: Record<string, string> = {
  email: 'Email',
  post: 'Post',
  phone: 'Phone',
  office: 'Arranged by the office',
};

/** How a row's key reads to a person. */
function keyText(table: ReportTableId, key: Cell): string {
  const value = String(key ?? '');
  switch (table) {
    case 'received-by-week':
      return `Week of ${longDate(value)}`;
    case 'received-by-channel':
      return channelNames[value] ?? value;
    case 'by-stage':
    case 'time-in-stage':
      return stageNames[value as Stage] ?? value;
    case 'on-time':
      return value === 'replies' ? 'Replies by the reply deadline' : 'Notes by the note deadline';
    case 'by-assignee':
      return value === UNASSIGNED ? 'Nobody (unassigned)' : value;
    default:
      return value;
  }
}

const columnNames: Record<string, string> = {
  requests: 'Requests',
  stays: 'Stays ended',
  median_working_days: 'Median (working days)',
  p90_working_days: '90th percentile (working days)',
  ongoing: 'In the stage now',
  counted: 'Counted',
  on_time: 'On time',
  late: 'Late',
  outstanding: 'Late and still outstanding',
  share_on_time: 'Share on time',
  open: 'Open',
  overdue: 'Overdue',
  meetings_held: 'Meetings held',
};

const keyColumnNames: Record<ReportTableId, string> = {
  'received-by-week': 'Week',
  'received-by-channel': 'Channel',
  'by-stage': 'Stage now',
  'time-in-stage': 'Stage',
  'on-time': 'Deadline',
  'by-assignee': 'Assignee',
  'top-organisations': 'Organisation',
};

const percent = (share: number) => `${Math.round(share * 1000) / 10}%`;

function valueText(column: string, value: Cell): string {
  if (value === null) return 'none';
  if (column === 'share_on_time' && typeof value === 'number') return percent(value);
  return String(value);
}

/** The bars one chart draws: per row, one bar a series, each with its words. */
interface Series {
  column: string;
  name: string;
}

/** Which columns each chart draws (the rest are in the table). */
const chartSeries: Record<ReportTableId, Series[]> = {
  'received-by-week': [{ column: 'requests', name: 'Requests' }],
  'received-by-channel': [{ column: 'requests', name: 'Requests' }],
  'by-stage': [{ column: 'requests', name: 'Requests' }],
  'time-in-stage': [
    { column: 'median_working_days', name: 'Median' },
    { column: 'p90_working_days', name: '90th percentile' },
  ],
  'on-time': [{ column: 'share_on_time', name: 'On time' }],
  'by-assignee': [
    { column: 'open', name: 'Open' },
    { column: 'overdue', name: 'Overdue' },
  ],
  'top-organisations': [
    { column: 'requests', name: 'Requests' },
    { column: 'meetings_held', name: 'Meetings held' },
  ],
};

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag: string, attributes: Record<string, string | number>, ...children: Child[]) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  for (const child of children.flat(3)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/**
 * A horizontal bar chart of a table: a row of bars per table row, labelled on the left,
 * each bar followed by its series and value in words. The second series is hatched as
 * well as darker, so the two differ without colour.
 */
function chart(table: ReportTable, titleId: string): SVGElement {
  const series = chartSeries[table.id];
  const index = (column: string) => table.columns.indexOf(column);
  const labelWidth = 230;
  const barArea = 260;
  const valueWidth = 190;
  const barHeight = 22;
  const rowHeight = series.length * (barHeight + 4) + 14;
  const width = labelWidth + barArea + valueWidth;
  const height = Math.max(1, table.rows.length) * rowHeight + 8;
  const isShare = table.id === 'on-time';
  const largest = isShare
    ? 1
    : Math.max(
        1,
        ...table.rows.flatMap((row) => series.map((one) => Number(row[index(one.column)] ?? 0))),
      );
  const descId = `${titleId}-desc`;
  const rows = table.rows.map((row, rowIndex) => {
    const top = rowIndex * rowHeight + 4;
    const label = keyText(table.id, row[0] ?? null);
    return svg(
      'g',
      {},
      svg(
        'text',
        {
          x: labelWidth - 10,
          y: top + barHeight / 2 + 6,
          'text-anchor': 'end',
          class: 'chart__label',
        },
        label.length > 28 ? `${label.slice(0, 27)}…` : label,
      ),
      series.map((one, seriesIndex) => {
        const value = row[index(one.column)] ?? null;
        const length = value === null ? 0 : (Number(value) / largest) * barArea;
        const y = top + seriesIndex * (barHeight + 4);
        return [
          svg('rect', {
            x: labelWidth,
            y,
            width: Math.max(value === null || value === 0 ? 0 : 2, length),
            height: barHeight,
            class: `chart__bar chart__bar--${seriesIndex}`,
          }),
          svg(
            'text',
            { x: labelWidth + length + 6, y: y + barHeight / 2 + 6, class: 'chart__value' },
            `${series.length > 1 || isShare ? `${one.name}: ` : ''}${valueText(one.column, value)}`,
          ),
        ];
      }),
    );
  });
  return svg(
    'svg',
    {
      class: 'chart',
      role: 'img',
      'aria-labelledby': `${titleId} ${descId}`,
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
    },
    svg('title', { id: titleId }, `Chart: ${table.title}`),
    svg(
      'desc',
      { id: descId },
      table.rows.length
        ? `Bar chart of ${series.map((one) => one.name.toLowerCase()).join(' and ')}, one row of bars for each ${keyColumnNames[table.id].toLowerCase()}; the table beside it gives the same figures.`
        : 'No figures for this period.',
    ),
    svg(
      'defs',
      {},
      svg(
        'pattern',
        {
          id: `${titleId}-hatch`,
          width: 6,
          height: 6,
          patternUnits: 'userSpaceOnUse',
          patternTransform: 'rotate(45)',
        },
        svg('rect', { width: 6, height: 6, class: 'chart__hatch-ground' }),
        svg('line', { x1: 0, y1: 0, x2: 0, y2: 6, class: 'chart__hatch-line' }),
      ),
    ),
    rows,
  );
}

function dataTable(table: ReportTable, captionId: string): HTMLElement {
  // A table wider than its half of the page scrolls sideways; the keyboard must reach it.
  return h(
    'div',
    { class: 'table-wrapper', role: 'region', 'aria-labelledby': captionId, tabindex: 0 },
    h(
      'table',
      { class: 'table' },
      h('caption', { class: 'table__caption', id: captionId }, table.title),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          table.columns.map((column, index) =>
            h(
              'th',
              { class: 'table__header', scope: 'col' },
              index === 0 ? keyColumnNames[table.id] : (columnNames[column] ?? column),
            ),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        table.rows.length
          ? table.rows.map((row) =>
              h(
                'tr',
                {},
                row.map((value, index) =>
                  index === 0
                    ? h('th', { class: 'table__header', scope: 'row' }, keyText(table.id, value))
                    : h(
                        'td',
                        { class: 'table__cell table__cell--numeric' },
                        valueText(table.columns[index] ?? '', value),
                      ),
                ),
              ),
            )
          : h(
              'tr',
              {},
              h(
                'td',
                { class: 'table__cell', colspan: table.columns.length },
                'Nothing in this period.',
              ),
            ),
      ),
    ),
  );
}

/** Saves text as a file, as a link with `download` would. */
function save(body: Blob, filename: string): void {
  const url = URL.createObjectURL(body);
  const link = h('a', { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function tableSection(table: ReportTable, period: { from: string; to: string }): HTMLElement {
  const headingId = `report-${table.id}`;
  return h(
    'section',
    { class: 'section report', 'aria-labelledby': headingId },
    h('h2', { class: 'heading-m', id: headingId }, table.title),
    h(
      'div',
      { class: 'report__figure' },
      h('div', { class: 'report__chart' }, chart(table, `${headingId}-chart`)),
      h('div', { class: 'report__table' }, dataTable(table, `${headingId}-caption`)),
    ),
    button(
      ['Download CSV', hidden(` of ${table.title[0]?.toLowerCase()}${table.title.slice(1)}`)],
      {
        kind: 'secondary',
        type: 'button',
        onClick: async () => {
          // The CSV writer shares publication's cell function, loaded only when asked for.
          const { tableCsv } = await import('../../../shared/reports/csv.ts');
          save(
            new Blob([tableCsv(table)], { type: 'text/csv;charset=utf-8' }),
            `postroom-${table.id}-${period.from}-to-${period.to}.csv`,
          );
        },
      },
    ),
  );
}

export const reportsView: View = async ({ query, announce }) => {
  const today = officeToday();
  const quarter = lastFullQuarter(today);
  const last90 = { from: day(today, -89), to: today };
  const period = {
    from: query.get('from')?.trim() || quarter.from,
    to: query.get('to')?.trim() || quarter.to,
  };
  const summary = errorSummaryHost();
  const errors = new FormErrors(summary, {
    what: 'the report',
    reload: () => navigate(window.location.pathname + window.location.search),
  });
  const from = errors.add(
    textInput({ label: 'From', path: 'from', type: 'date', value: period.from, width: 'medium' }),
  );
  const to = errors.add(
    textInput({ label: 'To', path: 'to', type: 'date', value: period.to, width: 'medium' }),
  );
  const picker = form(
    'Period',
    () => {
      const next = new URLSearchParams({ from: from.control.value, to: to.control.value });
      navigate(`/reports?${next}`);
    },
    h(
      'p',
      { class: 'hint' },
      'Office dates, both included, at most a year. For example, 2026-07-01 to 2026-09-30.',
    ),
    h('div', { class: 'filters' }, from.group, to.group),
    h(
      'div',
      { class: 'button-group' },
      button('Show the report'),
      h(
        'a',
        { class: 'link', href: `/reports?from=${quarter.from}&to=${quarter.to}` },
        'Last full quarter',
      ),
      h(
        'a',
        { class: 'link', href: `/reports?from=${last90.from}&to=${last90.to}` },
        'Last 90 days',
      ),
    ),
  );

  let results: Child;
  let failure: unknown;
  try {
    const report = await get<Report & { catalogueUpdatedAt: string | null }>(
      `/api/reports?${new URLSearchParams(period)}`,
    );
    const tables = reportTables(report);
    results = [
      h(
        'p',
        { class: 'body' },
        `${plural(report.received.total, 'request')} received from ${longDate(report.period.from)} to ${longDate(report.period.to)}. `,
        'Load and overdue figures are as they stand today. ',
        report.catalogueUpdatedAt
          ? `Figures as of ${dateTime(report.catalogueUpdatedAt)}.`
          : 'No figures have been gathered yet.',
      ),
      h(
        'p',
        { class: 'body' },
        button('Download the whole report (CSV)', {
          kind: 'secondary',
          type: 'button',
          onClick: async () => {
            try {
              const file = await getFile(
                `/api/reports?${new URLSearchParams({ ...period, format: 'csv' })}`,
              );
              save(file.body, file.filename);
            } catch (error) {
              errors.problem(error);
            }
          },
        }),
      ),
      tables.map((table) => tableSection(table, period)),
    ];
  } catch (error) {
    if (!(error instanceof ApiProblem) || error.status === 401) throw error;
    failure = error;
    results = h('p', { class: 'body' }, 'No report is shown until the period is corrected.');
  }

  return {
    title: 'Reports',
    content: [summary, heading('Reports'), picker, h('div', { class: 'results' }, results)],
    shown: () => {
      if (failure) errors.problem(failure);
      else announce(`Report for ${longDate(period.from)} to ${longDate(period.to)} shown.`);
    },
  };
};
