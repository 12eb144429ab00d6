/**
 * Where a message's documents are kept in the documents bucket: its text, its HTML and
 * its attachments, under its request's prefix, which is what retention disposes of
 * (shared/retention/disposal.ts, requestDocumentsPrefix) and text extraction reads beside
 * (shared/attachments/text-layer.ts). Mail filed by intake and correspondence recorded by
 * staff are laid out alike. No HTML sanitiser here, so the casework API can use it.
 */
export const messageDocumentsPrefix = (requestId: string, messageKey: string) =>
  `requests/${requestId}/messages/${messageKey}`;

/** The key of a message's text, as received or as staff typed it. */
export const messageTextKey = (prefix: string) => `${prefix}/body.txt`;

/** The key of a message's `index`th attachment (from 0), named as its sender named it. */
export const attachmentKey = (prefix: string, index: number, filename: string) =>
  `${prefix}/attachments/${String(index + 1).padStart(2, '0')}-${safeFilename(filename)}`;

/** A file name safe as the last part of an S3 key and in a download header. */
export function safeFilename(name: string): string {
  const clean = (part: string) =>
    part
      .normalize('NFKD')
      .replace(/[^\w.\- ]+/g, '')
      .trim()
      .replace(/\s+/g, '-')
      .replace(/^\.+/, '');
  const found = name.match(/\.([A-Za-z0-9]{1,10})$/);
  // ".hidden" is a name, not an extension: it needs something before the dot.
  const extension =
    found?.index && name.slice(0, found.index).replace(/[./\\]/g, '') ? (found[1] ?? '') : '';
  const base = extension ? name.slice(0, -(extension.length + 1)) : name;
  // A name wholly in another script cleans to nothing: keep a stem so the extension stays.
  const room = extension ? 99 - extension.length : 100;
  const stem = clean(base).slice(-room) || 'attachment';
  return extension ? `${stem}.${extension}` : stem;
}
