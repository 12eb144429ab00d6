import { SearchFields, SearchShard } from '../search/staff-index.ts';
import type { SearchPorts } from '../staff/search.ts';
import { cachedDocument } from './cached-document.ts';
import { catalogueKeys } from './catalogue-ports.ts';
import { readObjectIfPresent } from './documents.ts';

/**
 * Each object asked again at most every 2 s: the catalogue itself trails the table by
 * about that, and a search then costs no S3 round trip at all.
 */
const MAX_AGE_MS = 2_000;

/**
 * Characters of text held for passages: every request's text of an office of tens of
 * thousands of requests (a letter is a few KB), about 60 MB of the function's 1 GB. A
 * warm function then reads each text from S3 once, not once per search that shows it;
 * past the budget the least recently shown go first.
 */
const TEXT_BUDGET_CHARS = 30_000_000;

/**
 * The search index as the records function reads it: the fields object (the entries) at
 * once, each shard on the first query that needs it, both kept warm through `cachedDocument`;
 * and the texts of the hits a page shows, held by request (the version shown replacing
 * any older) up to a budget, least recently shown let go first.
 */
export function searchPorts(documents: string): SearchPorts {
  const searchFields = cachedDocument(
    { bucket: documents, key: catalogueKeys.searchFields },
    SearchFields.parse,
    { maxAgeMs: MAX_AGE_MS },
  );
  const shards = new Map<string, () => Promise<SearchShard | undefined>>();
  const texts = new Map<string, { digest: string; text: string }>();
  let heldChars = 0;
  const forget = (requestId: string) => {
    const held = texts.get(requestId);
    if (!held) return;
    texts.delete(requestId);
    heldChars -= held.text.length;
  };
  return {
    searchFields,
    searchShard(shard) {
      let read = shards.get(shard);
      if (!read) {
        read = cachedDocument(
          { bucket: documents, key: catalogueKeys.searchShard(shard) },
          SearchShard.parse,
          { maxAgeMs: MAX_AGE_MS },
        );
        shards.set(shard, read);
      }
      return read();
    },
    async searchText(requestId, textDigest) {
      const held = texts.get(requestId);
      if (held?.digest === textDigest) {
        // Most recently used last, so the first key is the one to let go.
        texts.delete(requestId);
        texts.set(requestId, held);
        return held.text;
      }
      const key = catalogueKeys.searchText(requestId);
      // A passage is not worth failing a search for: the entry's fields stand in.
      const bytes = await readObjectIfPresent({ bucket: documents, key }).catch(() => undefined);
      if (!bytes) return undefined;
      const text = new TextDecoder().decode(bytes);
      forget(requestId);
      texts.set(requestId, { digest: textDigest, text });
      heldChars += text.length;
      for (const oldest of texts.keys()) {
        if (heldChars <= TEXT_BUDGET_CHARS) break;
        forget(oldest);
      }
      return text;
    },
  };
}
