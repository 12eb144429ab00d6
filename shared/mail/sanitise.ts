import sanitizeHtml from 'sanitize-html';

/**
 * The staff copy of a letter's HTML: formatting kept, anything active removed (scripts,
 * event handlers, frames, forms, javascript: links). Inline images keep their cid:
 * references so the UI can resolve them to the stored attachments.
 */
export function sanitiseLetterHtml(html: string): string {
  return sanitizeHtml(html, {
    allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img', 'span', 'font', 'center'],
    allowedAttributes: {
      a: ['href', 'title'],
      img: ['src', 'alt', 'width', 'height'],
      td: ['colspan', 'rowspan', 'align'],
      th: ['colspan', 'rowspan', 'align'],
      '*': ['lang', 'dir'],
    },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['cid', 'https'] },
    allowProtocolRelative: false,
    // No style attribute is allowed, so nothing needs postcss; the deployed bundles stub it
    // out (infra/constructs/app-function.ts), and this keeps sanitize-html from reaching it.
    parseStyleAttributes: false,
  });
}

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

/** Readable text from an HTML-only message, for search, the alert and the letter page. */
export function htmlToText(html: string): string {
  const entities: Record<string, string> = {
    amp: '&',
    lt: '<',
    gt: '>',
    quot: '"',
    apos: "'",
    nbsp: ' ',
  };
  return html
    .replace(/<(script|style|head)[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|h[1-6]|li|tr|table|blockquote)>/gi, '\n\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(#x?[0-9a-f]+|[a-z]+);/gi, (whole, code: string) => {
      if (code.startsWith('#')) {
        const point =
          code[1]?.toLowerCase() === 'x'
            ? Number.parseInt(code.slice(2), 16)
            : Number(code.slice(1));
        return Number.isFinite(point) && point > 0 && point < 0x110000
          ? String.fromCodePoint(point)
          : whole;
      }
      // Own keys only: a letter's &constructor; is text, not Object's constructor.
      const name = code.toLowerCase();
      return Object.hasOwn(entities, name) ? (entities[name] ?? whole) : whole;
    })
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
