import type { PublishPorts } from '../publication/publish.ts';
import { PUBLIC_CACHE_CONTROL, type PublishedMeeting } from '../publication/render.ts';
import { deleteObject, readObject, writeObject } from './documents.ts';
import { readLetter } from './letter.ts';
import { requestQueries } from './request-queries.ts';
import { requestStore } from './request-store.ts';
import { siteCache } from './site-cache.ts';
import { siteLease } from './site-lease.ts';

const MANIFEST = 'site/manifest.json';

/** Publication's ports: the request and its letter, the site manifest, the public bucket. */
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
    async readManifest() {
      try {
        return JSON.parse(
          new TextDecoder().decode(await readObject({ bucket: names.documents, key: MANIFEST })),
        ) as PublishedMeeting[];
      } catch (error) {
        if ((error as Error).name === 'NoSuchKey') return [];
        throw error;
      }
    },
    writeManifest: (meetings) =>
      writeObject(
        { bucket: names.documents, key: MANIFEST },
        JSON.stringify(meetings),
        'application/json',
      ),
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
