import MiniSearch, { type AsPlainObject, type Options } from 'minisearch';
import type { RequestRecord } from '../workflow/records.ts';
import type { Stage } from '../workflow/stages.ts';
import { compact, passageOf, processTerm, tokenize } from './text.ts';

/**
 * The staff search index: every request staff may see, across all stages, made from the
 * request as it stands (reference, subject, sender, organisation, the note draft) and the
 * text of its received letters and their attachments. Kept in the catalogue pass
 * (shared/catalogue/catalogue.ts), so it follows the same stream, lease and rebuild as
 * the report facts; stored as one object in the documents bucket, which the search API
 * loads and keeps warm.
 */

/** The text read from a request's received mail: each letter's body, each attachment's text layer. */
export interface SearchSources {
  letters: string[];
  attachments: string[];
}

/**
 * At most this much of a request's letters, attachments and note is indexed: enough for
 * any letter and the first pages of its papers, while one 40 MB attachment cannot swell
 * the index every search loads. What is cut is not found by search.
 */
export const MAX_INDEXED_CHARS = 100_000;
/**
 * Passages are cut from the first this many characters of that text (kept beside the
 * index); a match further in shows the start instead. Keeps the object lean.
 */
export const PASSAGE_SOURCE_CHARS = 300;

/** What a result shows without reading the request, and what passages are cut from. */
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
  /** The start of the indexed text, compacted: what passages are cut from. */
  text: string;
}

export interface SearchIndexFile {
  version: 1;
  updatedAt: string;
  entries: Record<string, SearchEntry>;
  index: AsPlainObject;
}

/** The document MiniSearch indexes for one request. */
interface SearchDocument {
  id: string;
  reference: string;
  subject: string;
  sender: string;
  organisation: string;
  text: string;
}

const fields = ['reference', 'subject', 'sender', 'organisation', 'text'] as const;

/**
 * Index options: the same at indexing and at query time, and in the benchmark's raw
 * query. Nothing is stored in MiniSearch itself (entries hold what results show).
 */
export const indexOptions: Options<SearchDocument> = {
  fields: [...fields],
  storeFields: [],
  tokenize,
  processTerm,
  searchOptions: {
    boost: { reference: 8, subject: 3, sender: 2, organisation: 2 },
    combineWith: 'AND',
    // The last word typed may be the start of one; longer words forgive a typo.
    prefix: (term, index, terms) => index === terms.length - 1 && term.length >= 3,
    fuzzy: (term) => (term.length >= 6 && !/\d/.test(term) ? 0.15 : 0),
  },
};

/** The request as the index sees it: its document, and the entry results show. */
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
  const sender = [request.sender.name, request.sender.address ?? ''].join(' ');
  const document: SearchDocument = {
    id: request.id,
    reference: request.reference,
    subject: request.subject,
    sender,
    organisation: request.organisation ?? '',
    text,
  };
  const entry: SearchEntry = {
    reference: request.reference,
    subject: request.subject,
    stage: request.stage,
    senderName: request.sender.name,
    ...(request.sender.address ? { senderAddress: request.sender.address } : {}),
    ...(request.organisation ? { organisation: request.organisation } : {}),
    receivedAt: request.receivedAt,
    ...(request.meeting ? { meetingStart: request.meeting.start } : {}),
    digest: digestOf(
      JSON.stringify([document, request.stage, request.meeting?.start, request.receivedAt]),
    ),
    text: text.slice(0, PASSAGE_SOURCE_CHARS).trim(),
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

/** The index as the catalogue changes it: loaded, changed in place, written back. */
export class StaffSearchIndex {
  private byReference: Map<string, string> | undefined;

  private constructor(
    readonly miniSearch: MiniSearch<SearchDocument>,
    readonly entries: Record<string, SearchEntry>,
  ) {}

  static empty(): StaffSearchIndex {
    return new StaffSearchIndex(new MiniSearch(indexOptions), {});
  }

  static load(file: SearchIndexFile): StaffSearchIndex {
    return new StaffSearchIndex(MiniSearch.loadJS(file.index, indexOptions), file.entries);
  }

  static parse(bytes: Uint8Array): StaffSearchIndex {
    return StaffSearchIndex.load(JSON.parse(new TextDecoder().decode(bytes)) as SearchIndexFile);
  }

  /** Made from these requests alone, in id order, so the same requests serialize the same. */
  static of(made: ReadonlyArray<ReturnType<typeof searchDocumentOf>>): StaffSearchIndex {
    const index = StaffSearchIndex.empty();
    const sorted = [...made].sort((a, b) => (a.document.id < b.document.id ? -1 : 1));
    for (const { document, entry } of sorted) index.put(document, entry);
    return index;
  }

  /** The id of the request with this reference (any case), made once per loaded index. */
  idOfReference(reference: string): string | undefined {
    this.byReference ??= new Map(
      Object.entries(this.entries).map(([id, entry]) => [entry.reference.toLowerCase(), id]),
    );
    return this.byReference.get(reference.toLowerCase());
  }

  /** Adds the request's document, or discards the one it had and adds this; false if unchanged. */
  put(document: SearchDocument, entry: SearchEntry): boolean {
    const held = this.entries[document.id];
    if (held?.digest === entry.digest && this.miniSearch.has(document.id)) return false;
    if (this.miniSearch.has(document.id)) this.miniSearch.discard(document.id);
    this.miniSearch.add(document);
    this.entries[document.id] = entry;
    this.byReference = undefined;
    return true;
  }

  /** Takes a request out (disposed of); false if it was not there. */
  remove(id: string): boolean {
    const had = this.miniSearch.has(id);
    if (had) this.miniSearch.discard(id);
    if (!this.entries[id]) return had;
    delete this.entries[id];
    this.byReference = undefined;
    return true;
  }

  /** The object to store: discarded documents' terms swept out first, entries in id order. */
  async serialize(now: Date): Promise<string> {
    if (this.miniSearch.dirtCount > 0) await this.miniSearch.vacuum({ batchSize: 10_000 });
    const entries = Object.fromEntries(
      Object.entries(this.entries).sort(([a], [b]) => (a < b ? -1 : 1)),
    );
    const file = {
      version: 1,
      updatedAt: now.toISOString(),
      entries,
      index: this.miniSearch,
    };
    return JSON.stringify(file);
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

/** References as intake makes them: `REQ-2026-00042`. */
const referencePattern = /^[A-Z]{2,10}-\d{4}-\d{1,10}$/i;

/**
 * Ranked results for what staff typed: MiniSearch's BM25 order, except that a request
 * whose reference is exactly what was asked comes first, found or not by the words.
 */
export function searchRequests(
  index: StaffSearchIndex,
  query: string,
  page: { offset: number; limit: number },
): SearchPage {
  const found = index.miniSearch.search(query);
  const wanted = query.trim();
  const exactId = referencePattern.test(wanted) ? index.idOfReference(wanted) : undefined;
  const ranked: Array<{ id: string; score: number; terms: string[] }> = found.map((result) => ({
    id: String(result.id),
    score: result.score,
    terms: result.terms,
  }));
  // Equal scores in request-id order: MiniSearch breaks ties by its own internal ids,
  // which differ between an index kept from the stream and one rebuilt.
  ranked.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (exactId) {
    const at = ranked.findIndex((result) => result.id === exactId);
    const [exact] = at >= 0 ? ranked.splice(at, 1) : [];
    const top = ranked[0]?.score ?? 0;
    ranked.unshift({
      id: exactId,
      score: Math.max(exact?.score ?? 0, top) + 1,
      terms: exact?.terms ?? [wanted.toLowerCase()],
    });
  }
  const slice = ranked.slice(page.offset, page.offset + page.limit);
  const hits = slice.flatMap(({ id, score, terms }): SearchHit[] => {
    const entry = index.entries[id];
    if (!entry) return [];
    return [
      {
        id,
        reference: entry.reference,
        subject: entry.subject,
        stage: entry.stage,
        score: Math.round(score * 1000) / 1000,
        passage: passageOf(passageSourceOf(entry, terms), terms),
        terms,
      },
    ];
  });
  const next = page.offset + page.limit;
  return { hits, total: ranked.length, ...(next < ranked.length ? { next } : {}) };
}

/** Where the passage comes from: the text, unless the match is only in the request's own fields. */
function passageSourceOf(entry: SearchEntry, terms: readonly string[]): string {
  const inText = terms.some((term) => entry.text.toLowerCase().includes(term));
  if (inText || !entry.text) {
    return entry.text || entry.subject;
  }
  const fieldsLine = [
    entry.subject,
    `from ${entry.senderName}${entry.senderAddress ? ` <${entry.senderAddress}>` : ''}`,
    entry.organisation ?? '',
  ]
    .filter(Boolean)
    .join(' · ');
  return terms.some((term) => fieldsLine.toLowerCase().includes(term)) ? fieldsLine : entry.text;
}

/** Who a correspondent page is about: a sender (by address, or name) or an organisation. */
export type Correspondent = { sender: string } | { organisation: string };

/** Every request of one sender or organisation, newest first, from the index's entries. */
export function requestsOf(index: StaffSearchIndex, who: Correspondent) {
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
