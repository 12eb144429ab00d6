import { csvCell } from '../publication/render.ts';
import type { Report } from './figures.ts';
import { type Cell, type ReportTable, reportTables } from './tables.ts';

/**
 * The report as CSV, for spreadsheets: every cell quoted and a formula-leading cell
 * neutralised (an organisation's name is the requester's words), lines ending CRLF, as
 * the public register is written.
 */
const text = (value: Cell) => (value === null ? '' : String(value));
const line = (cells: readonly Cell[]) => cells.map((value) => csvCell(text(value))).join(',');
const lines = (rows: ReadonlyArray<readonly Cell[]>) => `${rows.map(line).join('\r\n')}\r\n`;

/** One table: a header row of its columns, then its rows. */
export const tableCsv = (table: ReportTable) => lines([table.columns, ...table.rows]);

/**
 * The whole report in one file, long-form so every table fits one rectangle:
 * `table,key,column,value`, a line per value, where `key` is the row's first cell. The
 * period and today's date lead, as table `report`.
 */
export function reportCsv(report: Report): string {
  const rows: Cell[][] = [
    ['table', 'key', 'column', 'value'],
    ['report', 'period', 'from', report.period.from],
    ['report', 'period', 'to', report.period.to],
    ['report', 'period', 'today', report.today],
  ];
  for (const table of reportTables(report))
    for (const row of table.rows)
      table.columns.forEach((column, index) => {
        if (index > 0) rows.push([table.id, row[0] ?? null, column, row[index] ?? null]);
      });
  return lines(rows);
}
