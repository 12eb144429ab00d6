import type { Actor } from '../workflow/act.ts';
import type { RequestRecord } from '../workflow/records.ts';
import { type RedactionDecisions, redact } from './redaction.ts';
import {
  meetingPath,
  type PublishedMeeting,
  renderFeed,
  renderIndexPage,
  renderLetterPage,
  renderMeetingPage,
  renderRegisterCsv,
  renderRegisterJson,
  renderYearPage,
  type Site,
} from './render.ts';

/** What publication reads and writes; the AWS adapters supply it. */
export interface PublishPorts {
  getRequest(id: string): Promise<RequestRecord | undefined>;
  /** The text of the letter that opened the request, and when it came. */
  letter(request: RequestRecord): Promise<{ text: string; at: string }>;
  /** The published meetings, as the last publication left them (the site's manifest). */
  readManifest(): Promise<PublishedMeeting[]>;
  writeManifest(meetings: PublishedMeeting[]): Promise<void>;
  writePublic(key: string, body: string, contentType: string): Promise<void>;
  /** Moves the request to published with its audit event; false if it is no longer approved. */
  markPublished(
    request: RequestRecord,
    fields: { pageUrl: string; noteVersion: number },
  ): Promise<boolean>;
}

export const PUBLISHER: Actor = {
  id: 'system:publish',
  email: 'system:publish',
  name: 'Automatic publication',
  roles: ['admin'],
};
export const INDEX_SIZE = 50;

const noDecisions: RedactionDecisions = { reinstated: [], texts: [], patterns: [] };

function purposeOf(markdown: string, fallback: string): string {
  const section = markdown.split(/^##\s+/m).find((part) => /^purpose\b/i.test(part));
  const paragraph = section
    ?.split('\n')
    .slice(1)
    .join('\n')
    .trim()
    .split(/\n\s*\n/)[0]
    ?.replace(/\[\^\w+\]/g, '');
  return (paragraph || fallback).replace(/\s+/g, ' ').slice(0, 500);
}

/** What goes public for one approved request: the note and the letter, redacted. */
export function publicCopy(
  request: RequestRecord,
  letter: { text: string; at: string },
  site: Site,
  now: Date,
): PublishedMeeting {
  const decisions = noDecisions;
  const note = redact(request.draft?.body ?? '', decisions).text;
  const attendees = (request.meeting?.attendees ?? []).map(
    ({ name, role, organisation, host, invitedGuest }) => ({
      name,
      role,
      organisation,
      host,
      invitedGuest,
    }),
  );
  const organisations = [
    ...new Set([request.organisation, ...attendees.map((a) => a.organisation)]),
  ].filter(
    (organisation): organisation is string =>
      Boolean(organisation) && organisation !== site.officeName,
  );
  return {
    reference: request.reference,
    title: request.draft?.title ?? request.subject,
    start: request.meeting?.start ?? request.receivedAt,
    end: request.meeting?.end ?? request.receivedAt,
    location: request.meeting?.location ?? '',
    organisations,
    attendees,
    purposeSummary: redact(purposeOf(note, request.subject), decisions).text,
    noteMarkdown: note,
    letterText: redact(letter.text, decisions).text,
    letterDate: letter.at,
    attachments: [],
    publishedAt: now.toISOString(),
    corrections: [],
  };
}

/**
 * Publishes an approved note: its own two pages, then the index, its year's archive, the
 * feed and the register — the same eight objects however large the site is. Keyed on
 * (request, note version): a replay rewrites the same bytes and moves nothing twice.
 */
export async function publish(requestId: string, ports: PublishPorts, site: Site, now: Date) {
  const request = await ports.getRequest(requestId);
  if (request?.stage !== 'approved' || !request.draft)
    return { published: false as const, reason: 'not approved' };
  if (request.publishAt && Date.parse(request.publishAt) > now.getTime()) {
    return { published: false as const, reason: `embargoed until ${request.publishAt}` };
  }
  const meeting = publicCopy(request, await ports.letter(request), site, now);
  const path = meetingPath(meeting);
  const manifest = (await ports.readManifest()).filter(
    (entry) => entry.reference !== meeting.reference,
  );
  const all = [meeting, ...manifest].sort((a, b) => b.start.localeCompare(a.start));
  const years = [...new Set(all.map((entry) => entry.start.slice(0, 4)))];
  const year = meeting.start.slice(0, 4);
  // Summaries only in the manifest: the note and letter live on their own pages.
  const summaries = all.map((entry) => ({ ...entry, noteMarkdown: '', letterText: '' }));

  await ports.writePublic(
    `${path}index.html`,
    renderMeetingPage(meeting, site),
    'text/html; charset=utf-8',
  );
  await ports.writePublic(
    `${path}letter.html`,
    renderLetterPage(meeting, site),
    'text/html; charset=utf-8',
  );
  await ports.writePublic(
    'index.html',
    renderIndexPage(summaries.slice(0, INDEX_SIZE), site, 1, 1, years),
    'text/html; charset=utf-8',
  );
  await ports.writePublic(
    `years/${year}/index.html`,
    renderYearPage(
      summaries.filter((entry) => entry.start.startsWith(year)),
      site,
      year,
      years,
    ),
    'text/html; charset=utf-8',
  );
  await ports.writePublic(
    'feed.xml',
    renderFeed(summaries, site),
    'application/atom+xml; charset=utf-8',
  );
  await ports.writePublic(
    'register.csv',
    renderRegisterCsv(summaries, site),
    'text/csv; charset=utf-8',
  );
  await ports.writePublic('register.json', renderRegisterJson(summaries, site), 'application/json');
  await ports.writeManifest(summaries);
  const pageUrl = `${site.baseUrl}${path}`;
  const moved = await ports.markPublished(request, { pageUrl, noteVersion: request.draft.version });
  return { published: true as const, pageUrl, moved, objectsWritten: 8 };
}

/** Approved notes whose embargo has passed, published by the sweep. */
export async function publishEmbargoed(
  approved: RequestRecord[],
  ports: PublishPorts,
  site: Site,
  now: Date,
): Promise<string[]> {
  const due = approved.filter(
    (request) => request.publishAt && Date.parse(request.publishAt) <= now.getTime(),
  );
  const published: string[] = [];
  for (const request of due) {
    const outcome = await publish(request.id, ports, site, now);
    if (outcome.published) published.push(request.reference);
  }
  return published;
}
