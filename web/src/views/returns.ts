import {
  parseQuarter,
  previousQuarter,
  type Quarter,
  quarterName,
  quarterOf,
} from '../../../shared/publication/quarters.ts';
import { getFile } from '../api.ts';
import { h, replace } from '../dom.ts';
import { officeToday, plural } from '../format.ts';
import { button, errorSummaryHost, FormErrors, form, select } from '../forms.ts';
import { heading, notice, type View } from '../page.ts';

/**
 * The quarterly return of external meetings: staff choose a quarter, see its first rows,
 * and save it as CSV. The API needs the bearer token, so the file is fetched and saved
 * from a blob rather than by a plain link.
 */
const PREVIEW_ROWS = 20;

/**
 * The quarters offered: this one and the two years before it, newest first, and an older
 * one an address names (/returns?quarter=2023-Q2), so a return can be bookmarked.
 */
function offeredQuarters(today: string, asked: string | null): Quarter[] {
  const quarters = [quarterOf(today)];
  while (quarters.length < 9) quarters.push(previousQuarter(quarters.at(-1) as Quarter));
  const named = asked ? parseQuarter(asked) : undefined;
  if (named && !quarters.some((quarter) => quarterName(quarter) === asked)) quarters.push(named);
  return quarters;
}

const quarterText = ({ year, quarter }: Quarter) =>
  `${year} Q${quarter} (${['January to March', 'April to June', 'July to September', 'October to December'][quarter - 1]})`;

/** The return's CSV as rows of cells: every cell is quoted, quotes doubled. */
export function csvRows(csv: string): string[][] {
  const rows: string[][] = [];
  for (const line of csv.split('\r\n')) {
    if (!line) continue;
    const cells: string[] = [];
    for (const match of line.matchAll(/"((?:[^"]|"")*)"(?:,|$)/g))
      cells.push((match[1] ?? '').replace(/""/g, '"'));
    rows.push(cells);
  }
  return rows;
}

function save(csv: string, filename: string): void {
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
  const link = h('a', { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  // After the click has handed the file to the browser.
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function previewTable(name: string, rows: string[][]): HTMLElement {
  const [columns = [], ...body] = rows;
  if (!body.length)
    return h('p', { class: 'body' }, `No meetings were held in ${name}: the return has no rows.`);
  const shown = body.slice(0, PREVIEW_ROWS);
  return h(
    'div',
    // Seven columns may be wider than the page: the wrapper scrolls, and takes focus to.
    { class: 'table-wrapper', tabindex: '0', role: 'region', 'aria-label': `Preview of ${name}` },
    h(
      'table',
      { class: 'table' },
      h(
        'caption',
        { class: 'table__caption' },
        `${name}: ${plural(body.length, 'row')}${body.length > shown.length ? `, the first ${shown.length} shown` : ''}`,
      ),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          columns.map((column) => h('th', { scope: 'col', class: 'table__header' }, column)),
        ),
      ),
      h(
        'tbody',
        {},
        shown.map((cells) =>
          h(
            'tr',
            {},
            cells.map((cell) => h('td', { class: 'table__cell' }, cell)),
          ),
        ),
      ),
    ),
  );
}

export const returnsView: View = ({ member, announce, query }) => {
  const asked = query.get('quarter');
  const quarters = offeredQuarters(officeToday(), asked);
  const summary = errorSummaryHost();
  const errors = new FormErrors(summary);
  const chosen = errors.add(
    select({
      label: 'Quarter',
      path: 'path.quarter',
      hint: 'Every meeting held in the quarter, whether or not its note is published yet.',
      // Else the last quarter that has ended: the one a return is usually wanted for.
      value: asked && parseQuarter(asked) ? asked : quarterName(quarters[1] as Quarter),
      choices: quarters.map((quarter) => ({
        value: quarterName(quarter),
        text: quarterText(quarter),
      })),
    }),
  );
  const preview = h('div', { class: 'section', 'aria-live': 'polite' });
  const fetchReturn = async () => {
    const name = chosen.control.value;
    const file = await getFile(`/api/returns/${encodeURIComponent(name)}.csv`);
    return { name, csv: await file.body.text() };
  };
  return {
    title: 'Quarterly returns',
    content: [
      summary,
      heading('Quarterly returns'),
      h(
        'p',
        { class: 'body' },
        'The return of the office’s external meetings for a quarter, in the Cabinet Office’s columns: one row for each organisation met. It is published on the public site automatically, some working days after the quarter ends.',
      ),
      member.roles.includes('admin')
        ? notice(
            'As an admin you see private individuals named. The published return, and everyone else’s copy, hides them.',
            'warning',
          )
        : notice('Private individuals are hidden, as on the published notes.'),
      form(
        'Quarterly return',
        (submitter) => {
          errors.clear();
          void errors.run(submitter, async () => {
            const { name, csv } = await fetchReturn();
            replace(preview, previewTable(name, csvRows(csv)));
            if (submitter?.value === 'download') {
              save(csv, `${name}.csv`);
              announce(`The return for ${name} is downloading.`);
            } else announce(`The return for ${name} is shown below.`);
          });
        },
        chosen.group,
        h(
          'div',
          { class: 'button-group' },
          Object.assign(button('Download CSV'), { value: 'download' }),
          Object.assign(button('Show preview', { kind: 'secondary' }), { value: 'preview' }),
        ),
      ),
      preview,
    ],
  };
};
