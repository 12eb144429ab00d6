import type { PublishPorts } from '../publication/publish.ts';
import { PUBLIC_CACHE_CONTROL } from '../publication/render.ts';
import { deleteObject, readObject, readObjectIfPresent, writeObject } from './documents.ts';
import { readLetter } from './letter.ts';
import { requestQueries } from './request-queries.ts';
import { requestStore } from './request-store.ts';
import { siteCache } from './site-cache.ts';
import { siteLease } from './site-lease.ts';

/** Where the listings' state lives in the documents bucket (shared/publication/site.ts). */
const SITE_STATE = 'site/';

/** Publication's ports: the request and its letter, the listings' state, the public bucket. */
export function publishPorts(names: {
  table: string;
  documents: string;
  public: string;
  timeZone: string;
  /** The CloudFront distribution in front of the public site; none locally. */
  distributionId?: string;
}): PublishPorts {
  const store = requestStore(names.table, names.timeZone);
  // Every public object carries the same short cache lifetime.
  const writePublic = (key: string, body: string | Uint8Array, contentType: string) =>
    writeObject({ bucket: names.public, key }, body, contentType, {
      cacheControl: PUBLIC_CACHE_CONTROL,
    });
  const queries = requestQueries(names.table);
  return {
    getRequest: store.getRequest,
    letter: (request) => readLetter(queries, names.documents, request),
    async readState<T>(name: string) {
      try {
        const bytes = await readObject({ bucket: names.documents, key: SITE_STATE + name });
        return JSON.parse(new TextDecoder().decode(bytes)) as T;
      } catch (error) {
        // Only "no such key" means never written. Anything else (access denied, a fault)
        // is thrown: read as empty, it would have the next publication list one meeting.
        if ((error as Error).name === 'NoSuchKey') return undefined;
        throw error;
      }
    },
    writeState: (name, value) =>
      writeObject(
        { bucket: names.documents, key: SITE_STATE + name },
        JSON.stringify(value),
        'application/json',
      ),
    async readPublic(key) {
      const bytes = await readObjectIfPresent({ bucket: names.public, key });
      return bytes && new TextDecoder().decode(bytes);
    },
    writePublic,
    deletePublic: (key) => deleteObject({ bucket: names.public, key }),
    async copyToPublic(documentKey, publicKey, contentType) {
      const bytes = await readObject({ bucket: names.documents, key: documentKey });
      await writePublic(publicKey, bytes, contentType);
    },
    applyAction: store.applyAction,
    exclusive: siteLease(names.table),
    invalidate: siteCache(names.distributionId),
  };
}
