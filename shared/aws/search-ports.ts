import { SearchFields, TextShard } from '../search/staff-index.ts';
import type { SearchPorts } from '../staff/search.ts';
import { cachedDocument } from './cached-document.ts';
import { catalogueKeys } from './catalogue-ports.ts';
import { readObjectIfPresent } from './documents.ts';

/**
 * Each object asked again at most every 2 s: the catalogue itself trails the table by
 * about that, and a search then costs no S3 round trip at all.
 */
const MAX_AGE_MS = 2_000;

/** Texts held for passages: a page's worth several times over, a few MB at most. */
const TEXTS_HELD = 200;

/**
 * The search index as the records function reads it: the fields object at once, each
 * text shard on the first query that needs it, both kept warm through `cachedDocument`;
 * and the texts of the hits a page shows, held in a small LRU by request and version.
 */
export function searchPorts(documents: string): SearchPorts {
  const searchFields = cachedDocument(
    { bucket: documents, key: catalogueKeys.searchFields },
    SearchFields.parse,
    { maxAgeMs: MAX_AGE_MS },
  );
  const shards = new Map<string, () => Promise<TextShard | undefined>>();
  const texts = new Map<string, string>();
  return {
    searchFields,
    searchShard(shard) {
      let read = shards.get(shard);
      if (!read) {
        read = cachedDocument(
          { bucket: documents, key: catalogueKeys.searchShard(shard) },
          TextShard.parse,
          { maxAgeMs: MAX_AGE_MS },
        );
        shards.set(shard, read);
      }
      return read();
    },
    async searchText(requestId, textDigest) {
      const held = `${requestId} ${textDigest}`;
      const text = texts.get(held);
      if (text !== undefined) {
        // Most recently used last, so the first key is the one to let go.
        texts.delete(held);
        texts.set(held, text);
        return text;
      }
      const key = catalogueKeys.searchText(requestId);
      // A passage is not worth failing a search for: the entry's fields stand in.
      const bytes = await readObjectIfPresent({ bucket: documents, key }).catch(() => undefined);
      if (!bytes) return undefined;
      const read = new TextDecoder().decode(bytes);
      texts.set(held, read);
      if (texts.size > TEXTS_HELD) texts.delete(texts.keys().next().value as string);
      return read;
    },
  };
}
