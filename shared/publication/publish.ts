import { type Actor, type ActRules, type PerformPorts, performAction } from '../workflow/act.ts';
import type { RequestRecord } from '../workflow/records.ts';
import { yearOf } from './listings.ts';
import { type Letter, publicCopy, publicFiles } from './public-copy.ts';
import { redactionReady } from './redaction.ts';
import { meetingPath, renderLetterPage, renderMeetingPage, type Site } from './render.ts';
import { publishedSummary, type SitePorts, updateListings } from './site.ts';

/** What publication reads and writes; the AWS adapters supply it. */
export type { Letter } from './public-copy.ts';

export interface PublishPorts extends PerformPorts<never>, SitePorts {
  /** The letter that opened the request: its text, when it came, and its attachments. */
  letter(request: RequestRecord): Promise<Letter>;
  /** Copies a stored attachment to the public site. */
  copyToPublic(documentKey: string, publicKey: string, contentType: string): Promise<void>;
  /**
   * Clears these paths from the cache in front of the public site (CloudFront on AWS;
   * nothing locally). `batch` names the change: the same batch twice clears once.
   */
  invalidate(paths: string[], batch: string): Promise<void>;
  /**
   * Runs `work` while no other publication or takedown runs: the listings are read,
   * changed and written back, so two at once could lose an entry.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
}

export const PUBLISHER: Actor = {
  id: 'system:publish',
  email: 'system:publish',
  name: 'Automatic publication',
  roles: ['system'],
};

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
    `/registers/${year}.*`,
    // The public search's files of the year's parts (and its manifest, if a part went).
    `/search/${year}-*`,
    '/search/index.json',
  ];
}

/**
 * Publishes an approved note: its own two pages, then the listings that show it (its part
 * of the year's archive, the index if it is among the newest, the feed), a bounded number
 * of objects and bytes however large the site is (shared/publication/site.ts). A replayed
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
  await redactionReady(request.redactions);
  const fresh = publicCopy(request, letter, site, now);
  // Read, changed and written under the site lease, so no concurrent publication is lost.
  const path = await ports.exclusive(async () => {
    // Taken back (revoked, closed) while this waited for the lease: write nothing.
    const current = await ports.getRequest(requestId);
    if (current?.stage !== 'approved' || current.version !== request.version) return undefined;
    const first = await publishedSummary(ports, site, fresh.reference, now);
    const meeting = first ? { ...fresh, publishedAt: first.publishedAt } : fresh;
    const path = meetingPath(meeting);

    const html = 'text/html; charset=utf-8';
    await ports.writePublic(`${path}index.html`, renderMeetingPage(meeting, site), html);
    await ports.writePublic(`${path}letter.html`, renderLetterPage(meeting, site), html);
    for (const file of publicFiles(request, letter))
      await ports.copyToPublic(file.key, `${path}${file.href}`, file.contentType);
    // A correction that un-clears an attachment takes it off the site; one that moves the
    // meeting to another year (so another address) takes the old pages off too, before the
    // listings forget where they were.
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
    const year = yearOf(meeting);
    const oldYear = first ? yearOf(first) : year;
    // A first publication reaches the registers with the sweep's daily assembly; a
    // correction may take personal data out of a row, so it rebuilds them now.
    await updateListings(
      ports,
      site,
      { add: meeting, ...(first ? { remove: first } : {}) },
      first ? 'now' : 'daily',
      now,
    );
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
  if (path === undefined) return { published: false as const, reason: 'no longer approved' };
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
  return { published: true as const, pageUrl, moved: recorded.ok };
}

/**
 * Takes a published meeting down: its pages and its attachments go, and the index, year
 * page, feed and registers are rewritten without it. The request keeps its record and its
 * audit trail.
 */
export async function takeDown(requestId: string, ports: PublishPorts, site: Site, now: Date) {
  const request = await ports.getRequest(requestId);
  return ports.exclusive(async () => {
    if (!request) return { removed: false as const };
    const entry = await publishedSummary(ports, site, request.reference, now);
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
    // Out of every listing, and out of the registers now, not at the next daily assembly.
    await updateListings(ports, site, { remove: entry }, 'now', now);
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
