import {
  addToPart,
  feedWith,
  INDEX_SIZE,
  listingKey,
  newestFirst,
  newestPublished,
  type Part,
  type PartChange,
  partIndexFor,
  partition,
  removeFromPart,
  type YearParts,
  yearOf,
} from './listings.ts';
import {
  feedEntriesOf,
  feedEntry,
  NOT_FOUND_PAGE,
  type PartRange,
  type PublicText,
  type PublishedMeeting,
  renderFeed,
  renderIndexPage,
  renderNotFoundPage,
  renderPartPage,
  renderRegisterCsv,
  renderRegisterJson,
  renderSearchPage,
  renderYearPage,
  renderYearParts,
  type Site,
} from './render.ts';
import {
  notesIn,
  noteTextOf,
  publicSearchKeys,
  publicSearchManifest,
  publicSearchPart,
  publicSearchScript,
} from './search.ts';

/**
 * The public listings (index, year archives, feed, registers) and the state they are made
 * from, kept so that one publication reads and writes a bounded amount whatever the size
 * of the site (shared/publication/listings.ts says how they are cut). The state lives
 * beside the office's documents, never on the public site:
 *
 * - `years.json`: the years with published meetings, newest first;
 * - `years/<yyyy>/parts.json` and `years/<yyyy>/parts/<id>.json`: each year's parts and
 *   the summaries in each;
 * - `meetings/<reference>.json`: each published meeting's summary, to find it again for a
 *   correction or a takedown (null once taken down);
 * - `registers.json`: which years' registers are behind, and when they were last made.
 *
 * The registers are the one listing made whole: the sweep assembles them from the parts at
 * most once a day (assembleRegistersIfDue). A new meeting waits for that; a correction or a
 * takedown, which may take personal data off the site, has them rebuilt at once.
 */
export interface SitePorts {
  /** The state above, as JSON; undefined when never written. */
  readState<T>(name: string): Promise<T | undefined>;
  writeState(name: string, value: unknown): Promise<void>;
  /** A public object's text, to leave it alone when it would be written unchanged. */
  readPublic(key: string): Promise<string | undefined>;
  writePublic(key: string, body: string, contentType: string): Promise<void>;
  deletePublic(key: string): Promise<void>;
}

/** The registers are assembled at most this often (by the sweep). */
export const REGISTER_INTERVAL_MS = 24 * 60 * 60 * 1000;

const HTML = 'text/html; charset=utf-8';
const JSON_TYPE = 'application/json';
const SCRIPT = 'text/javascript; charset=utf-8';
const ATOM = 'application/atom+xml; charset=utf-8';
const FEED = 'feed.xml';
const state = {
  years: 'years.json',
  parts: (year: string) => `years/${year}/parts.json`,
  part: (year: string, id: number) => `years/${year}/parts/${id}.json`,
  meeting: (reference: string) => `meetings/${reference}.json`,
  registers: 'registers.json',
  /** The single manifest of the whole site that postroom kept before the listings split. */
  legacyManifest: 'manifest.json',
};
const yearPage = (year: string) => `years/${year}/index.html`;
const partPage = (year: string, id: number) => `years/${year}/${id}/index.html`;

interface RegisterState {
  /** Years with changes the registers do not show yet. */
  pending: string[];
  assembledAt?: string;
}

/** A meeting as the listings keep it: the note and the letter live on its own pages. */
export const summaryOf = (meeting: PublishedMeeting): PublishedMeeting => ({
  ...meeting,
  noteMarkdown: '' as PublicText,
  letterText: '' as PublicText,
});

/** The summary of a published meeting, if it is on the site. */
export async function publishedSummary(
  ports: SitePorts,
  site: Site,
  reference: string,
  now: Date,
): Promise<PublishedMeeting | undefined> {
  await migrated(ports, site, now);
  return (await ports.readState<PublishedMeeting | null>(state.meeting(reference))) ?? undefined;
}

const range = (part: Part): PartRange => ({
  id: part.id,
  from: part.first.split('#')[0] as string,
  to: part.last.split('#')[0] as string,
});

/**
 * Writes a public page unless it would be the same bytes as the page already there;
 * says whether it wrote.
 */
export async function writeIfChanged(
  ports: SitePorts,
  key: string,
  body: string,
  contentType = HTML,
): Promise<boolean> {
  if ((await ports.readPublic(key)) === body) return false;
  await ports.writePublic(key, body, contentType);
  return true;
}

/** The state as read and changed in one update, each piece read at most once. */
class Listings {
  private readonly partsOf = new Map<string, YearParts>();
  private readonly entries = new Map<string, PublishedMeeting[]>();
  constructor(
    private readonly ports: SitePorts,
    public years: string[],
  ) {}

  async parts(year: string): Promise<YearParts> {
    const known = this.partsOf.get(year);
    if (known) return known;
    const read = (await this.ports.readState<YearParts>(state.parts(year))) ?? [];
    this.partsOf.set(year, read);
    return read;
  }

  async partEntries(year: string, id: number): Promise<PublishedMeeting[]> {
    const key = `${year}/${id}`;
    const known = this.entries.get(key);
    if (known) return known;
    const read = (await this.ports.readState<PublishedMeeting[]>(state.part(year, id))) ?? [];
    this.entries.set(key, read);
    return read;
  }

  setParts(year: string, parts: YearParts, changed: PartChange[]) {
    this.partsOf.set(year, parts);
    for (const part of changed) this.entries.set(`${year}/${part.id}`, part.entries);
  }

  /** The newest `count` meetings by date, reading parts from the newest back. */
  async newest(count: number): Promise<PublishedMeeting[]> {
    const found: PublishedMeeting[] = [];
    for (const year of this.years) {
      const parts = await this.parts(year);
      for (let index = parts.length - 1; index >= 0 && found.length < count; index -= 1)
        found.push(...newestFirst(await this.partEntries(year, (parts[index] as Part).id)));
      if (found.length >= count) break;
    }
    return found.slice(0, count);
  }

  /** Every published meeting, for the registers and a full rebuild of the feed. */
  async all(): Promise<PublishedMeeting[]> {
    const all: PublishedMeeting[] = [];
    for (const year of this.years)
      for (const part of await this.parts(year))
        all.push(...(await this.partEntries(year, part.id)));
    return newestFirst(all);
  }
}

async function migrated(ports: SitePorts, site: Site, now: Date): Promise<string[]> {
  const years = await ports.readState<string[]>(state.years);
  if (years) return years;
  const legacy = await ports.readState<PublishedMeeting[]>(state.legacyManifest);
  if (!legacy?.length) return [];
  // A site published before the listings were split: cut its manifest into parts once.
  return rebuildSite(ports, site, legacy, now);
}

/**
 * Changes the listings for one meeting: `add` puts it in (replacing its entry, if it was
 * listed), `remove` takes its old entry out (a takedown, or a correction that moved it).
 * Rewrites only what changed: the parts touched, their year's page, the index if the
 * change shows there, the feed, and the registers when `registers` is 'now'.
 */
export async function updateListings(
  ports: SitePorts,
  site: Site,
  change: { add?: PublishedMeeting; remove?: PublishedMeeting },
  registers: 'now' | 'daily',
  now: Date,
): Promise<void> {
  const yearsBefore = await migrated(ports, site, now);
  const add = change.add && summaryOf(change.add);
  const touched = new Set<string>();
  const partsBefore = new Map<string, YearParts>();
  const listings = new Listings(ports, yearsBefore);
  // By year and part id: a correction within one part changes it twice, written once.
  const changedParts = new Map<string, { year: string; part: PartChange }>();

  const edit = async (
    meeting: PublishedMeeting,
    apply: (
      parts: YearParts,
      index: number,
      entries: PublishedMeeting[],
    ) => ReturnType<typeof addToPart>,
  ) => {
    const year = yearOf(meeting);
    const parts = await listings.parts(year);
    if (!partsBefore.has(year)) partsBefore.set(year, parts);
    const index = partIndexFor(parts, listingKey(meeting));
    const entries = parts.length ? await listings.partEntries(year, (parts[index] as Part).id) : [];
    const applied = apply(parts, index, entries);
    // Nothing to change (a retry after the state was written but a page was not): the
    // part's page is written again all the same.
    const part = parts[index];
    const result =
      applied.changed.length || !part ? applied : { parts, changed: [{ id: part.id, entries }] };
    if (!result.changed.length) return;
    listings.setParts(year, result.parts, result.changed);
    for (const part of result.changed) changedParts.set(`${year}/${part.id}`, { year, part });
    touched.add(year);
  };
  if (change.remove)
    await edit(change.remove, (parts, index, entries) =>
      removeFromPart(parts, index, entries, (change.remove as PublishedMeeting).reference),
    );
  if (add) await edit(add, (parts, index, entries) => addToPart(parts, index, entries, add));

  // The state first: if a page write fails, the retry renders from the new state.
  for (const { year, part } of changedParts.values())
    await ports.writeState(state.part(year, part.id), part.entries);
  for (const year of touched) {
    const parts = await listings.parts(year);
    // The table of parts changes only when a part's range does: seldom, as it grows.
    if (JSON.stringify(parts) !== JSON.stringify(partsBefore.get(year)))
      await ports.writeState(state.parts(year), parts);
  }
  const years: string[] = [];
  for (const year of new Set([...yearsBefore, ...touched]))
    if ((await listings.parts(year)).length) years.push(year);
  years.sort().reverse();
  const yearsChanged = years.join() !== yearsBefore.join();
  if (yearsChanged) await ports.writeState(state.years, years);
  listings.years = years;

  await writePublicSearch(ports, site, listings, [...changedParts.values()], change.add);

  // Year pages: those touched, or every year's when the list of years (in their foot) changed.
  for (const year of yearsChanged ? new Set([...years, ...touched]) : touched) {
    const changedIds = new Set(
      [...changedParts.values()].filter((c) => c.year === year).map((c) => c.part.id),
    );
    await writeYear(ports, listings, site, year, partsBefore.get(year)?.length, changedIds);
  }

  await writeIfChanged(
    ports,
    'index.html',
    renderIndexPage(await listings.newest(INDEX_SIZE), site, 1, 1, years),
  );

  // The feed is its own state: its entries are read back from what the site shows, so a
  // retry after a failed write of feed.xml still finds the meeting missing and writes it.
  const feedText = await ports.readPublic(FEED);
  // No feed read back (none yet, or a read that failed: readPublic answers nothing for any
  // refusal) is rebuilt from the listings, never taken for an empty feed, which would drop
  // every other entry from it.
  const feedBefore = feedText === undefined ? undefined : feedEntriesOf(feedText);
  const removed = change.remove?.reference;
  // A takedown leaves a gap at the foot of the feed that only the whole site can fill, as
  // does a feed that cannot be read back (edited by hand, say).
  const feed =
    !feedBefore ||
    (removed && removed !== add?.reference && feedBefore.some((e) => e.reference === removed))
      ? newestPublished((await listings.all()).map(feedEntry))
      : feedWith(feedBefore, { ...(add ? { add } : {}), ...(removed ? { remove: removed } : {}) });
  const feedXml = renderFeed(feed, site);
  if (feedXml !== feedText) await ports.writePublic(FEED, feedXml, ATOM);
  // Rewritten when it differs, so it follows the office name and the site's address.
  await writeIfChanged(ports, NOT_FOUND_PAGE, renderNotFoundPage(site));

  const registerState = (await ports.readState<RegisterState>(state.registers)) ?? { pending: [] };
  const pending = [...new Set([...registerState.pending, ...touched])];
  if (registers === 'now' || !registerState.assembledAt)
    await assembleRegisters(ports, site, listings, pending, now);
  else if (pending.length !== registerState.pending.length)
    await ports.writeState(state.registers, { ...registerState, pending });
  // Last: a retry of a change cut short finds the meeting where it was, and redoes it.
  if (add) await ports.writeState(state.meeting(add.reference), add);
  else if (change.remove) await ports.writeState(state.meeting(change.remove.reference), null);
}

/**
 * The public search's files for the parts a change touched (shared/publication/search.ts):
 * each part's file made again from its summaries, with the notes its file (or, for a part
 * just split, its other half's) held and the note of the meeting being published; then
 * the manifest, page and script, each written only when it differs. A takedown's part is
 * written without it, so the meeting leaves search with the page.
 */
async function writePublicSearch(
  ports: SitePorts,
  site: Site,
  listings: Listings,
  changed: ReadonlyArray<{ year: string; part: PartChange }>,
  published: PublishedMeeting | undefined,
) {
  const notes = new Map<string, string>();
  for (const { year, part } of changed)
    for (const [reference, note] of notesIn(
      await ports.readPublic(publicSearchKeys.part(year, part.id)),
    ))
      notes.set(reference, note);
  if (published) notes.set(published.reference, noteTextOf(published));
  for (const { year, part } of changed) {
    const key = publicSearchKeys.part(year, part.id);
    if (part.entries.length)
      await writeIfChanged(ports, key, publicSearchPart(part.entries, notes), JSON_TYPE);
    else await ports.deletePublic(key);
  }
  await writeSearchFrame(ports, site, listings);
}

/** The search manifest (every part's file, newest year first), page and script. */
async function writeSearchFrame(ports: SitePorts, site: Site, listings: Listings) {
  const files: string[] = [];
  for (const year of listings.years)
    for (const part of await listings.parts(year))
      files.push(publicSearchKeys.part(year, part.id).slice(publicSearchKeys.folder.length));
  await writeIfChanged(ports, publicSearchKeys.manifest, publicSearchManifest(files), JSON_TYPE);
  await writeIfChanged(ports, publicSearchKeys.page, renderSearchPage(site));
  await writeIfChanged(ports, publicSearchKeys.script, publicSearchScript, SCRIPT);
}

/**
 * A year's pages after a change to the parts `changedIds` (the year had `before` parts): a
 * year of one part lists its meetings on its own page; a larger one lists its parts there
 * and each part has a page. `before` undefined or 0: every part's page is written.
 */
async function writeYear(
  ports: SitePorts,
  listings: Listings,
  site: Site,
  year: string,
  before: number | undefined,
  changedIds: ReadonlySet<number>,
) {
  const parts = await listings.parts(year);
  const years = listings.years;
  if (!parts.length) {
    await ports.deletePublic(yearPage(year));
  } else if (parts.length === 1) {
    const only = parts[0] as Part;
    await writeIfChanged(
      ports,
      yearPage(year),
      renderYearPage(newestFirst(await listings.partEntries(year, only.id)), site, year, years),
    );
    // A year that shrank back to one part lists its meetings itself.
    if ((before ?? 0) > 1) await ports.deletePublic(partPage(year, only.id));
  } else {
    for (const part of parts)
      if (changedIds.has(part.id) || (before ?? 0) <= 1)
        await ports.writePublic(
          partPage(year, part.id),
          renderPartPage(
            newestFirst(await listings.partEntries(year, part.id)),
            site,
            year,
            range(part),
          ),
          HTML,
        );
    await writeIfChanged(
      ports,
      yearPage(year),
      renderYearParts(parts.map(range), site, year, years),
    );
  }
  // A part left empty has no page any more.
  for (const id of changedIds)
    if (!parts.some((part) => part.id === id)) await ports.deletePublic(partPage(year, id));
}

/**
 * The open-data registers, assembled from the parts: one per year for the years given, and
 * the all-time register of every published meeting, newest first.
 */
async function assembleRegisters(
  ports: SitePorts,
  site: Site,
  listings: Listings,
  years: readonly string[],
  now: Date,
) {
  const all = await listings.all();
  for (const year of years) {
    const ofYear = all.filter((meeting) => yearOf(meeting) === year);
    if (ofYear.length) {
      await ports.writePublic(
        `registers/${year}.csv`,
        renderRegisterCsv(ofYear, site),
        'text/csv; charset=utf-8',
      );
      await ports.writePublic(
        `registers/${year}.json`,
        renderRegisterJson(ofYear, site),
        'application/json',
      );
    } else {
      await ports.deletePublic(`registers/${year}.csv`);
      await ports.deletePublic(`registers/${year}.json`);
    }
  }
  await ports.writePublic('register.csv', renderRegisterCsv(all, site), 'text/csv; charset=utf-8');
  await ports.writePublic('register.json', renderRegisterJson(all, site), 'application/json');
  await ports.writeState(state.registers, { pending: [], assembledAt: now.toISOString() });
}

/**
 * The sweep's part: the registers, when a meeting published since they were made is not
 * in them and a day has passed since. Returns whether they were assembled.
 */
export async function assembleRegistersIfDue(
  ports: SitePorts,
  site: Site,
  now: Date,
): Promise<boolean> {
  const years = await migrated(ports, site, now);
  const registers = await ports.readState<RegisterState>(state.registers);
  if (!registers?.pending.length) return false;
  const since = registers.assembledAt
    ? now.getTime() - Date.parse(registers.assembledAt)
    : Infinity;
  if (since < REGISTER_INTERVAL_MS) return false;
  await assembleRegisters(ports, site, new Listings(ports, years), registers.pending, now);
  return true;
}

/**
 * Writes the whole site's listings from these summaries: every part, page, the feed and
 * the registers. For a site kept in the single manifest of earlier versions, once, and for
 * benches that need a large site. Returns the years, newest first.
 */
export async function rebuildSite(
  ports: SitePorts,
  site: Site,
  meetings: readonly PublishedMeeting[],
  now: Date,
): Promise<string[]> {
  const summaries = meetings.map(summaryOf);
  const years = [...new Set(summaries.map(yearOf))].sort().reverse();
  const listings = new Listings(ports, years);
  for (const year of years) {
    const { parts, changed } = partition(summaries.filter((m) => yearOf(m) === year));
    listings.setParts(year, parts, changed);
    for (const part of changed) await ports.writeState(state.part(year, part.id), part.entries);
    await ports.writeState(state.parts(year), parts);
  }
  await inBatches(summaries, (meeting) =>
    ports.writeState(state.meeting(meeting.reference), meeting),
  );
  for (const year of years) await writeYear(ports, listings, site, year, 0, new Set());
  const notes = new Map(meetings.map((meeting) => [meeting.reference, noteTextOf(meeting)]));
  for (const year of years)
    for (const part of await listings.parts(year))
      await ports.writePublic(
        publicSearchKeys.part(year, part.id),
        publicSearchPart(await listings.partEntries(year, part.id), notes),
        JSON_TYPE,
      );
  await writeSearchFrame(ports, site, listings);
  await ports.writePublic(
    'index.html',
    renderIndexPage(await listings.newest(INDEX_SIZE), site, 1, 1, years),
    HTML,
  );
  await ports.writePublic(FEED, renderFeed(newestPublished(summaries.map(feedEntry)), site), ATOM);
  await ports.writePublic(NOT_FOUND_PAGE, renderNotFoundPage(site), HTML);
  await assembleRegisters(ports, site, listings, years, now);
  // The years last: a rebuild cut short starts again from the manifest.
  await ports.writeState(state.years, years);
  return years;
}

async function inBatches<T>(items: readonly T[], work: (item: T) => Promise<void>, size = 16) {
  for (let start = 0; start < items.length; start += size)
    await Promise.all(items.slice(start, start + size).map(work));
}
