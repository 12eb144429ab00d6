import { addDays, type CalendarDate, longDate, officeDate } from '../dates.ts';
import { escapeHtml } from '../mail/templates/html.ts';
import { addWorkingDays, type HolidayCalendar } from '../workflow/deadlines.ts';
import type { RequestRecord } from '../workflow/records.ts';
import type { Stage } from '../workflow/stages.ts';
import { type Letter, publicCopy, publisherOf } from './public-copy.ts';
import {
  parseQuarter,
  previousQuarter,
  type Quarter,
  quarterDays,
  quarterName,
  quarterOf,
} from './quarters.ts';
import { redactionReady } from './redaction.ts';
import { csvCell, meetingPath, page, type Site } from './render.ts';

export * from './quarters.ts';

/*
 * The quarterly transparency return: every external meeting held in a quarter, one row per
 * organisation met, in the Cabinet Office's column order (office-holder, date, name of
 * organisation or individual, purpose of meeting) and then postroom's own (reference, the
 * note's and the letter's addresses once published). Every text comes through the same
 * public copy as the published pages (publicCopy), so the return can never say more than
 * the notes do.
 */

/**
 * The stages of a request whose meeting took place: recorded as held and on from there.
 * `closed` is reached only after the meeting (before it, closing is a withdrawal);
 * `withdrawn` and `declined` never met.
 */
export const heldStages: readonly Stage[] = [
  'held',
  'drafting',
  'in_review',
  'approved',
  'published',
  'closed',
];

/** When the meeting started: as the note records it when it does, else as scheduled. */
export const meetingOf = (request: Pick<RequestRecord, 'meeting' | 'draft'>) =>
  request.draft?.meeting ?? request.meeting;

/** Whether the request's meeting was held in the quarter, on the office's calendar. */
export function heldIn(request: RequestRecord, quarter: Quarter, timeZone: string): boolean {
  const start = meetingOf(request)?.start;
  if (!start || !heldStages.includes(request.stage)) return false;
  const day = officeDate(new Date(start), timeZone);
  const { first, last } = quarterDays(quarter);
  return day >= first && day <= last;
}

/** The day a quarter's return is due on the public site: N working days after it ends. */
export const returnDueOn = (quarter: Quarter, workingDays: number, calendar: HolidayCalendar) =>
  addWorkingDays(quarterDays(quarter).last, workingDays, calendar);

/** The latest quarter whose return is due by `today` (an office date). */
export function latestDueQuarter(
  today: CalendarDate,
  workingDays: number,
  calendar: HolidayCalendar,
): Quarter {
  let quarter = previousQuarter(quarterOf(today));
  while (returnDueOn(quarter, workingDays, calendar) > today) quarter = previousQuarter(quarter);
  return quarter;
}

export interface ReturnRow {
  officeHolder: string;
  /** The meeting's office date, YYYY-MM-DD. */
  date: CalendarDate;
  /** The organisation met, or the individual when no organisation was. */
  name: string;
  purpose: string;
  reference: string;
  /** The published note's and letter's addresses; blank until the note is published. */
  noteUrl: string;
  letterUrl: string;
}

/** A held meeting with what its public copy is made from. */
export interface HeldMeeting {
  request: RequestRecord;
  letter: Letter;
}

export interface ReturnOptions {
  /** OFFICE_HOLDER: who met them unless the meeting names someone else. */
  officeHolder: string;
  /**
   * The staff copy for an admin: private individuals named. Everything else (organisations,
   * purposes, the office-holder) is as the public copy has it.
   */
  namePrivateIndividuals?: boolean;
}

/**
 * One meeting's rows: one per organisation, or one naming the individual met. The purpose
 * is the published note's Purpose section, else the subject.
 */
export function meetingRows(
  { request, letter }: HeldMeeting,
  site: Site,
  options: ReturnOptions,
  now: Date,
): ReturnRow[] {
  const published = publisherOf(request, letter);
  const onSite = request.stage === 'published';
  // A note not yet published (a draft, one in review, one approved under embargo, one a
  // closing kept back) has said nothing in public: its purpose is not taken from it, so
  // the return cannot publish it early. The subject stands in, as for a meeting with no
  // note.
  const source =
    onSite || !request.draft ? request : { ...request, draft: { ...request.draft, body: '' } };
  const copy = publicCopy(source, letter, site, now);
  const path = `${site.baseUrl}${meetingPath(copy)}`;
  const row = {
    officeHolder: published(meetingOf(request)?.officeHolder ?? options.officeHolder),
    date: officeDate(new Date(copy.start), site.timeZone),
    purpose: copy.purposeSummary,
    reference: request.reference,
    noteUrl: onSite ? path : '',
    letterUrl: onSite ? `${path}letter.html` : '',
  };
  if (copy.organisations.length) return copy.organisations.map((name) => ({ ...row, name }));
  // With no organisation the meeting was with the person who wrote: a private
  // individual's name is hidden exactly as on the note, unless an admin asks for it.
  const name = options.namePrivateIndividuals
    ? request.sender.name
    : published(request.sender.name);
  return [{ ...row, name }];
}

/** The whole return: by date, then reference; a meeting's organisations in its own order. */
export function returnRows(
  meetings: readonly HeldMeeting[],
  site: Site,
  options: ReturnOptions,
  now: Date,
): ReturnRow[] {
  const ordered = [...meetings].sort((a, b) => {
    const [dayA, dayB] = [a, b].map(({ request }) =>
      officeDate(new Date(meetingOf(request)?.start ?? request.receivedAt), site.timeZone),
    );
    return (
      (dayA as string).localeCompare(dayB as string) ||
      a.request.reference.localeCompare(b.request.reference)
    );
  });
  return ordered.flatMap((meeting) => meetingRows(meeting, site, options, now));
}

/** The column headings, in the Cabinet Office's order and then postroom's. */
export const RETURN_COLUMNS = [
  'Office-holder',
  'Date',
  'Name of organisation or individual',
  'Purpose of meeting',
  'Reference',
  'Note URL',
  'Letter URL',
] as const;

const cellsOf = (row: ReturnRow) => [
  row.officeHolder,
  row.date,
  row.name,
  row.purpose,
  row.reference,
  row.noteUrl,
  row.letterUrl,
];

/** The return as CSV: CRLF lines, every cell quoted, formulas neutralised as the registers do. */
export function renderReturnCsv(rows: readonly ReturnRow[]): string {
  const lines = [RETURN_COLUMNS, ...rows.map(cellsOf)].map((cells) => cells.map(csvCell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** Where a quarter's return lives on the public site. */
export const returnPaths = (quarter: Quarter) => ({
  csv: `returns/${quarterName(quarter)}.csv`,
  page: `returns/${quarterName(quarter)}/index.html`,
});
export const RETURNS_INDEX = 'returns/index.html';

const quarterWords = (quarter: Quarter) => {
  const { first, last } = quarterDays(quarter);
  const month = (date: string) =>
    new Date(`${date}T12:00:00Z`).toLocaleDateString('en-GB', { month: 'long', timeZone: 'UTC' });
  return `${month(first)} to ${month(last)} ${quarter.year}`;
};

/** The return as a page: a real table, with its caption and headers, and the CSV beside it. */
export function renderReturnPage(
  quarter: Quarter,
  rows: readonly ReturnRow[],
  site: Site,
  publishedAt: string,
): string {
  const name = quarterName(quarter);
  const title = `Meetings with outside organisations, ${quarterWords(quarter)}`;
  const link = (href: string, text: string) =>
    href ? `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>` : '';
  const body = rows.length
    ? `<table>
<caption>Meetings held from ${escapeHtml(longDate(`${quarterDays(quarter).first}T12:00:00Z`, 'UTC'))} to ${escapeHtml(longDate(`${quarterDays(quarter).last}T12:00:00Z`, 'UTC'))}, one row for each organisation met</caption>
<thead><tr>${RETURN_COLUMNS.slice(0, 5)
        .map((column) => `<th scope="col">${escapeHtml(column)}</th>`)
        .join('')}<th scope="col">Published note</th></tr></thead>
<tbody>
${rows
  .map(
    (row) =>
      `<tr><td>${escapeHtml(row.officeHolder)}</td><td><time datetime="${escapeHtml(row.date)}">${escapeHtml(longDate(`${row.date}T12:00:00Z`, 'UTC'))}</time></td><td>${escapeHtml(row.name)}</td><td>${escapeHtml(row.purpose)}</td><td>${escapeHtml(row.reference)}</td><td>${row.noteUrl ? `${link(row.noteUrl, 'Note')}, ${link(row.letterUrl, 'letter')}` : 'Not yet published'}</td></tr>`,
  )
  .join('\n')}
</tbody>
</table>`
    : '<p>No meetings with outside organisations were held in this quarter.</p>';
  return page(
    site,
    title,
    `<h1>${escapeHtml(title)}</h1>
<p>The office's return of its external meetings for ${escapeHtml(name)}, published on <time datetime="${escapeHtml(publishedAt)}">${escapeHtml(longDate(publishedAt, site.timeZone))}</time>. Private individuals are not named.</p>
<p><a href="../${escapeHtml(name)}.csv">Download this return as CSV</a> · <a href="../">All quarterly returns</a></p>
${body}`,
    2,
  );
}

/** A return on the public site: its quarter and when it was first published. */
export interface PublishedReturn {
  quarter: string;
  publishedAt: string;
  /**
   * The references its rows name, as last written: a correction that moves a meeting to
   * another quarter must take it out of the return it was in. Absent in returns written
   * before this was kept; those are rewritten only for meetings now in their quarter.
   */
  references?: string[];
}

/** /returns/: every return published, newest first. */
export function renderReturnsIndex(returns: readonly PublishedReturn[], site: Site): string {
  const items = returns
    .map(({ quarter: name }) => {
      const quarter = parseQuarter(name);
      const words = quarter ? quarterWords(quarter) : name;
      return `<li><a href="${escapeHtml(name)}/">${escapeHtml(words)}</a> (<a href="${escapeHtml(name)}.csv">CSV<span class="skip"> for ${escapeHtml(words)}</span></a>)</li>`;
    })
    .join('\n');
  return page(
    site,
    'Quarterly returns of meetings',
    `<h1>Quarterly returns of meetings</h1>
<p>Each quarter the office publishes a return of every meeting it held with outside organisations and individuals, a set number of working days after the quarter ends.</p>
${items ? `<ul>\n${items}\n</ul>` : '<p>No returns have been published yet.</p>'}`,
    1,
  );
}

/** What making a return reads: the meetings around a quarter, and each one's letter. */
export interface ReturnPorts {
  /**
   * Requests in a held stage (heldStages) whose meeting starts around these office dates:
   * a superset, from the stage index; quarterReturn keeps exactly the quarter's.
   */
  heldAround(from: CalendarDate, to: CalendarDate): Promise<RequestRecord[]>;
  /** The letter, as publication reads it; its text may be left empty (the return shows none). */
  letter(request: RequestRecord): Promise<Letter>;
}

/** The return for a quarter, read from the table and the letters, as rows. */
export async function quarterReturn(
  quarter: Quarter,
  ports: ReturnPorts,
  site: Site,
  options: ReturnOptions,
  now: Date,
): Promise<ReturnRow[]> {
  const { first, last } = quarterDays(quarter);
  // A day either side: stored starts carry any offset, the quarter is the office's.
  const candidates = await ports.heldAround(addDays(first, -2), addDays(last, 2));
  const held = candidates.filter((request) => heldIn(request, quarter, site.timeZone));
  const meetings: HeldMeeting[] = [];
  // A few letters at a time: each is a read of the table and two of the bucket.
  for (let start = 0; start < held.length; start += 8) {
    const batch = held.slice(start, start + 8);
    meetings.push(
      ...(await Promise.all(
        batch.map(async (request) => {
          await redactionReady(request.redactions);
          return { request, letter: await ports.letter(request) };
        }),
      )),
    );
  }
  return returnRows(meetings, site, options, now);
}
