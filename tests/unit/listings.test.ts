import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addToPart,
  FEED_SIZE,
  feedWith,
  listingKey,
  PART_SIZE,
  partIndexFor,
  partition,
  removeFromPart,
  type YearParts,
} from '../../shared/publication/listings.ts';
import type { PublishedMeeting } from '../../shared/publication/render.ts';
import { asPublished, workedExample } from '../fixtures/worked-example.ts';

const meetingOn = (day: number, n: number) =>
  asPublished({
    ...workedExample,
    reference: `REQ-2026-${String(n).padStart(4, '0')}`,
    start: new Date(Date.UTC(2026, 0, 1 + day, 10)).toISOString(),
    publishedAt: new Date(Date.UTC(2026, 0, 1 + day + (n % 7), 12)).toISOString(),
  });

/** The year's archive held in memory, changed only through the pure functions. */
function archive() {
  let parts: YearParts = [];
  const contents = new Map<number, PublishedMeeting[]>();
  const apply = (result: {
    parts: YearParts;
    changed: Array<{ id: number; entries: PublishedMeeting[] }>;
  }) => {
    parts = result.parts;
    for (const part of result.changed) contents.set(part.id, part.entries);
    return result.changed.length;
  };
  return {
    add(meeting: PublishedMeeting) {
      const index = partIndexFor(parts, listingKey(meeting));
      const entries = parts.length ? (contents.get(parts[index]?.id ?? 0) ?? []) : [];
      return apply(addToPart(parts, index, entries, meeting));
    },
    remove(meeting: PublishedMeeting) {
      const index = partIndexFor(parts, listingKey(meeting));
      return apply(
        removeFromPart(parts, index, contents.get(parts[index]?.id ?? 0) ?? [], meeting.reference),
      );
    },
    get parts() {
      return parts;
    },
    listed: () => parts.flatMap((part) => contents.get(part.id) ?? []),
  };
}

describe("a year's archive cut into parts", () => {
  it('keeps every meeting exactly once, in date order, in parts of at most PART_SIZE, whatever the order of changes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ day: fc.integer({ min: 0, max: 364 }), remove: fc.boolean() }), {
          maxLength: 300,
        }),
        (steps) => {
          const year = archive();
          const expected = new Map<string, PublishedMeeting>();
          steps.forEach((step, n) => {
            const present = [...expected.values()];
            const victim = present[n % Math.max(present.length, 1)];
            if (step.remove && victim) {
              year.remove(victim);
              expected.delete(victim.reference);
            } else {
              const meeting = meetingOn(step.day, n);
              // A change touches one part, or two when it splits one.
              expect(year.add(meeting)).toBeLessThanOrEqual(2);
              expected.set(meeting.reference, meeting);
            }
          });
          const listed = year.listed();
          expect(listed.map(listingKey)).toEqual([...expected.values()].map(listingKey).sort());
          for (const part of year.parts) {
            expect(part.first <= part.last).toBe(true);
          }
          const sizes = year.parts.map(
            (part) =>
              listed.filter((m) => listingKey(m) >= part.first && listingKey(m) <= part.last)
                .length,
          );
          expect(sizes.every((size) => size > 0 && size <= PART_SIZE)).toBe(true);
          expect(new Set(year.parts.map((part) => part.id)).size).toBe(year.parts.length);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('replaces a meeting published again (a correction), rather than listing it twice', () => {
    const year = archive();
    const meeting = meetingOn(40, 1);
    year.add(meeting);
    year.add(asPublished({ ...meeting, title: 'Corrected title' }));
    expect(year.listed().map((m) => m.title)).toEqual(['Corrected title']);
  });

  it('rebuilds a year into parts three-quarters full, so the next publication does not split', () => {
    const meetings = Array.from({ length: 100 }, (_, n) => meetingOn(n * 3, n));
    const { parts, changed } = partition(meetings);
    expect(changed.map((part) => part.entries.length)).toEqual([15, 15, 15, 15, 15, 15, 10]);
    expect(parts.map((part) => part.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(parts[0]?.first).toBe(listingKey(meetings[0] as PublishedMeeting));
  });
});

describe('the feed', () => {
  it('holds the newest FEED_SIZE publications, newest first, each once', () => {
    let feed = feedWith([], {});
    for (let n = 0; n < 80; n += 1) feed = feedWith(feed, { add: meetingOn(n, n) });
    expect(feed).toHaveLength(FEED_SIZE);
    const published = feed.map((entry) => entry.publishedAt);
    expect(published).toEqual([...published].sort().reverse());
    const corrected = feedWith(feed, { add: asPublished({ ...meetingOn(79, 79), title: 'New' }) });
    expect(corrected.filter((entry) => entry.reference === 'REQ-2026-0079')).toHaveLength(1);
    expect(feedWith(feed, { remove: 'REQ-2026-0079' })).toHaveLength(FEED_SIZE - 1);
  });
});
