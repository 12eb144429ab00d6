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
  });
}

/** A file name safe as the last part of an S3 key and in a download header. */
export function safeFilename(name: string): string {
  const cleaned = name
    .normalize('NFKD')
    .replace(/[^\w.\- ]+/g, '')
    .trim()
    .replace(/\s+/g, '-')
    .replace(/^\.+/, '');
  return cleaned.slice(-100) || 'attachment';
}
