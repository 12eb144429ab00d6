import MarkdownIt from 'markdown-it';
import footnote from 'markdown-it-footnote';
import { clockTime, longDate, officeDate } from '../dates.ts';
import { escapeHtml } from '../mail/templates/html.ts';

/**
 * The public transparency pages: static, accessible HTML (WCAG 2.2 AA: landmarks, a skip
 * link, one h1, real lists and tables, visible focus, 4.5:1 contrast), an Atom feed and
 * an open-data register. Every value from a letter or a person is escaped; Markdown is
 * rendered with raw HTML off, so a letter carrying <script> publishes as text.
 */
declare const redacted: unique symbol;

/**
 * Text that has been through redaction: only shared/publication/public-copy.ts makes it,
 * and every text a renderer prints is of this type, so a field that did not pass through
 * redaction does not compile into a page, the feed or a register.
 */
export type PublicText = string & { readonly [redacted]: true };

export interface PublishedAttendee {
  name: PublicText;
  role: PublicText;
  organisation: PublicText;
  host: boolean;
  invitedGuest: boolean;
}

/**
 * A meeting as the public sees it. Texts are PublicText; the rest is made by postroom
 * itself: the reference, ISO times, and addresses of its own pages.
 */
export interface PublishedMeeting {
  reference: string;
  title: PublicText;
  start: string;
  end: string;
  location: PublicText;
  organisations: PublicText[];
  attendees: PublishedAttendee[];
  purposeSummary: PublicText;
  noteMarkdown: PublicText;
  letterText: PublicText;
  letterDate: string;
  attachments: Array<{ filename: PublicText; href: string }>;
  publishedAt: string;
  corrections: Array<{ at: string; note: PublicText }>;
}

export interface Site {
  officeName: string;
  /** Absolute base URL of the public site, ending in a slash. */
  baseUrl: string;
  /** OFFICE_TIMEZONE: meetings are dated and timed on the office's clock. */
  timeZone: string;
}

const markdown = new MarkdownIt({ html: false, linkify: true, typographer: true }).use(footnote);

export const meetingPath = (meeting: Pick<PublishedMeeting, 'reference' | 'start'>) =>
  `meetings/${meeting.start.slice(0, 4)}/${meeting.reference.toLowerCase()}/`;

/**
 * What the public pages may load: their own inline styles and images, and scripts and
 * data from the site itself (the search page's script and its index files), never inline
 * and never from anywhere else; forms submit only to the site (the search box).
 * CloudFront sends it on AWS; the local site sends the same.
 */
export const siteContentSecurityPolicy =
  "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const styles = `
body{font-family:Arial,Helvetica,sans-serif;font-size:1.1875rem;line-height:1.5;color:#0b0c0c;background:#fff;margin:0}
main,header .inner,footer .inner{max-width:46em;margin:0 auto;padding:0 1rem}
header,footer{background:#0b0c0c;color:#fff}header a,footer a{color:#fff}
a{color:#1d70b8}a:visited{color:#4c2c92}a:focus{outline:3px solid #fd0;background:#fd0;color:#0b0c0c}
.skip{position:absolute;left:-999em}.skip:focus{left:1rem;top:1rem;position:absolute}
table{border-collapse:collapse;width:100%}th,td{text-align:left;border-bottom:1px solid #b1b4b6;padding:.5rem .5rem .5rem 0;vertical-align:top}
.notice{border-left:5px solid #1d70b8;padding:.5rem 1rem;background:#f3f2f1}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dl.meta dt{font-weight:bold}`;

/**
 * One public page (the meeting pages, and the quarterly returns'). Links are relative (`depth` folders below the root), so the site works
 * under any address; a page served at any address (the 404 page) passes the absolute root.
 */
export function page(
  site: Pick<Site, 'officeName'>,
  title: string,
  body: string,
  depth: number | { root: string },
): string {
  const root = escapeHtml(typeof depth === 'number' ? '../'.repeat(depth) || './' : depth.root);
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} - ${escapeHtml(site.officeName)}</title>
<link rel="alternate" type="application/atom+xml" title="Meetings" href="${root}feed.xml">
<style>${styles}</style>
</head>
<body>
<a class="skip" href="#content">Skip to main content</a>
<header><div class="inner"><p><a href="${root}">${escapeHtml(site.officeName)}: meetings with outside organisations</a></p></div></header>
<main id="content">
${body}
</main>
<footer><div class="inner"><p>Published under the office's transparency commitments. <a href="${root}register.csv">Register (CSV)</a> · <a href="${root}register.json">Register (JSON)</a> · <a href="${root}feed.xml">Atom feed</a> · <a href="${root}returns/">Quarterly returns</a></p></div></footer>
</body>
</html>
`;
}

function attendeeTable(attendees: PublishedAttendee[]): string {
  const rows = attendees
    .map((attendee) => {
      const marks = [attendee.host ? 'host' : '', attendee.invitedGuest ? 'invited guest' : '']
        .filter(Boolean)
        .join(', ');
      return `<tr><td>${escapeHtml(attendee.name)}</td><td>${escapeHtml(attendee.role)}</td><td>${escapeHtml(attendee.organisation)}</td><td>${escapeHtml(marks)}</td></tr>`;
    })
    .join('\n');
  return `<table>
<caption>In attendance</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Organisation</th><th scope="col">Attending as</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}

/**
 * How long CloudFront (and browsers) may keep a public object. Without it CloudFront keeps
 * pages a day, so a new note would be missing from the index, and a withdrawn one still
 * shown, for hours. Five minutes bounds both.
 */
export const PUBLIC_CACHE_CONTROL = 'public, max-age=300';

/** Where the not-found page lives in the public bucket. */
export const NOT_FOUND_PAGE = '404.html';

/**
 * What CloudFront (and the local site) answer for an address with nothing there: a mistyped
 * link, or a note taken down. Served at the wrong address, so its links are absolute. It
 * shows no dates, so the stack can write it before any function has the office's settings.
 */
export function renderNotFoundPage(site: Pick<Site, 'officeName' | 'baseUrl'>): string {
  return page(
    site,
    'Page not found',
    `<h1>Page not found</h1>
<p>There is nothing at this address. If you typed it, check it is correct. If you followed a link to a meeting note, the note may have been withdrawn.</p>
<p><a href="${escapeHtml(site.baseUrl)}">See all published meetings</a>, or the <a href="${escapeHtml(site.baseUrl)}register.csv">register of meetings</a>.</p>`,
    { root: site.baseUrl },
  );
}

/** The letter's published attachments; both pages sit beside the attachments/ folder. */
function attachmentList(meeting: PublishedMeeting): string {
  return meeting.attachments.length
    ? `<ul>${meeting.attachments.map((a) => `<li><a href="${escapeHtml(a.href)}">${escapeHtml(a.filename)}</a></li>`).join('')}</ul>`
    : '';
}

export function renderMeetingPage(meeting: PublishedMeeting, site: Site): string {
  const corrections = meeting.corrections
    .map(
      (correction) =>
        `<p class="notice"><strong>Corrected on ${escapeHtml(longDate(correction.at, site.timeZone))}:</strong> ${escapeHtml(correction.note)}</p>`,
    )
    .join('\n');
  const attachments = attachmentList(meeting);
  const body = `<h1>${escapeHtml(meeting.title)}</h1>
${corrections}
<dl class="meta">
<dt>Reference</dt><dd>${escapeHtml(meeting.reference)}</dd>
<dt>Date</dt><dd><time datetime="${escapeHtml(meeting.start)}">${escapeHtml(longDate(meeting.start, site.timeZone))}</time></dd>
<dt>Time</dt><dd>${escapeHtml(clockTime(meeting.start, site.timeZone))} to ${escapeHtml(clockTime(meeting.end, site.timeZone))}</dd>
<dt>Place</dt><dd>${escapeHtml(meeting.location)}</dd>
<dt>Organisations</dt><dd>${escapeHtml(meeting.organisations.join(', '))}</dd>
<dt>Published</dt><dd><time datetime="${escapeHtml(meeting.publishedAt)}">${escapeHtml(longDate(meeting.publishedAt, site.timeZone))}</time></dd>
</dl>
${attendeeTable(meeting.attendees)}
<section aria-labelledby="note-heading">
<h2 id="note-heading">Note of the meeting</h2>
${markdown.render(meeting.noteMarkdown)}
</section>
<section aria-labelledby="letter-heading">
<h2 id="letter-heading">The letter requesting the meeting</h2>
<p><a href="letter.html">Read the letter of ${escapeHtml(longDate(meeting.letterDate, site.timeZone))}</a></p>
${attachments}
</section>`;
  return page(site, meeting.title, body, 3);
}

export function renderLetterPage(meeting: PublishedMeeting, site: Site): string {
  const paragraphs = meeting.letterText
    .split(/\r?\n\s*\r?\n/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean)
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\r?\n/g, '<br>')}</p>`)
    .join('\n');
  const title = `Letter of ${longDate(meeting.letterDate, site.timeZone)} requesting the meeting (${meeting.reference})`;
  return page(
    site,
    title,
    `<h1>${escapeHtml(title)}</h1>\n<p><a href="./">Back to the note of the meeting</a></p>\n${paragraphs}${
      // The letter itself is often the attachment: offer it here too, not only on the note.
      meeting.attachments.length
        ? `\n<h2>Enclosed with the letter</h2>\n${attachmentList(meeting)}`
        : ''
    }`,
    3,
  );
}

/** One line of a listing: the meeting's title, date and organisations. */
function meetingList(meetings: readonly PublishedMeeting[], site: Site, root: string): string {
  return `<ul>
${meetings
  .map(
    (meeting) =>
      `<li><a href="${root}${meetingPath(meeting)}">${escapeHtml(meeting.title)}</a>, <time datetime="${escapeHtml(meeting.start)}">${escapeHtml(longDate(meeting.start, site.timeZone))}</time>: ${escapeHtml(meeting.organisations.join(', '))}</li>`,
  )
  .join('\n')}
</ul>`;
}

/** The other years' archives, for the foot of a year's pages. */
function yearsNav(year: string, years: readonly string[], root: string): string {
  const others = years
    .map((y) =>
      y === year
        ? `<li aria-current="page">${y}</li>`
        : `<li><a href="${root}years/${y}/">${y}</a></li>`,
    )
    .join('');
  return `<nav aria-label="Years"><ul>${others}</ul></nav>`;
}

/**
 * A year's archive at /years/<yyyy>/. A year of one part lists its meetings, newest first;
 * a larger year lists its parts (shared/publication/listings.ts), each a range of dates.
 */
export function renderYearPage(
  meetings: PublishedMeeting[],
  site: Site,
  year: string,
  years: string[],
): string {
  const body = `<h1>Meetings in ${year}</h1>\n${meetingList(meetings, site, '../../')}\n${yearsNav(year, years, '../../')}`;
  return page(site, `Meetings in ${year}`, body, 2);
}

/** A part of a year's archive: from its first date to its last. */
export interface PartRange {
  id: number;
  /** ISO starts of its oldest and newest meetings. */
  from: string;
  to: string;
}

const rangeText = (part: PartRange, site: Site) => {
  const from = longDate(part.from, site.timeZone);
  const to = longDate(part.to, site.timeZone);
  return from === to ? from : `${from} to ${to}`;
};

/** A year too large for one page: its parts, newest first, each linking to its page. */
export function renderYearParts(
  parts: readonly PartRange[],
  site: Site,
  year: string,
  years: string[],
): string {
  const list = [...parts]
    .reverse()
    .map((part) => `<li><a href="${part.id}/">${escapeHtml(rangeText(part, site))}</a></li>`)
    .join('\n');
  const body = `<h1>Meetings in ${year}</h1>\n<p>The year's meetings, in parts by date.</p>\n<ul>\n${list}\n</ul>\n${yearsNav(year, years, '../../')}`;
  return page(site, `Meetings in ${year}`, body, 2);
}

/** One part's page, /years/<yyyy>/<id>/: its meetings, newest first. */
export function renderPartPage(
  meetings: PublishedMeeting[],
  site: Site,
  year: string,
  part: PartRange,
): string {
  const title = `Meetings from ${rangeText(part, site)}`;
  const body = `<h1>${escapeHtml(title)}</h1>\n${meetingList(meetings, site, '../../../')}\n<p><a href="../">All meetings in ${year}</a></p>`;
  return page(site, title, body, 3);
}

/** The index: newest first, grouped by year, paged. Page 1 is /, page n is /page/n/. */
export function renderIndexPage(
  meetings: PublishedMeeting[],
  site: Site,
  pageNumber: number,
  pageCount: number,
  years: string[] = [],
): string {
  const byYear = new Map<string, PublishedMeeting[]>();
  for (const meeting of meetings)
    byYear.set(meeting.start.slice(0, 4), [
      ...(byYear.get(meeting.start.slice(0, 4)) ?? []),
      meeting,
    ]);
  const depth = pageNumber === 1 ? 0 : 2;
  const root = '../'.repeat(depth);
  const sections = [...byYear.entries()]
    .map(([year, list]) => `<h2>${year}</h2>\n${meetingList(list, site, root)}`)
    .join('\n');
  const pageLink = (n: number) => (n === 1 ? `${root}` : `${root}page/${n}/`);
  const nav =
    pageCount > 1
      ? `<nav aria-label="Pages"><ul>${pageNumber > 1 ? `<li><a href="${pageLink(pageNumber - 1)}" rel="prev">Newer meetings</a></li>` : ''}${pageNumber < pageCount ? `<li><a href="${pageLink(pageNumber + 1)}" rel="next">Older meetings</a></li>` : ''}</ul><p>Page ${pageNumber} of ${pageCount}</p></nav>`
      : '';
  const archive = years.length
    ? `<nav aria-label="Archive by year"><h2>All meetings by year</h2><ul>${years.map((y) => `<li><a href="${root}years/${y}/">${y}</a></li>`).join('')}</ul></nav>`
    : '';
  const body = `<h1>Meetings with outside organisations</h1>
${searchBox(root)}
${sections || '<p>No meetings have been published yet.</p>'}
${nav}
${archive}`;
  return page(site, pageNumber === 1 ? 'Meetings' : `Meetings, page ${pageNumber}`, body, depth);
}

/**
 * The /search/ page: a GET form (so the index page's box lands here with ?q=), a live
 * region for the count, and a list the script fills. Without JavaScript it says where
 * else to look.
 */
export function renderSearchPage(site: Pick<Site, 'officeName'>): string {
  const body = `<h1>Search published meetings</h1>
<form role="search" action="./" method="get">
<label for="search-words">Words to search for</label>
<input id="search-words" name="q" type="search" maxlength="200" autocomplete="off">
<button type="submit">Search</button>
</form>
<p id="search-status" role="status" aria-live="polite"></p>
<ol id="search-results"></ol>
<noscript><p>Search needs JavaScript in your browser. Without it, every published meeting is listed by year on the <a href="../">list of meetings</a>, and in the <a href="../register.csv">register (CSV)</a>.</p></noscript>
<script src="search.js" defer></script>`;
  return page(site, 'Search published meetings', body, 1);
}

/** The search box on the index page: a plain GET form to /search/. */
function searchBox(root: string): string {
  return `<form role="search" action="${escapeHtml(root)}search/" method="get">
<label for="site-search">Search published meetings</label>
<input id="site-search" name="q" type="search" maxlength="200">
<button type="submit">Search</button>
</form>`;
}

const xml = (value: string) => escapeHtml(value);

/**
 * What the feed shows of a meeting. The feed keeps no state of its own: the next
 * publication reads its entries back from feed.xml (feedEntriesOf), so one publication
 * writes the feed once, not the feed and a copy of it.
 */
export interface FeedEntry {
  reference: string;
  /** The meeting page's path from the site's root (meetingPath). */
  path: string;
  title: string;
  purposeSummary: string;
  /** When it was first published, and when it last changed (its latest correction). */
  publishedAt: string;
  updated: string;
}

/**
 * An Atom date to the second: what the feed writes and reads back, so that entries read
 * from it and entries made now sort alike.
 */
const toSecond = (iso: string) => iso.replace(/\.\d+Z$/, 'Z');

export const feedEntry = (meeting: PublishedMeeting): FeedEntry => ({
  reference: meeting.reference,
  path: meetingPath(meeting),
  title: meeting.title,
  purposeSummary: meeting.purposeSummary,
  publishedAt: toSecond(meeting.publishedAt),
  updated: toSecond(meeting.corrections.at(-1)?.at ?? meeting.publishedAt),
});

/**
 * The feed: compact, since it is rewritten whole by each publication. Links are relative
 * to the feed's xml:base (the site's address); `published` is written only where a
 * correction made it differ from `updated`, which a reader otherwise takes for both.
 */
export function renderFeed(meetings: readonly FeedEntry[], site: Site): string {
  // The feed changed when its newest entry did: a publication or a correction.
  const updated =
    meetings
      .map((meeting) => meeting.updated)
      .sort()
      .at(-1) ?? '1970-01-01T00:00:00Z';
  const entries = meetings
    .map(
      (meeting) =>
        `<entry><id>${xml(`${site.baseUrl}${meeting.path}`)}</id><title>${xml(meeting.title)}</title><link href="${xml(meeting.path)}"/><updated>${meeting.updated}</updated>${meeting.publishedAt === meeting.updated ? '' : `<published>${meeting.publishedAt}</published>`}<summary>${xml(meeting.purposeSummary)}</summary></entry>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="${xml(site.baseUrl)}">
<id>${xml(site.baseUrl)}</id>
<title>${xml(`${site.officeName}: meetings`)}</title>
<link rel="self" href="${xml(`${site.baseUrl}feed.xml`)}"/>
<updated>${updated}</updated>
<author><name>${xml(site.officeName)}</name></author>
${entries}
</feed>
`;
}

const unescapeXml = (value: string) =>
  value.replace(/&(amp|lt|gt|quot|#39);/g, (_, name: string) => XML_ENTITIES[name] as string);
const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };

/** Each element an entry is read back from, made once rather than per entry read. */
const feedFields = ['id', 'title', 'updated', 'published', 'summary'] as const;
type FeedField = (typeof feedFields)[number];
const FEED_FIELDS = Object.fromEntries(
  feedFields.map((name) => [name, new RegExp(`<${name}>([^<]*)</${name}>`)]),
) as Record<FeedField, RegExp>;

/**
 * The entries of a feed renderFeed wrote (or postroom wrote before it was compacted: every
 * `published`, dates to the millisecond, absolute links), so that a publication can change
 * the feed without keeping a copy of it. Undefined when the text is not such a feed, and
 * the caller rebuilds it from the site's listings.
 */
export function feedEntriesOf(text: string): FeedEntry[] | undefined {
  if (!text.includes('<feed xmlns="http://www.w3.org/2005/Atom"')) return undefined;
  const entries: FeedEntry[] = [];
  for (const [, body = ''] of text.matchAll(/<entry>([\s\S]*?)<\/entry>/g)) {
    const field = (name: FeedField) => body.match(FEED_FIELDS[name])?.[1];
    const path = field('id')?.match(/(meetings\/\d{4}\/([^/]+)\/)$/);
    const title = field('title');
    const updated = field('updated');
    const summary = field('summary');
    if (!path?.[1] || !path[2] || title === undefined || !updated || summary === undefined)
      return undefined;
    entries.push({
      // meetingPath lowercases the reference; references are made upper case (REQ-2026-0042).
      reference: unescapeXml(path[2]).toUpperCase(),
      path: unescapeXml(path[1]),
      title: unescapeXml(title),
      purposeSummary: unescapeXml(summary),
      publishedAt: toSecond(field('published') ?? updated),
      updated: toSecond(updated),
    });
  }
  return entries;
}

/** One row per published meeting: the open-data register. */
export function registerRows(meetings: PublishedMeeting[], site: Site) {
  return meetings.map((meeting) => ({
    reference: meeting.reference,
    date: officeDate(new Date(meeting.start), site.timeZone),
    organisations: meeting.organisations,
    attendees: meeting.attendees.map((a) => `${a.name} (${a.role}, ${a.organisation})`),
    purposeSummary: meeting.purposeSummary,
    pageUrl: `${site.baseUrl}${meetingPath(meeting)}`,
    letterUrl: `${site.baseUrl}${meetingPath(meeting)}letter.html`,
  }));
}

/** One CSV cell, quoted; the registers and the quarterly returns write every cell so. */
export function csvCell(value: string): string {
  // A leading =, +, - or @ would run as a formula in a spreadsheet.
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return `"${safe.replace(/"/g, '""')}"`;
}

export function renderRegisterCsv(meetings: PublishedMeeting[], site: Site): string {
  const header = [
    'reference',
    'date',
    'organisations',
    'attendees',
    'purpose_summary',
    'page_url',
    'letter_url',
  ];
  const rows = registerRows(meetings, site).map((row) =>
    [
      row.reference,
      row.date,
      row.organisations.join('; '),
      row.attendees.join('; '),
      row.purposeSummary,
      row.pageUrl,
      row.letterUrl,
    ]
      .map(csvCell)
      .join(','),
  );
  return `${[header.join(','), ...rows].join('\r\n')}\r\n`;
}

export function renderRegisterJson(meetings: PublishedMeeting[], site: Site): string {
  return `${JSON.stringify({ publisher: site.officeName, meetings: registerRows(meetings, site) }, null, 2)}\n`;
}
