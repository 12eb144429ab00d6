import { factsOf, type RequestFacts } from '../reports/facts.ts';
import {
  type SearchEntry,
  type SearchObjects,
  type SearchSources,
  StaffSearchIndex,
  searchDocumentOf,
} from '../search/staff-index.ts';
import type { AuditEvent } from '../workflow/audit.ts';
import type { RequestRecord } from '../workflow/records.ts';

/**
 * The catalogue: what staff look across all requests with, kept current from the table's
 * stream (functions/catalogue.ts) and stored whole beside the documents, so a report over
 * 10,000 requests reads one object rather than 100,000 items. Each request's entry is
 * made again from the request as it stands and its whole audit trail whenever its chain
 * grows, never patched from the event alone: a delivery repeated, reordered or arriving
 * after a rebuild writes the same entry, and nothing is counted twice.
 */
export interface RequestHistory {
  request: RequestRecord;
  events: AuditEvent[];
}

/** The report facts of every request the table holds, by id. */
export interface FactsFile {
  version: 1;
  /** When it was last written. */
  updatedAt: string;
  requests: Record<string, RequestFacts>;
}

export interface CataloguePorts {
  /** Runs `work` as the catalogue's only writer (a lease), so no update is lost. */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  /** The request and its events, read consistently; undefined once it is gone (disposed of). */
  history(requestId: string): Promise<RequestHistory | undefined>;
  readFacts(): Promise<FactsFile | undefined>;
  writeFacts(file: FactsFile): Promise<void>;
  /** The text of the request's received letters and their attachments' text layers. */
  searchSources(request: RequestRecord): Promise<SearchSources>;
  /** The whole index (fields and every shard): the catalogue changes any of them. */
  readSearchIndex(): Promise<StaffSearchIndex | undefined>;
  /** The entries alone, for a rebuild to compare with. */
  readSearchEntries(): Promise<Record<string, SearchEntry> | undefined>;
  /** Writes the objects given (and deletes the texts of requests gone), nothing else. */
  writeSearchObjects(objects: SearchObjects): Promise<void>;
  /** The id of every request whose indexed text is stored: a rebuild deletes any left over. */
  searchTextIds(): Promise<string[]>;
}

/**
 * A request being disposed of is gone to the catalogue: disposal claims it (`disposing`)
 * before it deletes anything and writes its record, whose insert brings the catalogue
 * here; the request item may still stand then, and its entry (its text, its sender) must
 * go with it, not be made again.
 */
const undisposed = (history: RequestHistory | undefined) =>
  history && !history.request.disposing ? history : undefined;

const emptyFacts = (now: Date): FactsFile => ({
  version: 1,
  updatedAt: now.toISOString(),
  requests: {},
});

const sameFacts = (a: RequestFacts | undefined, b: RequestFacts | undefined) =>
  JSON.stringify(a) === JSON.stringify(b);

/**
 * Brings the entries of these requests up to date: made again from each one's history, or
 * removed when the request is gone. Writes nothing when nothing changed.
 */
export async function catalogueRequests(
  requestIds: readonly string[],
  ports: CataloguePorts,
  now: Date,
): Promise<{ updated: number; removed: number; searchUpdated: number }> {
  const ids = [...new Set(requestIds)];
  if (!ids.length) return { updated: 0, removed: 0, searchUpdated: 0 };
  return ports.exclusive(async () => {
    const file = (await ports.readFacts()) ?? emptyFacts(now);
    // Read once for the facts and the search index alike.
    const histories = new Map<string, Promise<RequestHistory | undefined>>();
    const historyOf = (id: string) => {
      if (!histories.has(id)) histories.set(id, ports.history(id).then(undisposed));
      return histories.get(id) as Promise<RequestHistory | undefined>;
    };
    let updated = 0;
    let removed = 0;
    for (const id of ids) {
      const history = await historyOf(id);
      if (!history) {
        if (file.requests[id]) {
          delete file.requests[id];
          removed += 1;
        }
        continue;
      }
      const facts = factsOf(history.request, history.events);
      if (sameFacts(file.requests[id], facts)) continue;
      file.requests[id] = facts;
      updated += 1;
    }
    if (updated || removed) await ports.writeFacts({ ...file, updatedAt: now.toISOString() });
    const searchUpdated = await indexForSearch(ids, historyOf, ports, now);
    return { updated, removed, searchUpdated };
  });
}

/**
 * The search side of the same pass: each request's document discarded and made again
 * from the request as it stands and its mail's text (attachment text arrives after the
 * letter, with a `textRead` item, so a request is indexed again then), or taken out once
 * it is gone. Writes only the objects that changed: the fields object when an entry did,
 * the shards the request's fields had or have terms in when its fields did, those its
 * text had or has terms in when its text did, and its text.
 */
const searchDocumentFor = async (request: RequestRecord, ports: CataloguePorts) =>
  searchDocumentOf(request, await ports.searchSources(request));

async function indexForSearch(
  ids: readonly string[],
  historyOf: (id: string) => Promise<RequestHistory | undefined>,
  ports: CataloguePorts,
  now: Date,
): Promise<number> {
  const index = (await ports.readSearchIndex()) ?? StaffSearchIndex.empty();
  let changed = 0;
  for (const id of ids) {
    const history = await historyOf(id);
    if (!history) {
      if (index.remove(id)) changed += 1;
      continue;
    }
    const { document, entry } = await searchDocumentFor(history.request, ports);
    if (index.put(document, entry)) changed += 1;
  }
  // Pending with nothing changed: an index of an earlier version, moved on as it loaded,
  // which a pass that changes nothing must still write, or the next would move it again.
  if (changed || index.pending) await ports.writeSearchObjects(await index.serialize(now));
  return changed;
}

/**
 * Makes the whole catalogue again from every request in the table (`npm run
 * search:rebuild`). The table is read without the lease, which may take minutes; entries
 * the stream wrote meanwhile are newer than what was read, so they are kept: an entry
 * with a longer chain wins, and a request that arrived after the reading began stays.
 * Run twice, it writes the same catalogue.
 */
export async function rebuildCatalogue(
  histories: AsyncIterable<RequestHistory>,
  ports: CataloguePorts,
  now: Date,
): Promise<{ requests: number }> {
  const rebuilt: Record<string, RequestFacts> = {};
  const documents = new Map<string, Awaited<ReturnType<typeof searchDocumentFor>>>();
  for await (const history of histories) {
    if (!undisposed(history)) continue;
    rebuilt[history.request.id] = factsOf(history.request, history.events);
    documents.set(history.request.id, await searchDocumentFor(history.request, ports));
  }
  return ports.exclusive(async () => {
    const current = (await ports.readFacts())?.requests ?? {};
    const requests = { ...rebuilt };
    for (const [id, facts] of Object.entries(current)) {
      const read = rebuilt[id];
      if (read ? facts.eventSeq > read.eventSeq : facts.receivedAt >= now.toISOString())
        requests[id] = facts;
    }
    const sorted = Object.fromEntries(
      Object.entries(requests).sort(([a], [b]) => (a < b ? -1 : 1)),
    );
    await ports.writeFacts({ version: 1, updatedAt: now.toISOString(), requests: sorted });
    await rebuildSearchIndex(documents, ports, now);
    return { requests: Object.keys(sorted).length };
  });
}

/**
 * The search side of a rebuild: the index made afresh from what the table held, in id
 * order (so two rebuilds write the same index). A request whose document the stream
 * indexed differently meanwhile (an event, or its attachments' text read, after the
 * reading passed it), or that arrived since, is made again from the table now, under the
 * lease, so neither the rebuild nor the stream loses the other's update.
 */
async function rebuildSearchIndex(
  documents: Map<string, Awaited<ReturnType<typeof searchDocumentFor>>>,
  ports: CataloguePorts,
  now: Date,
): Promise<void> {
  const current = (await ports.readSearchEntries()) ?? {};
  for (const [id, entry] of Object.entries(current)) {
    const read = documents.get(id);
    if (read ? read.entry.digest === entry.digest : entry.receivedAt < now.toISOString()) continue;
    const history = undisposed(await ports.history(id));
    if (history) documents.set(id, await searchDocumentFor(history.request, ports));
    else documents.delete(id);
  }
  // Every object written (fields, all shards, every text): a rebuild is also the repair.
  const index = StaffSearchIndex.of([...documents.values()]);
  const objects = await index.serialize(now);
  // And the texts of requests no longer there are deleted: one left by a disposal that
  // stopped partway, or from before disposal deleted them, holds a letter nobody may keep.
  for (const id of await ports.searchTextIds()) if (!documents.has(id)) objects.texts[id] = null;
  await ports.writeSearchObjects(objects);
}
