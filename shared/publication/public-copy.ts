import { safeFilename } from '../mail/sanitise.ts';
import type { RequestRecord } from '../workflow/records.ts';
import { type PeopleKnown, type RedactionDecisions, redact } from './redaction.ts';
import type { PublicText, PublishedMeeting, Site } from './render.ts';

/** The letter that opened the request: its text, when it came, and its attachments. */
export interface Letter {
  text: string;
  at: string;
  attachments: Array<{ key: string; filename: string; contentType: string }>;
  /**
   * People NLP found named in the letter and its attachments when it was filed
   * (functions/extract-text.ts); empty until then.
   */
  namesFound?: string[];
  /**
   * How far NLP has read it: all of it, only the start (too long, or out of time), or
   * not yet (extraction has not run, or never finished).
   */
  namesRead?: 'all' | 'start' | 'pending';
}

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

/** The attachments staff cleared, one by one; the rest never go out. */
export function clearedAttachments(request: RequestRecord, letter: Letter) {
  const cleared = new Set(request.redactions?.clearedAttachments ?? []);
  return letter.attachments.filter((attachment) => cleared.has(attachment.key));
}

/**
 * What staff write as an attendee's organisation when someone came in their own right,
 * for no organisation: such an attendee is a private individual, whatever role is given.
 */
const NO_ORGANISATION =
  /^(?:private(?: (?:individual|person|citizen))?|(?:a )?member of the public|individual|self|none|n\/?a|-+)$/i;

/** Whether an attendee's organisation says they came for none ("Private individual"). */
export const forNoOrganisation = (organisation: string) =>
  NO_ORGANISATION.test(organisation.trim());

/** The sender's organisation when intake only guessed it from their address's domain. */
function guessedOrganisation(request: Pick<RequestRecord, 'sender' | 'organisation'>) {
  const domain = request.sender.address?.split('@')[1]?.toLowerCase();
  return domain && request.organisation?.toLowerCase() === domain ? domain : undefined;
}

/**
 * Who the record names: the sender (from the mail's own headers), anyone attending
 * without an official role or for no organisation, and the people NLP found in the
 * letter are private; other attendees are there officially. A sender who wrote for no
 * organisation of their own stays private when staff list them as attending, whatever
 * role and organisation they were given. When the sender's organisation was only guessed
 * from their address's domain, the domain is theirs too: "home.example" would say where
 * a private person has their mail.
 */
export function peopleKnown(
  request: Pick<RequestRecord, 'sender' | 'meeting' | 'draft' | 'organisation'>,
  letter: Pick<Letter, 'namesFound'> = {},
): PeopleKnown {
  const attendees = (request.draft?.meeting ?? request.meeting)?.attendees ?? [];
  const guessed = guessedOrganisation(request);
  const senderIsPrivate = !request.organisation || guessed !== undefined;
  const sender = request.sender.name.trim().toLowerCase();
  const inOwnRight = (attendee: (typeof attendees)[number]) =>
    !attendee.role.trim() ||
    forNoOrganisation(attendee.organisation) ||
    (senderIsPrivate && attendee.name.trim().toLowerCase() === sender);
  const official = attendees.filter((a) => !inOwnRight(a)).map((a) => a.name);
  const officialSet = new Set(official.map((name) => name.toLowerCase()));
  const privatePeople = [
    request.sender.name,
    ...attendees.filter(inOwnRight).map((a) => a.name),
    ...(guessed ? [guessed] : []),
    ...(letter.namesFound ?? []),
  ].filter((name) => name.trim().length >= 2 && !officialSet.has(name.trim().toLowerCase()));
  return { private: privatePeople, official };
}

/**
 * The one way to the public copy of a meeting. Every text that reaches the public bucket
 * (title, subject, place, attendees' names, roles and organisations, purpose, note,
 * letter, correction notices, attachment names, and through the summaries the index,
 * year pages, feed and registers) passes through `published` here, with the same
 * decisions and the same people: a name found in the letter's signature is hidden in the
 * title too.
 */
export function publicCopy(
  request: RequestRecord,
  letter: Letter,
  site: Site,
  now: Date,
): PublishedMeeting {
  const published = publisherOf(request, letter);
  const meeting = request.draft?.meeting ?? request.meeting;
  const note = published(request.draft?.body ?? '');
  const attendees = (meeting?.attendees ?? []).map(
    ({ name, role, organisation, host, invitedGuest }) => ({
      name: published(name),
      role: published(role),
      organisation: published(organisation),
      host,
      invitedGuest,
    }),
  );
  // The note's own list when the drafter gave one; otherwise every attending organisation.
  // Neither a domain intake only guessed from a private sender's address nor "Private
  // individual" is an organisation met: a meeting with no other is with the individual.
  const guessed = guessedOrganisation(request);
  const organisations = [
    ...new Set(
      request.draft?.organisations ?? [
        request.organisation,
        ...(meeting?.attendees ?? []).map((a) => a.organisation),
      ],
    ),
  ]
    .filter(
      (organisation): organisation is string =>
        typeof organisation === 'string' &&
        organisation !== '' &&
        organisation !== site.officeName &&
        organisation.toLowerCase() !== guessed &&
        !forNoOrganisation(organisation),
    )
    .map(published);
  return {
    reference: request.reference,
    title: published(request.draft?.title ?? request.subject),
    start: meeting?.start ?? request.receivedAt,
    end: meeting?.end ?? request.receivedAt,
    location: published(meeting?.location ?? ''),
    organisations,
    attendees,
    purposeSummary: published(purposeOf(note, request.subject)),
    noteMarkdown: note,
    letterText: published(letter.text),
    letterDate: letter.at,
    // Only what staff cleared; otherwise the letter goes out as text alone. The public
    // name is redacted too ("Morag-Fairlie-CV.pdf" names someone).
    attachments: attachmentFiles(request, letter, published).map(({ filename, href }) => ({
      filename,
      href,
    })),
    publishedAt: now.toISOString(),
    corrections: [
      ...(request.corrections ?? []),
      ...(request.pendingCorrection
        ? [{ at: now.toISOString(), note: request.pendingCorrection }]
        : []),
    ].map(({ at, note: notice }) => ({ at, note: published(notice) })),
  };
}

/**
 * Each cleared attachment with the public name and address it goes out under: the public
 * copy lists the names and addresses, and publication copies each stored file (by its key)
 * to its address. One list for both, so a file can never go out under another's name.
 */
function attachmentFiles(
  request: RequestRecord,
  letter: Letter,
  published: (text: string) => PublicText,
) {
  const hrefs = new Set<string>();
  return clearedAttachments(request, letter).map((attachment) => {
    const filename = published(attachment.filename);
    const href = uniqueHref(`attachments/${safeFilename(filename)}`, hrefs);
    return { key: attachment.key, contentType: attachment.contentType, filename, href };
  });
}

/** The stored files publication copies to the public site, each to its public address. */
export function publicFiles(request: RequestRecord, letter: Letter) {
  return attachmentFiles(request, letter, publisherOf(request, letter)).map(
    ({ key, contentType, href }) => ({ key, contentType, href }),
  );
}

/**
 * Redaction with this request's decisions and people: what makes a text PublicText. The
 * quarterly return passes the texts it adds (a private individual's name) through it too.
 */
export function publisherOf(request: RequestRecord, letter: Letter) {
  const decisions = request.redactions ?? noDecisions;
  const people = peopleKnown(request, letter);
  return (text: string) => redact(text, decisions, people).text as PublicText;
}

/** Two files whose redacted names clean to the same one keep separate addresses. */
function uniqueHref(href: string, taken: Set<string>): string {
  let candidate = href;
  for (let n = 2; taken.has(candidate); n += 1) candidate = href.replace(/(\.[^./]*)?$/, `-${n}$1`);
  taken.add(candidate);
  return candidate;
}
