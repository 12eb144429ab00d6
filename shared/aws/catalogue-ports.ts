import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { CataloguePorts, FactsFile, RequestHistory } from '../catalogue/catalogue.ts';
import {
  MAX_INDEXED_CHARS,
  SearchFields,
  type SearchFieldsFile,
  SearchShard,
  type SearchSources,
  StaffSearchIndex,
  TEXT_SHARDS,
} from '../search/staff-index.ts';
import type { AuditEvent } from '../workflow/audit.ts';
import type { MessageRecord, RequestRecord } from '../workflow/records.ts';
import { dynamo } from './clients.ts';
import {
  deleteObject,
  listKeys,
  readObjectIfPresent,
  readObjectStart,
  writeObject,
} from './documents.ts';
import { EVENT_PREFIX, keys } from './keys.ts';
import { queryAll } from './query-all.ts';
import { lease } from './site-lease.ts';
import { textLayers } from './text-layers.ts';

/** Where the catalogue keeps its objects, in the documents bucket (never public). */
export const catalogueKeys = {
  facts: 'catalogue/report-facts.json',
  /**
   * The staff search index (shared/search/staff-index.ts): the entries, which every query
   * loads ...
   */
  searchFields: 'catalogue/search/fields.json',
  /**
   * ... the shard of the terms starting with `shard`, of the fields and the text, loaded
   * by the queries that need it (named when a shard held the text alone; kept, so an index
   * written then is read and moved on, not lost) ...
   */
  searchShard: (shard: string) => `catalogue/search/text-${shard}.json`,
  /** ... and each request's indexed text, which a page's passages are cut from. */
  searchText: (requestId: string) => `catalogue/texts/${requestId}.txt`,
  searchTexts: 'catalogue/texts/',
} as const;

/** At most this many objects written or read at once: a rebuild writes one per request. */
const PARALLEL_OBJECTS = 8;

async function inParallel<T>(tasks: readonly T[], work: (task: T) => Promise<unknown>) {
  const queue = [...tasks];
  const worker = async () => {
    for (let task = queue.shift(); task !== undefined; task = queue.shift()) await work(task);
  };
  await Promise.all(Array.from({ length: PARALLEL_OBJECTS }, worker));
}

/** The catalogue's storage: the table it reads requests from, the bucket it writes to. */
export function cataloguePorts(table: string, documents: string): CataloguePorts {
  return {
    exclusive: lease(table, keys.catalogueLease(), 'catalogue update'),
    history: (requestId) => requestHistory(table, requestId),
    async readFacts() {
      const bytes = await readObjectIfPresent({ bucket: documents, key: catalogueKeys.facts });
      return bytes ? (JSON.parse(new TextDecoder().decode(bytes)) as FactsFile) : undefined;
    },
    writeFacts: (file) =>
      writeObject(
        { bucket: documents, key: catalogueKeys.facts },
        JSON.stringify(file),
        'application/json',
      ),
    searchSources: (request) => searchSourcesOf(table, documents, request),
    async readSearchIndex() {
      const fields = await readObjectIfPresent({
        bucket: documents,
        key: catalogueKeys.searchFields,
      });
      if (!fields) return undefined;
      const shards: SearchShard[] = [];
      await inParallel(TEXT_SHARDS, async (shard) => {
        const key = catalogueKeys.searchShard(shard);
        const bytes = await readObjectIfPresent({ bucket: documents, key });
        if (bytes) shards.push(SearchShard.parse(bytes));
      });
      return StaffSearchIndex.load(SearchFields.parse(fields), shards);
    },
    async readSearchEntries() {
      const key = catalogueKeys.searchFields;
      const bytes = await readObjectIfPresent({ bucket: documents, key });
      if (!bytes) return undefined;
      return (JSON.parse(new TextDecoder().decode(bytes)) as SearchFieldsFile).entries;
    },
    async searchTextIds() {
      const ids = (await listKeys(documents, catalogueKeys.searchTexts)).map((key) =>
        key.slice(catalogueKeys.searchTexts.length),
      );
      return ids.flatMap((name) => (name.endsWith('.txt') ? [name.slice(0, -'.txt'.length)] : []));
    },
    async writeSearchObjects(objects) {
      const json = 'application/json';
      // Texts and shards before the fields object: a reader that sees an entry finds its
      // text; one that reads a shard a little ahead of the fields finds only ids it knows
      // or drops them (pageOf skips a hit with no entry, though the total counts it, for
      // the 2 s a reader may hold the older entries).
      await inParallel(Object.entries(objects.texts), ([id, text]) => {
        const ref = { bucket: documents, key: catalogueKeys.searchText(id) };
        return text === null
          ? deleteObject(ref)
          : writeObject(ref, text, 'text/plain; charset=utf-8');
      });
      await inParallel(Object.entries(objects.shards), ([shard, body]) =>
        writeObject({ bucket: documents, key: catalogueKeys.searchShard(shard) }, body, json),
      );
      if (objects.fields !== undefined)
        await writeObject(
          { bucket: documents, key: catalogueKeys.searchFields },
          objects.fields,
          json,
        );
    },
  };
}

/**
 * The text of a request's received mail for the index: each letter's body (its start
 * only, with one ranged read) and each attachment's text layer once extraction wrote it,
 * until MAX_INDEXED_CHARS are read.
 */
async function searchSourcesOf(
  table: string,
  documents: string,
  request: RequestRecord,
): Promise<SearchSources> {
  const sources: SearchSources = { letters: [], attachments: [] };
  const layers = textLayers(documents);
  let read = 0;
  for (const message of await inboundMessagesOf(table, request.id)) {
    if (!message.documents || message.duplicateOf || read >= MAX_INDEXED_CHARS) continue;
    const body = await readObjectStart(
      { bucket: documents, key: message.documents.text },
      MAX_INDEXED_CHARS * 4,
    ).catch(() => undefined);
    const letter = body ? new TextDecoder().decode(body.bytes) : '';
    sources.letters.push(letter);
    read += letter.length;
    for (const attachment of message.documents.attachments) {
      if (attachment.inline || read >= MAX_INDEXED_CHARS) continue;
      const layer = await layers.textLayer(attachment.key);
      if (!layer?.text) continue;
      sources.attachments.push(layer.text.slice(0, MAX_INDEXED_CHARS));
      read += layer.text.length;
    }
  }
  return sources;
}

async function inboundMessagesOf(table: string, requestId: string): Promise<MessageRecord[]> {
  const messages = await queryAll<MessageRecord>({
    TableName: table,
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :message)',
    ExpressionAttributeValues: { ':pk': keys.request(requestId).PK, ':message': 'MSG#' },
    ConsistentRead: true,
  });
  return messages.filter((message) => message.direction === 'inbound');
}

/** A request and its audit events, read consistently: the stream may be just behind them. */
export async function requestHistory(
  table: string,
  requestId: string,
): Promise<RequestHistory | undefined> {
  const [found, events] = await Promise.all([
    dynamo.send(
      new GetCommand({ TableName: table, Key: keys.request(requestId), ConsistentRead: true }),
    ),
    eventsOf(table, requestId),
  ]);
  return found.Item ? { request: found.Item as RequestRecord, events } : undefined;
}

const eventsOf = (table: string, requestId: string) =>
  queryAll<AuditEvent>({
    TableName: table,
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :event)',
    ExpressionAttributeValues: { ':pk': keys.request(requestId).PK, ':event': EVENT_PREFIX },
    ConsistentRead: true,
  });

/**
 * Every request in the table with its events, for a rebuild: one scan for the requests,
 * then each one's events, a few at a time.
 */
export async function* everyRequestHistory(table: string): AsyncGenerator<RequestHistory> {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: '#type = :request',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':request': 'request' },
        ExclusiveStartKey: start,
      }),
    );
    const requests = (page.Items ?? []) as RequestRecord[];
    for (let index = 0; index < requests.length; index += 8) {
      const batch = requests.slice(index, index + 8);
      const events = await Promise.all(batch.map((request) => eventsOf(table, request.id)));
      for (const [n, request] of batch.entries()) yield { request, events: events[n] ?? [] };
    }
    start = page.LastEvaluatedKey;
  } while (start);
}
