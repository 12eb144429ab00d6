import { factsOf, type RequestFacts } from '../reports/facts.ts';
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
}

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
): Promise<{ updated: number; removed: number }> {
  const ids = [...new Set(requestIds)];
  if (!ids.length) return { updated: 0, removed: 0 };
  return ports.exclusive(async () => {
    const file = (await ports.readFacts()) ?? emptyFacts(now);
    let updated = 0;
    let removed = 0;
    for (const id of ids) {
      const history = await ports.history(id);
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
    return { updated, removed };
  });
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
  for await (const history of histories)
    rebuilt[history.request.id] = factsOf(history.request, history.events);
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
    return { requests: Object.keys(sorted).length };
  });
}
