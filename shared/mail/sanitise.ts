import sanitizeHtml from 'sanitize-html';

// Kept where it lives, without the HTML sanitiser: the casework API names files too.
export { safeFilename } from '../correspondence/document-keys.ts';

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
