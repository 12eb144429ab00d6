import { type Actor, type ActRules, type PerformPorts, performAction } from '../workflow/act.ts';
import type { RequestRecord } from '../workflow/records.ts';
import { type Letter, publicCopy, publicFiles } from './public-copy.ts';
import {
  meetingPath,
  NOT_FOUND_PAGE,
  type PublicText,
  type PublishedMeeting,
  renderFeed,
  renderIndexPage,
  renderLetterPage,
  renderMeetingPage,
  renderNotFoundPage,
  renderRegisterCsv,
  renderRegisterJson,
  renderYearPage,
  type Site,
} from './render.ts';

/** What publication reads and writes; the AWS adapters supply it. */
export type { Letter } from './public-copy.ts';

export interface PublishPorts extends PerformPorts<never> {
  /** The letter that opened the request: its text, when it came, and its attachments. */
  letter(request: RequestRecord): Promise<Letter>;
  /** Copies a stored attachment to the public site. */
  copyToPublic(documentKey: string, publicKey: string, contentType: string): Promise<void>;
  /** The published meetings, as the last publication left them (the site's manifest). */
  readManifest(): Promise<PublishedMeeting[]>;
  writeManifest(meetings: PublishedMeeting[]): Promise<void>;
  writePublic(key: string, body: string, contentType: string): Promise<void>;
  deletePublic(key: string): Promise<void>;
  /**
   * Clears these paths from the cache in front of the public site (CloudFront on AWS;
   * nothing locally). `batch` names the change: the same batch twice clears once.
   */
  invalidate(paths: string[], batch: string): Promise<void>;
  /**
   * Runs `work` while no other publication or takedown runs: the shared pages and the
   * manifest are rewritten whole, so two at once could lose an entry.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
}

export const PUBLISHER: Actor = {
  id: 'system:publish',
  email: 'system:publish',
  name: 'Automatic publication',
  roles: ['system'],
};
export const INDEX_SIZE = 50;

/**
 * The shared pages every publication or takedown rewrites: always the same six objects,
 * then the manifest they were made from, so the next publication starts from what the
 * site shows.
 */
async function writeListings(
  summaries: PublishedMeeting[],
  touched: readonly string[],
  ports: PublishPorts,
  site: Site,
) {
  const years = [...new Set(summaries.map((entry) => entry.start.slice(0, 4)))];
  const html = 'text/html; charset=utf-8';
  await ports.writePublic(
    'index.html',
    renderIndexPage(summaries.slice(0, INDEX_SIZE), site, 1, 1, years),
    html,
  );
  // The year pages the change touched: one, or two when a correction moved the meeting.
  for (const year of new Set(touched)) {
    const ofYear = summaries.filter((entry) => entry.start.startsWith(year));
    await ports.writePublic(
      `years/${year}/index.html`,
      renderYearPage(ofYear, site, year, years),
      html,
    );
  }
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
  // Rewritten with the rest, so it follows the office name and the site's address.
  await ports.writePublic(NOT_FOUND_PAGE, renderNotFoundPage(site), html);
  await ports.writeManifest(summaries);
}

/**
 * What a cache may still hold of a meeting that changed or went: everything under its
 * address (pages and attachments, one wildcard), and the shared pages that listed it.
 */
export function pathsShowing(meetingPath: string, year: string): string[] {
  return [
    `/${meetingPath}*`,
    '/',
    '/index.html',
    `/years/${year}/*`,
    '/feed.xml',
    '/register.csv',
    '/register.json',
  ];
}

/**
 * Publishes an approved note: its own two pages, then the index, its year's archive, the
 * feed and the register — the same eight objects however large the site is. A replayed
 * approval finds the request already published and changes nothing. A correction
 * republishes at the same address, keeps the first publication date and adds a dated
 * notice.
 */
export async function publish(
  requestId: string,
  ports: PublishPorts,
  site: Site,
  rules: ActRules,
  now: Date,
) {
  const request = await ports.getRequest(requestId);
  if (request?.stage !== 'approved' || !request.draft)
    return { published: false as const, reason: 'not approved' };
  if (request.publishAt && Date.parse(request.publishAt) > now.getTime()) {
    return { published: false as const, reason: `embargoed until ${request.publishAt}` };
  }
  const letter = await ports.letter(request);
  const fresh = publicCopy(request, letter, site, now);
  // Read, changed and written under the site lease, so no concurrent publication is lost.
  const path = await ports.exclusive(async () => {
    const previous = await ports.readManifest();
    const first = previous.find((entry) => entry.reference === fresh.reference);
    const meeting = first ? { ...fresh, publishedAt: first.publishedAt } : fresh;
    const path = meetingPath(meeting);
    const others = previous.filter((entry) => entry.reference !== meeting.reference);
    // Summaries only in the manifest: the note and letter live on their own pages.
    const summaries = [meeting, ...others]
      .sort((a, b) => b.start.localeCompare(a.start))
      .map((entry) => ({ ...entry, noteMarkdown: '' as PublicText, letterText: '' as PublicText }));

    const html = 'text/html; charset=utf-8';
    await ports.writePublic(`${path}index.html`, renderMeetingPage(meeting, site), html);
    await ports.writePublic(`${path}letter.html`, renderLetterPage(meeting, site), html);
    for (const file of publicFiles(request, letter))
      await ports.copyToPublic(file.key, `${path}${file.href}`, file.contentType);
    // A correction that un-clears an attachment takes it off the site; one that moves the
    // meeting to another year (so another address) takes the old pages off too, before the
    // manifest forgets where they were.
    const oldPath = first ? meetingPath(first) : path;
    const kept = new Set(
      oldPath === path ? meeting.attachments.map((attachment) => attachment.href) : [],
    );
    for (const before of first?.attachments ?? []) {
      if (!kept.has(before.href)) await ports.deletePublic(`${oldPath}${before.href}`);
    }
    if (oldPath !== path) {
      await ports.deletePublic(`${oldPath}index.html`);
      await ports.deletePublic(`${oldPath}letter.html`);
    }
    const year = meeting.start.slice(0, 4);
    const oldYear = first?.start.slice(0, 4) ?? year;
    await writeListings(summaries, [year, oldYear], ports, site);
    // A correction replaces what readers may have cached (a new publication is not cached
    // yet, and the listings' five-minute lifetime is soon enough for it to appear). If
    // this fails the request is still approved, so the stream's retry publishes again and
    // asks again.
    if (first) {
      const batch = `${request.reference}:v${request.version}`;
      await ports.invalidate(pathsShowing(path, year), batch);
      if (oldPath !== path)
        await ports.invalidate(pathsShowing(oldPath, oldYear), `${batch}:moved`);
    }
    return path;
  });
  const pageUrl = `${site.baseUrl}${path}`;
  const noteVersion = request.draft.version;
  // Recorded as the system, through the same decision as any action; if the request is no
  // longer approved (taken back meanwhile), the pages stand and nothing is recorded.
  const recorded = await performAction(
    requestId,
    PUBLISHER,
    (current) =>
      current.stage === 'approved'
        ? { action: 'publish', expectedVersion: current.version, pageUrl, noteVersion }
        : { refusal: { code: 'conflict', message: `request is ${current.stage} now` } },
    ports,
    rules,
    now,
  );
  return { published: true as const, pageUrl, moved: recorded.ok, objectsWritten: 8 };
}

/**
 * Takes a published meeting down: its pages and its attachments go, and the index, year
 * page, feed and registers are rewritten without it. The request keeps its record and its
 * audit trail.
 */
export async function takeDown(requestId: string, ports: PublishPorts, site: Site) {
  const request = await ports.getRequest(requestId);
  return ports.exclusive(async () => {
    const previous = await ports.readManifest();
    const entry = previous.find((candidate) => candidate.reference === request?.reference);
    if (!request) return { removed: false as const };
    // The cache is asked to forget the meeting even when a first try removed it and then
    // failed to ask (the retry finds it gone): the same batch, which CloudFront runs once.
    const start = entry?.start ?? (request.draft?.meeting ?? request.meeting)?.start;
    const forget = () =>
      start
        ? ports.invalidate(
            pathsShowing(meetingPath({ reference: request.reference, start }), start.slice(0, 4)),
            `${request.reference}:v${request.version}`,
          )
        : Promise.resolve();
    if (!entry) {
      await forget();
      return { removed: false as const };
    }
    const path = meetingPath(entry);
    await ports.deletePublic(`${path}index.html`);
    await ports.deletePublic(`${path}letter.html`);
    for (const attachment of entry.attachments)
      await ports.deletePublic(`${path}${attachment.href}`);
    const remaining = previous.filter((candidate) => candidate.reference !== request.reference);
    await writeListings(remaining, [entry.start.slice(0, 4)], ports, site);
    // Gone from the cache too, now, not when the pages' cache lifetime runs out.
    await forget();
    return { removed: true as const, path };
  });
}

/** Approved notes whose embargo has passed, published by the sweep. */
export async function publishEmbargoed(
  approved: RequestRecord[],
  ports: PublishPorts,
  site: Site,
  rules: ActRules,
  now: Date,
): Promise<string[]> {
  const due = approved.filter(
    (request) => request.publishAt && Date.parse(request.publishAt) <= now.getTime(),
  );
  const published: string[] = [];
  for (const request of due) {
    const outcome = await publish(request.id, ports, site, rules, now);
    if (outcome.published) published.push(request.reference);
  }
  return published;
}
