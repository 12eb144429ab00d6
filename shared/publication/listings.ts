import { type FeedEntry, feedEntry, type PublishedMeeting } from './render.ts';

/**
 * How the public listings are cut so that one publication rewrites a bounded number of
 * bytes however large the site grows. Pure: shared/publication/site.ts reads and writes
 * the pieces.
 *
 * - A year's archive is split into parts of at most PART_SIZE meetings, each a range of
 *   the year in date order. A meeting goes into the part whose range holds its date; a
 *   part that outgrows PART_SIZE splits in two. So a publication rewrites one part (two
 *   when it splits), never the year.
 * - The index shows the newest INDEX_SIZE meetings by date, the feed the newest FEED_SIZE
 *   by publication: both bounded.
 */
export const PART_SIZE = 20;
export const INDEX_SIZE = 50;
export const FEED_SIZE = 50;
/**
 * How full a rebuild packs each part: room for a few more before the first split, so a
 * rebuilt site does not split on its next publication.
 */
export const REBUILT_PART_SIZE = 15;

/** A meeting's place in the listings: by start, then reference, so the order is total. */
export const listingKey = (meeting: Pick<PublishedMeeting, 'start' | 'reference'>) =>
  `${meeting.start}#${meeting.reference}`;

/** The year a meeting is listed under: the year in its address. */
export const yearOf = (meeting: Pick<PublishedMeeting, 'start'>) => meeting.start.slice(0, 4);

/** One part of a year's archive: the meetings from `first` up to the next part's `first`. */
export interface Part {
  id: number;
  /** The listing keys of its oldest and newest meetings. */
  first: string;
  last: string;
}

/** The parts of one year, oldest first; ids are never reused within the year. */
export type YearParts = Part[];

/** The index of the part whose range holds `key`: the last that starts at or before it. */
export function partIndexFor(parts: YearParts, key: string): number {
  let found = 0;
  parts.forEach((part, index) => {
    if (part.first <= key) found = index;
  });
  return found;
}

const byKey = (a: PublishedMeeting, b: PublishedMeeting) =>
  listingKey(a).localeCompare(listingKey(b));

/** Newest first, as every listing shows them. */
export const newestFirst = (meetings: readonly PublishedMeeting[]) =>
  [...meetings].sort((a, b) => byKey(b, a));

const describe = (id: number, entries: PublishedMeeting[]): Part => {
  const sorted = [...entries].sort(byKey);
  return {
    id,
    first: listingKey(sorted[0] as PublishedMeeting),
    last: listingKey(sorted.at(-1) as PublishedMeeting),
  };
};

/** A part's new contents; `entries` empty means the part is gone. */
export interface PartChange {
  id: number;
  entries: PublishedMeeting[];
}

/**
 * Puts a meeting into the part `parts[index]` (whose current entries are given), replacing
 * any entry of the same reference, and splits the part in two halves if it outgrows
 * PART_SIZE. Returns the year's new parts and the parts whose contents changed.
 */
export function addToPart(
  parts: YearParts,
  index: number,
  entries: readonly PublishedMeeting[],
  meeting: PublishedMeeting,
): { parts: YearParts; changed: PartChange[] } {
  const id = parts[index]?.id ?? 1;
  const next = [...entries.filter((entry) => entry.reference !== meeting.reference), meeting].sort(
    byKey,
  );
  if (next.length <= PART_SIZE) {
    const updated = [...parts];
    updated.splice(index, parts.length ? 1 : 0, describe(id, next));
    return { parts: updated, changed: [{ id, entries: next }] };
  }
  const half = Math.ceil(next.length / 2);
  const older = next.slice(0, half);
  const newer = next.slice(half);
  const newId = Math.max(...parts.map((part) => part.id)) + 1;
  const updated = [...parts];
  updated.splice(index, 1, describe(id, older), describe(newId, newer));
  return {
    parts: updated,
    changed: [
      { id, entries: older },
      { id: newId, entries: newer },
    ],
  };
}

/** Takes a meeting out of `parts[index]`; a part left empty leaves the year's parts. */
export function removeFromPart(
  parts: YearParts,
  index: number,
  entries: readonly PublishedMeeting[],
  reference: string,
): { parts: YearParts; changed: PartChange[] } {
  const part = parts[index];
  if (!part) return { parts, changed: [] };
  const next = entries.filter((entry) => entry.reference !== reference);
  if (next.length === entries.length) return { parts, changed: [] };
  const updated = [...parts];
  updated.splice(index, 1, ...(next.length ? [describe(part.id, next)] : []));
  return { parts: updated, changed: [{ id: part.id, entries: next }] };
}

/** A year's meetings cut into parts as a rebuild packs them, oldest first. */
export function partition(meetings: readonly PublishedMeeting[]): {
  parts: YearParts;
  changed: PartChange[];
} {
  const sorted = [...meetings].sort(byKey);
  const changed: PartChange[] = [];
  for (let start = 0; start < sorted.length; start += REBUILT_PART_SIZE)
    changed.push({
      id: changed.length + 1,
      entries: sorted.slice(start, start + REBUILT_PART_SIZE),
    });
  return { parts: changed.map((part) => describe(part.id, part.entries)), changed };
}

/** The feed's entries after a change: newest publication first, at most FEED_SIZE. */
export function feedWith(
  feed: readonly FeedEntry[],
  change: { add?: PublishedMeeting; remove?: string },
): FeedEntry[] {
  const kept = feed.filter(
    (entry) => entry.reference !== change.remove && entry.reference !== change.add?.reference,
  );
  return newestPublished([...kept, ...(change.add ? [feedEntry(change.add)] : [])]);
}

/** Newest publication first (the feed's order), at most FEED_SIZE. */
export function newestPublished(entries: readonly FeedEntry[]): FeedEntry[] {
  return [...entries]
    .sort(
      (a, b) =>
        b.publishedAt.localeCompare(a.publishedAt) || b.reference.localeCompare(a.reference),
    )
    .slice(0, FEED_SIZE);
}
