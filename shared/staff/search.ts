import {
  type Correspondent,
  pageOf,
  rankRequests,
  requestsOf,
  type SearchFields,
  type SearchShard,
  shardsOfQuery,
} from '../search/staff-index.ts';
import type * as z from '../zod.ts';
import { badRequest } from './errors.ts';
import type { correspondentQuerySchema, searchQuerySchema } from './search-queries.ts';

/**
 * What the search routes read: the staff index as the catalogue last wrote it, one object
 * at a time, so a query pays only for the objects it needs.
 */
export interface SearchPorts {
  /** The entries; undefined before the catalogue wrote them. */
  searchFields(): Promise<SearchFields | undefined>;
  /** One shard (fields and text); undefined when no request has a term in it yet. */
  searchShard(shard: string): Promise<SearchShard | undefined>;
  /**
   * A request's indexed text, for its passage; undefined when it cannot be read (the
   * passage then comes from the entry). `textDigest` names the version wanted, so a copy
   * held from before a change is never used.
   */
  searchText(requestId: string, textDigest: string): Promise<string | undefined>;
}

/** Results past this are not paged to: refine the words instead. */
const MAX_OFFSET = 1_000;

/**
 * The paging token: how far into the results, and which words (a digest), so a token is
 * used with the search it came from. It does not pin the index: if the catalogue changed
 * meanwhile, the next page is read from the index as it now is (a result may move pages),
 * which is what a reader of a changing list expects rather than an error.
 */
const encodeToken = (q: string, offset: number) =>
  Buffer.from(JSON.stringify({ o: offset, q: queryDigest(q) })).toString('base64url');

function decodeToken(token: string, q: string): number {
  const refuse = (why: string) =>
    badRequest(`nextToken ${why}; start again without it`, [
      { path: 'query.nextToken', message: `${why}: leave nextToken out for the first page` },
    ]);
  let cursor: { o?: unknown; q?: unknown };
  try {
    cursor = JSON.parse(Buffer.from(token, 'base64url').toString());
  } catch {
    throw refuse('is not one this API issued');
  }
  const offset = cursor?.o;
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 1 || offset > MAX_OFFSET)
    throw refuse('is not one this API issued');
  if (cursor.q !== queryDigest(q)) throw refuse('belongs to a search for other words');
  return offset;
}

function queryDigest(q: string): string {
  let hash = 0x811c9dc5;
  for (const char of q.toLowerCase()) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  return (hash >>> 0).toString(36);
}

/** `GET /api/search`: ranked requests across all stages, with the passage that matched. */
export async function search(query: z.output<typeof searchQuerySchema>, ports: SearchPorts) {
  const offset = query.nextToken ? decodeToken(query.nextToken, query.q) : 0;
  const shardNames = shardsOfQuery(query.q);
  const [fields, ...shardsRead] = await Promise.all([
    ports.searchFields(),
    ...shardNames.map((shard) => ports.searchShard(shard)),
  ]);
  if (!fields) return { items: [] };
  const shards = new Map(shardsRead.flatMap((shard) => (shard ? [[shard.shard, shard]] : [])));
  const ranked = rankRequests({ fields, shards }, query.q);
  const onPage = ranked.slice(offset, offset + query.limit);
  const texts = new Map<string, string>();
  // Only the texts the words were found in: a match in the fields alone is shown from them.
  await Promise.all(
    onPage.map(async ({ id, inText }) => {
      const entry = inText ? fields.entries[id] : undefined;
      const text = entry ? await ports.searchText(id, entry.textDigest) : undefined;
      if (text) texts.set(id, text);
    }),
  );
  const page = pageOf(fields, ranked, { offset, limit: query.limit }, texts);
  const more = page.next !== undefined && page.next <= MAX_OFFSET;
  return {
    items: page.hits,
    ...(more ? { nextToken: encodeToken(query.q, page.next as number) } : {}),
  };
}

/** `GET /api/correspondents`: every request of one sender or one organisation. */
export async function correspondent(
  query: z.output<typeof correspondentQuerySchema>,
  ports: SearchPorts,
) {
  const who: Correspondent | undefined = query.sender
    ? { sender: query.sender }
    : query.organisation
      ? { organisation: query.organisation }
      : undefined;
  if (!who || (query.sender && query.organisation))
    throw badRequest('give exactly one of sender (an address or a name) or organisation', [
      { path: 'query.sender', message: 'an email address or a name, 1 to 320 characters' },
      { path: 'query.organisation', message: 'an organisation’s name, 1 to 200 characters' },
    ]);
  const fields = await ports.searchFields();
  return { ...who, requests: fields ? requestsOf(fields, who) : [] };
}
