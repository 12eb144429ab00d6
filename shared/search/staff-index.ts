import MiniSearch, { type AsPlainObject, type Options } from 'minisearch';
import type { RequestRecord } from '../workflow/records.ts';
import type { Stage } from '../workflow/stages.ts';
import { compact, passageOf, processTerm, tokenize } from './text.ts';

/**
 * The staff search index: every request staff may see, across all stages, made from the
 * request as it stands (reference, subject, sender, organisation, the note draft) and the
 * text of its received letters and their attachments. Kept in the catalogue pass
 * (shared/catalogue/catalogue.ts), so it follows the same stream, lease and rebuild as
 * the report facts.
 *
 * Stored as several objects, because a cold start pays for every posting it loads: the
 * fields object holds the entries results show, and the shards, one per first character
 * of a term, hold the index of the terms that start with it, from the request's own
 * fields (reference, subject, sender, organisation) and from its text (letters,
 * attachments, note) alike. A query loads the fields object and only the shards its
 * words start in.
 */

/** The text read from a request's received mail: each letter's body, each attachment's text layer. */
export interface SearchSources {
  letters: string[];
  attachments: string[];
}

/**
 * At most this much of a request's letters, attachments and note is indexed: enough for
 * any letter and the first pages of its papers, while one 40 MB attachment cannot swell
 * the index. What is cut is not found by search. The same text is stored beside the
 * index (one object per request) for passages.
 */
export const MAX_INDEXED_CHARS = 100_000;

/**
 * The shards (named when they held the text alone): one per letter and digit a term can
 * start with, and one for the rest (other scripts, accented first letters). Fixed, so a reader and a writer always agree
 * which object holds a term.
 */
export const TEXT_SHARDS: readonly string[] = [...'abcdefghijklmnopqrstuvwxyz0123456789', 'other'];

/**
 * The shard that holds a term (as processTerm made it: lower case). A prefix search stays
 * in the shard of the word's first character; a fuzzy match that would change the first
 * character is not found, because that shard is never loaded for the word.
 */
export function shardOf(term: string): string {
  const first = term[0] ?? '';
  return /[a-z0-9]/.test(first) ? first : 'other';
}

/** The indexed terms of a query or a text, as the index keeps them. */
export function termsOf(text: string): string[] {
  return tokenize(text).flatMap((token) => processTerm(token) ?? []);
}

/** The shards a query needs loaded: those its words start in. */
export function shardsOfQuery(query: string): string[] {
  return [...new Set(termsOf(query).map(shardOf))].sort();
}

/** What a result shows without reading the request: kept lean, every cold start loads it. */
export interface SearchEntry {
  reference: string;
  subject: string;
  stage: Stage;
  senderName: string;
  senderAddress?: string;
  organisation?: string;
  receivedAt: string;
  meetingStart?: string;
  /**
   * A digest of what was indexed and shown: an entry made again the same is left alone
   * (so an event that changes nothing searchable writes nothing), and a rebuild tells by
   * it which entries the stream changed while it read.
   */
  digest: string;
  /**
   * A digest of the indexed text alone: when it is unchanged, no text in a shard and no
   * text object is written (a stage change rewrites the fields object only), and a
   * reader's cached copy of the text is known current by it.
   */
  textDigest: string;
}

/**
 * The fields object: the entries, which every query loads to show its results. Version 2
 * also held the index of the request's own fields, which every cold start had to load
 * whole (at 10,000 requests, 380 of the 415 ms a cold query spent on it); version 3 keeps
 * that index in the shards, by first character, beside the text's.
 */
export interface SearchFieldsFile {
  version: 2 | 3;
  updatedAt: string;
  entries: Record<string, SearchEntry>;
  /** Version 2 only: the fields index over every request. */
  index?: AsPlainObject;
}

/**
 * One shard's object: the terms that start with its character, from the request's fields
 * (`fields`) and from its text (`text`). Version 2 held the text alone, as `index`. No
 * timestamp: a shard made again the same is the same bytes, so a rebuild run twice writes
 * identical objects.
 */
export type SearchShardFile =
  | { version: 2; shard: string; index: AsPlainObject }
  | { version: 3; shard: string; fields: AsPlainObject; text: AsPlainObject };

/** The document MiniSearch indexes for one request. */
interface SearchDocument {
  id: string;
  reference: string;
  subject: string;
  sender: string;
  organisation: string;
  text: string;
}

type FieldsDocument = Omit<SearchDocument, 'text'>;
type TextDocument = Pick<SearchDocument, 'id' | 'text'>;

/** The request's own fields weigh more than its text, as one index weighed them before. */
const boost = { reference: 8, subject: 3, sender: 2, organisation: 2, text: 1 };

const fieldNames = ['reference', 'subject', 'sender', 'organisation'] as const;

/** Only the terms that start in `shard`: the others are another shard's. */
const inShard = (shard: string) => (term: string) => {
  const kept = processTerm(term);
  return kept !== null && shardOf(kept) === shard ? kept : null;
};

/** Nothing is stored in MiniSearch itself (entries hold what results show). */
const fieldsOptions = (shard?: string): Options<FieldsDocument> => ({
  fields: [...fieldNames],
  storeFields: [],
  tokenize,
  processTerm: shard === undefined ? processTerm : inShard(shard),
});

const textOptions = (shard: string): Options<TextDocument> => ({
  fields: ['text'],
  storeFields: [],
  tokenize,
  processTerm: inShard(shard),
});

/** The fields document of an entry: all of it is shown, so the entry alone makes it again. */
function fieldsDocumentOf(id: string, entry: SearchEntry): FieldsDocument {
  return {
    id,
    reference: entry.reference,
    subject: entry.subject,
    sender: [entry.senderName, entry.senderAddress ?? ''].join(' '),
    organisation: entry.organisation ?? '',
  };
}

const sameFields = (a: FieldsDocument, b: FieldsDocument) =>
  fieldNames.every((field) => a[field] === b[field]);

/** The request as the index sees it: its document, its indexed text, and the entry results show. */
export function searchDocumentOf(
  request: RequestRecord,
  sources: SearchSources,
): { document: SearchDocument; entry: SearchEntry } {
  const parts = [request.draft?.title ?? '', request.draft?.body ?? '', ...sources.letters];
  parts.push(...sources.attachments);
  let text = '';
  for (const part of parts) {
    if (!part.trim()) continue;
    text += `${compact(part)}\n`;
    if (text.length >= MAX_INDEXED_CHARS) break;
  }
  text = text.slice(0, MAX_INDEXED_CHARS);
  const shown = {
    reference: request.reference,
    subject: request.subject,
    stage: request.stage,
    senderName: request.sender.name,
    ...(request.sender.address ? { senderAddress: request.sender.address } : {}),
    ...(request.organisation ? { organisation: request.organisation } : {}),
    receivedAt: request.receivedAt,
    ...(request.meeting ? { meetingStart: request.meeting.start } : {}),
  };
  const document: SearchDocument = {
    ...fieldsDocumentOf(request.id, { ...shown, digest: '', textDigest: '' }),
    text,
  };
  const entry: SearchEntry = {
    ...shown,
    digest: digestOf(
      JSON.stringify([document, request.stage, request.meeting?.start, request.receivedAt]),
    ),
    textDigest: digestOf(text),
  };
  return { document, entry };
}

/** FNV-1a, twice over: enough to tell an entry changed, with no Node crypto in the module. */
function digestOf(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    a = Math.imul(a ^ code, 0x01000193) >>> 0;
    b = Math.imul(b ^ code, 0x5bd1e995) >>> 0;
  }
  return `${a.toString(16).padStart(8, '0')}${b.toString(16).padStart(8, '0')}:${text.length}`;
}

const parseJson = <T>(bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes)) as T;

/** The entries, as a query loads them. */
export class SearchFields {
  private byReference: Map<string, string> | undefined;

  constructor(
    readonly entries: Record<string, SearchEntry>,
    /**
     * The fields index of a version 2 object, which a reader uses until the catalogue has
     * moved the fields into the shards (it writes the shards first, then this object).
     */
    readonly whole?: MiniSearch<FieldsDocument>,
  ) {}

  static parse(bytes: Uint8Array): SearchFields {
    const file = parseJson<SearchFieldsFile>(bytes);
    return new SearchFields(
      file.entries,
      file.index ? MiniSearch.loadJS(file.index, fieldsOptions()) : undefined,
    );
  }

  /** The id of the request with this reference (any case), made once per loaded index. */
  idOfReference(reference: string): string | undefined {
    this.byReference ??= new Map(
      Object.entries(this.entries).map(([id, entry]) => [entry.reference.toLowerCase(), id]),
    );
    return this.byReference.get(reference.toLowerCase());
  }

  forget(): void {
    this.byReference = undefined;
  }
}

/** One shard, as a query loads it: the terms that start with its character, of the fields and of the text. */
export class SearchShard {
  constructor(
    readonly shard: string,
    readonly fields: MiniSearch<FieldsDocument>,
    readonly text: MiniSearch<TextDocument>,
    /** Read from a version 2 object, which held no fields. */
    readonly textOnly = false,
  ) {}

  static empty(shard: string): SearchShard {
    return new SearchShard(
      shard,
      new MiniSearch(fieldsOptions(shard)),
      new MiniSearch(textOptions(shard)),
    );
  }

  static parse(bytes: Uint8Array): SearchShard {
    const file = parseJson<SearchShardFile>(bytes);
    const { shard } = file;
    return file.version === 2
      ? new SearchShard(
          shard,
          new MiniSearch(fieldsOptions(shard)),
          MiniSearch.loadJS(file.index, textOptions(shard)),
          true,
        )
      : new SearchShard(
          shard,
          MiniSearch.loadJS(file.fields, fieldsOptions(shard)),
          MiniSearch.loadJS(file.text, textOptions(shard)),
        );
  }
}

/** What the catalogue writes after a change: only the objects that changed. */
export interface SearchObjects {
  /** The fields object, when any entry changed. */
  fields?: string;
  /** Shard name to its object, for the shards that changed. */
  shards: Record<string, string>;
  /** Request id to its indexed text, or null when the request is gone (delete it). */
  texts: Record<string, string | null>;
}

/** The whole index as the catalogue changes it: loaded, changed in place, written back. */
export class StaffSearchIndex {
  private fieldsChanged = false;
  private readonly shardsChanged = new Set<string>();
  private readonly textsChanged = new Map<string, string | null>();

  private constructor(
    readonly fields: SearchFields,
    readonly shards: Map<string, SearchShard>,
  ) {}

  get entries(): Record<string, SearchEntry> {
    return this.fields.entries;
  }

  static empty(): StaffSearchIndex {
    return StaffSearchIndex.load(undefined, []);
  }

  /**
   * From the stored objects; a shard not yet written is empty. An index stored by version
   * 2 has its fields moved into the shards, from the entries (which hold every field
   * indexed), and every object is written again.
   */
  static load(fields: SearchFields | undefined, shards: readonly SearchShard[]): StaffSearchIndex {
    const held = new Map(shards.map((shard) => [shard.shard, shard]));
    const index = new StaffSearchIndex(
      new SearchFields(fields?.entries ?? {}),
      new Map(TEXT_SHARDS.map((shard) => [shard, held.get(shard) ?? SearchShard.empty(shard)])),
    );
    if (fields?.whole || shards.some((shard) => shard.textOnly)) {
      for (const shard of index.shards.values()) shard.fields.removeAll();
      for (const [id, entry] of Object.entries(index.entries).sort(([a], [b]) => (a < b ? -1 : 1)))
        index.reindexFields(fieldsDocumentOf(id, entry));
      index.fieldsChanged = true;
      for (const shard of TEXT_SHARDS) index.shardsChanged.add(shard);
    }
    return index;
  }

  /** Made from these requests alone, in id order, so the same requests serialize the same. */
  static of(made: ReadonlyArray<ReturnType<typeof searchDocumentOf>>): StaffSearchIndex {
    const index = StaffSearchIndex.empty();
    const sorted = [...made].sort((a, b) => (a.document.id < b.document.id ? -1 : 1));
    for (const { document, entry } of sorted) index.put(document, entry);
    // A rebuild writes every object, so a shard left empty replaces a stale one.
    index.fieldsChanged = true;
    for (const shard of TEXT_SHARDS) index.shardsChanged.add(shard);
    return index;
  }

  /** Whether there is anything to write: a change, or an earlier version moved on as it loaded. */
  get pending(): boolean {
    return this.fieldsChanged || this.shardsChanged.size > 0 || this.textsChanged.size > 0;
  }

  /**
   * Whether the request's fields are in the index: in the shard of their first term
   * (fields with no term at all are in none, and so held).
   */
  private hasFields(document: FieldsDocument): boolean {
    const first = fieldNames.flatMap((field) => termsOf(document[field]))[0];
    return (
      first === undefined || (this.shards.get(shardOf(first))?.fields.has(document.id) ?? false)
    );
  }

  /**
   * Puts one part of a request's document in the shards its terms start in, and takes it
   * out of the shards that held it; a shard it neither had nor has terms in is untouched,
   * so it is not written again.
   */
  private reindex<Document extends { id: string }>(
    part: (shard: SearchShard) => MiniSearch<Document>,
    document: Document,
    values: readonly string[],
  ): void {
    const wanted = new Set(values.flatMap(termsOf).map(shardOf));
    for (const [name, shard] of this.shards) {
      const miniSearch = part(shard);
      const had = miniSearch.has(document.id);
      if (!had && !wanted.has(name)) continue;
      if (had) miniSearch.discard(document.id);
      if (wanted.has(name)) miniSearch.add(document);
      this.shardsChanged.add(name);
    }
  }

  private reindexFields(document: FieldsDocument): void {
    this.reindex(
      (shard) => shard.fields,
      document,
      fieldNames.map((field) => document[field]),
    );
  }

  /**
   * Adds the request's document, or discards the one it had and adds this; false if
   * unchanged. Its fields and its text each go to the shards their terms start in, and
   * only when they changed: a stage change writes the fields object alone.
   */
  put(document: SearchDocument, entry: SearchEntry): boolean {
    const { text, ...fieldsDocument } = document;
    const held = this.entries[document.id];
    const fieldsHeld = held !== undefined && this.hasFields(fieldsDocumentOf(document.id, held));
    if (held?.digest === entry.digest && fieldsHeld) return false;
    if (!fieldsHeld || !sameFields(fieldsDocumentOf(document.id, held), fieldsDocument))
      this.reindexFields(fieldsDocument);
    this.entries[document.id] = entry;
    this.fields.forget();
    this.fieldsChanged = true;
    if (held?.textDigest !== entry.textDigest) {
      this.reindex((shard) => shard.text, { id: document.id, text }, [text]);
      this.textsChanged.set(document.id, text);
    }
    return true;
  }

  /** Takes a request out of the entries and every shard (disposed of); false if it was not there. */
  remove(id: string): boolean {
    let had = false;
    for (const [name, shard] of this.shards)
      for (const miniSearch of [shard.fields, shard.text] as MiniSearch<never>[]) {
        if (!miniSearch.has(id)) continue;
        miniSearch.discard(id);
        this.shardsChanged.add(name);
        had = true;
      }
    if (this.entries[id]) {
      delete this.entries[id];
      had = true;
    }
    if (!had) return false;
    this.fields.forget();
    this.fieldsChanged = true;
    this.textsChanged.set(id, null);
    return true;
  }

  /** The objects to store: discarded documents' terms swept out first, entries in id order. */
  async serialize(now: Date): Promise<SearchObjects> {
    const sweep = async (miniSearch: MiniSearch<never>) => {
      if (miniSearch.dirtCount > 0) await miniSearch.vacuum({ batchSize: 10_000 });
    };
    const objects: SearchObjects = { shards: {}, texts: Object.fromEntries(this.textsChanged) };
    for (const name of [...this.shardsChanged].sort()) {
      const shard = this.shards.get(name);
      if (!shard) continue;
      await sweep(shard.fields as MiniSearch<never>);
      await sweep(shard.text as MiniSearch<never>);
      const file: SearchShardFile = {
        version: 3,
        shard: name,
        fields: shard.fields.toJSON(),
        text: shard.text.toJSON(),
      };
      objects.shards[name] = JSON.stringify(file);
    }
    if (this.fieldsChanged) {
      const entries = Object.fromEntries(
        Object.entries(this.entries).sort(([a], [b]) => (a < b ? -1 : 1)),
      );
      const file: SearchFieldsFile = { version: 3, updatedAt: now.toISOString(), entries };
      objects.fields = JSON.stringify(file);
    }
    // Written once: the next change starts counting afresh.
    this.fieldsChanged = false;
    this.shardsChanged.clear();
    this.textsChanged.clear();
    return objects;
  }
}

/** One result as the search API answers it. */
export interface SearchHit {
  id: string;
  reference: string;
  subject: string;
  stage: Stage;
  score: number;
  passage: string;
  /** The words of the request that matched (lower case), for the UI to mark. */
  terms: string[];
}

/** A page of results, and the offset of the next when there is one. */
export interface SearchPage {
  hits: SearchHit[];
  total: number;
  next?: number;
}

/** What a query reads: the fields object and the shards its words start in (others may be absent). */
export interface LoadedSearch {
  fields: SearchFields;
  shards: ReadonlyMap<string, SearchShard>;
}

/** One request found, before paging. */
export interface RankedRequest {
  id: string;
  score: number;
  terms: string[];
  /**
   * Whether a shard's text index matched it: only then is its text worth reading for the
   * passage (a match in its fields alone is shown from the entry's fields).
   */
  inText?: boolean;
}

/** References as intake makes them: `REQ-2026-00042`. */
const referencePattern = /^[A-Z]{2,10}-\d{4}-\d{1,10}$/i;

/** The last word typed may be the start of one; longer words forgive a typo. */
const prefixOf = (term: string, at: number, terms: readonly string[]) =>
  at === terms.length - 1 && term.length >= 3;
const fuzzyOf = (term: string) => (term.length >= 6 && !/\d/.test(term) ? 0.15 : 0);

/**
 * Per query term, a request's score is what the term's shard's fields and text indexes
 * (or a version 2 object's whole fields index, and the text) each give it, summed (one index over all five fields summed them the same way); across
 * terms, a request must match every one (AND) and the scores add, then are multiplied by
 * the number of terms, as MiniSearch's own AND query weighs a result by the terms it
 * matched. Exported for the unit tests.
 */
export function combineTerms(
  perTerm: ReadonlyArray<ReadonlyArray<ReadonlyArray<RankedRequest>>>,
): RankedRequest[] {
  let combined: Map<string, { score: number; terms: Set<string> }> | undefined;
  for (const sources of perTerm) {
    const forTerm = new Map<string, { score: number; terms: Set<string> }>();
    for (const results of sources)
      for (const result of results) {
        const held = forTerm.get(result.id) ?? { score: 0, terms: new Set<string>() };
        held.score += result.score;
        for (const term of result.terms) held.terms.add(term);
        forTerm.set(result.id, held);
      }
    if (!combined) {
      combined = forTerm;
      continue;
    }
    for (const [id, held] of combined) {
      const also = forTerm.get(id);
      if (!also) {
        combined.delete(id);
        continue;
      }
      held.score += also.score;
      for (const term of also.terms) held.terms.add(term);
    }
  }
  const quality = perTerm.length;
  return [...(combined ?? [])].map(([id, { score, terms }]) => ({
    id,
    score: score * quality,
    terms: [...terms],
  }));
}

/**
 * Ranked requests for what staff typed: BM25 order, except that a request whose
 * reference is exactly what was asked comes first, found or not by the words. Equal
 * scores in request-id order: MiniSearch's own internal ids differ between an index kept
 * from the stream and one rebuilt. A shard the query needs but `loaded` lacks finds nothing.
 */
export function rankRequests(loaded: LoadedSearch, query: string): RankedRequest[] {
  const terms = termsOf(query);
  const matchedInText = new Set<string>();
  const perTerm = terms.map((term, at) => {
    const options = {
      prefix: prefixOf(term, at, terms),
      fuzzy: fuzzyOf(term),
      boost,
      combineWith: 'OR' as const,
      // The term is already a processed term: searched as it is, not split again.
      tokenize: (whole: string) => [whole],
      processTerm: (whole: string) => whole,
    };
    const shard = loaded.shards.get(shardOf(term));
    const fieldsIndex = loaded.fields.whole ?? shard?.fields;
    const fromFields = fieldsIndex ? fieldsIndex.search(term, options) : [];
    const fromText = shard ? shard.text.search(term, options) : [];
    const toRanked = (results: typeof fromFields) =>
      results.map((result) => ({
        id: String(result.id),
        score: result.score,
        terms: result.terms,
      }));
    for (const result of fromText) matchedInText.add(String(result.id));
    return [toRanked(fromFields), toRanked(fromText)];
  });
  const ranked = (terms.length ? combineTerms(perTerm) : []).map((result) => ({
    ...result,
    inText: matchedInText.has(result.id),
  }));
  ranked.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const wanted = query.trim();
  const exactId = referencePattern.test(wanted) ? loaded.fields.idOfReference(wanted) : undefined;
  if (exactId) {
    const at = ranked.findIndex((result) => result.id === exactId);
    const [exact] = at >= 0 ? ranked.splice(at, 1) : [];
    const top = ranked[0]?.score ?? 0;
    ranked.unshift({
      id: exactId,
      score: Math.max(exact?.score ?? 0, top) + 1,
      terms: exact?.terms ?? [wanted.toLowerCase()],
      inText: exact?.inText ?? false,
    });
  }
  return ranked;
}

/**
 * One page of ranked requests as the API answers it, passages cut from each request's
 * indexed text where `texts` holds it (the caller reads only the page's), else from what
 * the entry shows.
 */
export function pageOf(
  fields: SearchFields,
  ranked: readonly RankedRequest[],
  page: { offset: number; limit: number },
  texts: ReadonlyMap<string, string> = new Map(),
): SearchPage {
  const slice = ranked.slice(page.offset, page.offset + page.limit);
  const hits = slice.flatMap(({ id, score, terms }): SearchHit[] => {
    const entry = fields.entries[id];
    if (!entry) return [];
    return [
      {
        id,
        reference: entry.reference,
        subject: entry.subject,
        stage: entry.stage,
        score: Math.round(score * 1000) / 1000,
        passage: passageOf(passageSourceOf(entry, texts.get(id) ?? '', terms), terms),
        terms,
      },
    ];
  });
  const next = page.offset + page.limit;
  return { hits, total: ranked.length, ...(next < ranked.length ? { next } : {}) };
}

/** Ranked and paged in one, for callers that hold every text they want passages from. */
export function searchRequests(
  loaded: LoadedSearch,
  query: string,
  page: { offset: number; limit: number },
  texts?: ReadonlyMap<string, string>,
): SearchPage {
  return pageOf(loaded.fields, rankRequests(loaded, query), page, texts);
}

/** Where the passage comes from: the text, unless the match is only in the request's own fields. */
function passageSourceOf(entry: SearchEntry, text: string, terms: readonly string[]): string {
  const lower = text.toLowerCase();
  if (text && terms.some((term) => lower.includes(term))) return text;
  const fieldsLine = [
    entry.subject,
    `from ${entry.senderName}${entry.senderAddress ? ` <${entry.senderAddress}>` : ''}`,
    entry.organisation ?? '',
  ]
    .filter(Boolean)
    .join(' · ');
  return terms.some((term) => fieldsLine.toLowerCase().includes(term)) || !text ? fieldsLine : text;
}

/** Who a correspondent page is about: a sender (by address, or name) or an organisation. */
export type Correspondent = { sender: string } | { organisation: string };

/** Every request of one sender or organisation, newest first, from the index's entries. */
export function requestsOf(index: { entries: Record<string, SearchEntry> }, who: Correspondent) {
  const same = (a: string | undefined, b: string) =>
    a !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();
  return Object.entries(index.entries)
    .filter(([, entry]) =>
      'sender' in who
        ? same(entry.senderAddress, who.sender) || same(entry.senderName, who.sender)
        : same(entry.organisation, who.organisation),
    )
    .map(([id, entry]) => ({
      id,
      reference: entry.reference,
      subject: entry.subject,
      stage: entry.stage,
      receivedAt: entry.receivedAt,
      senderName: entry.senderName,
      ...(entry.senderAddress ? { senderAddress: entry.senderAddress } : {}),
      ...(entry.organisation ? { organisation: entry.organisation } : {}),
      ...(entry.meetingStart ? { meetingStart: entry.meetingStart } : {}),
    }))
    .sort((a, b) => (a.receivedAt < b.receivedAt ? 1 : a.receivedAt > b.receivedAt ? -1 : 0));
}
