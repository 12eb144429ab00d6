import type { StoredAttachment } from '../workflow/records.ts';

/**
 * An attachment's text, extracted once when its message is filed (functions/extract-text.ts)
 * and kept beside it in the documents bucket, so redaction review (and search) read text,
 * never parse a PDF inside an API call. What could not be read says why: staff must then
 * give a reason to publish it.
 */
export interface TextLayer {
  /**
   * `extracted`: text was read. `empty`: the file holds no text (a scan with no text layer;
   * someone must look at it). `unreadable`: damaged, encrypted or not what it claims.
   * `unsupported`: a kind postroom does not read (Word, images).
   */
  status: 'extracted' | 'empty' | 'unreadable' | 'unsupported';
  text: string;
  /** Set when only the first MAX_TEXT_CHARS characters (or MAX_PDF_PAGES pages) were kept. */
  truncated?: boolean;
  pages?: number;
  /** Why a file could not be read, for staff. */
  reason?: string;
  /**
   * Why not all of a file that was read was: parts of it postroom does not read (a
   * PDF's earlier revisions). Clearing it then needs a reason, as for one not read.
   */
  partial?: string;
  /** What read it, so a later, better extractor can tell which layers to redo. */
  extractor: string;
  extractedAt: string;
}

/** How postroom reads an attachment's text. */
export type TextKind = 'pdf' | 'text' | 'unsupported';

/** Text layers beyond this are cut: review still sees ten million characters of it. */
export const MAX_TEXT_CHARS = 10_000_000;
export const MAX_PDF_PAGES = 2_000;

const textTypes = /^(text\/|application\/(json|xml|csv)|message\/)/i;
const textNames = /\.(txt|csv|tsv|md|ics|vcf|json|xml|html?|eml)$/i;

export function textKindOf(contentType: string, filename: string): TextKind {
  if (/^application\/pdf$/i.test(contentType) || /\.pdf$/i.test(filename)) return 'pdf';
  if (textTypes.test(contentType) || textNames.test(filename)) return 'text';
  return 'unsupported';
}

/**
 * Where an attachment's text layer is kept: beside it, under text/ rather than attachments/,
 * so a listing of the attachments stays one object per attachment. Under the request's
 * prefix, so disposal (shared/retention/disposal.ts) deletes it with everything else.
 */
export function textLayerKey(attachmentKey: string): string {
  const at = attachmentKey.lastIndexOf('/attachments/');
  if (at < 0) throw new Error(`${attachmentKey} is not an attachment key`);
  return `${attachmentKey.slice(0, at)}/text/${attachmentKey.slice(at + '/attachments/'.length)}.json`;
}

/** What reads a PDF's text layer: unpdf in the extraction function, a stand-in nowhere. */
export type PdfReader = (
  bytes: Uint8Array,
) => Promise<{ text: string; pages: number; truncated: boolean; partial?: string }>;

/**
 * What finds people's names in text: compromise in the extraction function. It may stop
 * short of the end (a time budget): `charsRead` says how far it got.
 */
export type PeopleFinder = (text: string) => { names: string[]; charsRead: number };

/**
 * The people a message's text names, as NLP found them when it was filed: kept beside
 * the message, read with its letter (shared/aws/letter.ts), and private unless staff say
 * otherwise.
 */
export interface PeopleFound {
  names: string[];
  finder: string;
  /** Characters read: NLP reads at most MAX_NLP_CHARS of a message, body first. */
  charsRead: number;
  /** Whether that was all of the message's text (the body and every attachment's). */
  complete: boolean;
  foundAt: string;
}

/** NLP costs about a second and 200 MB per MB of text: a letter's names are in its first. */
export const MAX_NLP_CHARS = 2_000_000;
export const PEOPLE_FINDER = 'compromise-14';

export interface ExtractionPorts {
  readAttachment(key: string): Promise<Uint8Array>;
  hasTextLayer(attachmentKey: string): Promise<boolean>;
  readTextLayer(attachmentKey: string): Promise<TextLayer | undefined>;
  writeTextLayer(attachmentKey: string, layer: TextLayer): Promise<void>;
  readBody(key: string): Promise<string>;
  hasPeople(messagePrefix: string): Promise<boolean>;
  writePeople(messagePrefix: string, people: PeopleFound): Promise<void>;
  readPdf: PdfReader;
  findPeople: PeopleFinder;
}

/** Where the people a message names are kept: beside its text layers. */
export const peopleKey = (messagePrefix: string) => `${messagePrefix}/text/people.json`;

/** The folder of a message's documents, from its body's key. */
export const messagePrefixOf = (bodyKey: string) => bodyKey.replace(/\/[^/]+$/, '');

export const EXTRACTOR = 'unpdf-1.7';

/**
 * Text of a text attachment: UTF-16 when it starts with a byte-order mark, else in the
 * charset its type names, else UTF-8, else (bytes that are not UTF-8) windows-1252, the
 * commonest legacy charset, which decodes any byte. Parsing keeps an attachment's type
 * without its parameters, so the fallback is the rule.
 */
function decodeText(bytes: Uint8Array, contentType: string): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  const charset = /charset="?([\w.:-]+)/i.exec(contentType)?.[1];
  if (charset) {
    try {
      return new TextDecoder(charset).decode(bytes);
    } catch {
      // An unknown charset label: read it as the fallbacks below would.
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/** Tags that end a line of text as a browser shows it. */
const blockTag = /^<\/?(?:p|div|br|li|tr|td|th|h\d|section|article|table|ul|ol)\b/i;

/**
 * HTML as a reader sees it: tags gone (`07700<b></b> 900123` is one number), block tags
 * as line breaks; entities are decoded by detection itself. One pass, each tag found with
 * indexOf from where the last ended, so a page of unclosed `<` is still linear.
 */
function htmlText(html: string): string {
  const parts: string[] = [];
  let at = 0;
  for (let open = html.indexOf('<'); open >= 0; open = html.indexOf('<', at)) {
    const close = html.indexOf('>', open);
    if (close < 0) break;
    parts.push(html.slice(at, open));
    if (blockTag.test(html.slice(open, open + 12))) parts.push('\n');
    at = close + 1;
  }
  parts.push(html.slice(at));
  return parts.join('');
}

/** The reason a PDF library's error gives staff, without its stack. */
function whyUnreadable(error: unknown): string {
  const name = (error as Error)?.name ?? '';
  if (name === 'PasswordException') return 'it is password-protected';
  const message = String((error as Error)?.message ?? error).slice(0, 200);
  return `it is not a readable PDF (${message})`;
}

/** Reads one attachment's text. Never throws for the file's own faults: it says why. */
export async function readTextLayer(
  attachment: Pick<StoredAttachment, 'filename' | 'contentType'>,
  bytes: Uint8Array,
  readPdf: PdfReader,
  now: Date,
): Promise<TextLayer> {
  const base = { extractor: EXTRACTOR, extractedAt: now.toISOString() };
  const kind = textKindOf(attachment.contentType, attachment.filename);
  if (kind === 'unsupported') {
    return {
      ...base,
      status: 'unsupported',
      text: '',
      reason: `postroom does not read the text of ${attachment.contentType || 'this kind of file'}`,
    };
  }
  if (kind === 'text') {
    const decoded = decodeText(bytes, attachment.contentType);
    // NULs in text: UTF-16 without its mark, or binary named as text. Either way what
    // detection would read is not what a reader sees.
    if (decoded.includes('\u0000')) {
      return {
        ...base,
        status: 'unreadable',
        text: '',
        reason: 'its text is in an encoding postroom cannot tell (it holds NUL characters)',
      };
    }
    const html = /html/i.test(attachment.contentType) || /\.html?$/i.test(attachment.filename);
    const text = html ? htmlText(decoded) : decoded;
    const truncated = text.length > MAX_TEXT_CHARS;
    return {
      ...base,
      status: text.trim() ? 'extracted' : 'empty',
      text: truncated ? text.slice(0, MAX_TEXT_CHARS) : text,
      ...(truncated ? { truncated } : {}),
    };
  }
  try {
    const read = await readPdf(bytes);
    const truncated = read.truncated || read.text.length > MAX_TEXT_CHARS;
    return {
      ...base,
      status: read.text.trim() ? 'extracted' : 'empty',
      text: read.text.slice(0, MAX_TEXT_CHARS),
      pages: read.pages,
      ...(truncated ? { truncated } : {}),
      ...(read.partial ? { partial: read.partial } : {}),
      ...(read.text.trim() ? {} : { reason: 'it has no text layer: a scan must be read by eye' }),
    };
  } catch (error) {
    return { ...base, status: 'unreadable', text: '', reason: whyUnreadable(error) };
  }
}

/**
 * Extracts the text layer of each attachment of a filed message that has none yet, then
 * the people its body and attachments name. The stream delivers a message at least once;
 * what was written already is left as it is (and would be written the same), so a repeat
 * changes nothing.
 */
export async function extractTextLayers(
  documents: { text: string; attachments: readonly StoredAttachment[] },
  ports: ExtractionPorts,
  now: Date,
): Promise<{ extracted: number; skipped: number; names: number | 'kept' }> {
  let extracted = 0;
  let skipped = 0;
  // One at a time: a 40 MB PDF parses into several times its size in memory.
  for (const attachment of documents.attachments) {
    if (attachment.inline || (await ports.hasTextLayer(attachment.key))) {
      skipped += 1;
      continue;
    }
    const kind = textKindOf(attachment.contentType, attachment.filename);
    const bytes =
      kind === 'unsupported' ? new Uint8Array() : await ports.readAttachment(attachment.key);
    await ports.writeTextLayer(
      attachment.key,
      await readTextLayer(attachment, bytes, ports.readPdf, now),
    );
    extracted += 1;
  }
  const prefix = messagePrefixOf(documents.text);
  if (await ports.hasPeople(prefix)) return { extracted, skipped, names: 'kept' };
  const texts = [await ports.readBody(documents.text)];
  for (const attachment of documents.attachments) {
    if (attachment.inline) continue;
    texts.push((await ports.readTextLayer(attachment.key))?.text ?? '');
  }
  const all = texts.join('\n\n');
  const found = ports.findPeople(all.slice(0, MAX_NLP_CHARS));
  await ports.writePeople(prefix, {
    names: found.names,
    finder: PEOPLE_FINDER,
    charsRead: found.charsRead,
    complete: found.charsRead >= all.length,
    foundAt: now.toISOString(),
  });
  return { extracted, skipped, names: found.names.length };
}

/**
 * A filed message's text read (extractTextLayers), and then, when it has attachments, a
 * mark on its request that their text is there: the catalogue follows the mark on the
 * stream to index that text for search. The mark is written once, so a repeat changes
 * nothing here either.
 */
export async function readFiledMessage(
  message: {
    requestId: string;
    key: string;
    documents: { text: string; attachments: readonly StoredAttachment[] };
  },
  ports: ExtractionPorts & {
    recordTextRead(requestId: string, messageKey: string, now: Date): Promise<void>;
  },
  now: Date,
) {
  const outcome = await extractTextLayers(message.documents, ports, now);
  if (message.documents.attachments.some((attachment) => !attachment.inline))
    await ports.recordTextRead(message.requestId, message.key, now);
  return outcome;
}
