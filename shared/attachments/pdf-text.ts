import { getDocumentProxy } from 'unpdf';
import { MAX_PDF_PAGES, MAX_TEXT_CHARS, type PdfReader } from './text-layer.ts';

/**
 * A PDF's text layer, read with unpdf (Mozilla's pdf.js, built to run without a browser).
 * Only the extraction function imports this: pdf.js is 1.6 MB, and it must not grow intake
 * or the staff API (.dependency-cruiser.cjs holds everything else to that).
 *
 * Pages are read one at a time and stop at MAX_PDF_PAGES or MAX_TEXT_CHARS, so a hostile
 * PDF of a million empty pages costs a bounded amount of time.
 */
export const readPdf: PdfReader = async (bytes) => {
  // pdf.js takes ownership of (and detaches) the buffer it is given: hand it a copy.
  const document = await getDocumentProxy(new Uint8Array(bytes), {
    verbosity: 0,
    isEvalSupported: false,
    stopAtErrors: false,
  });
  try {
    const pages = Math.min(document.numPages, MAX_PDF_PAGES);
    const texts: string[] = [];
    let length = 0;
    let truncated = document.numPages > MAX_PDF_PAGES;
    for (let number = 1; number <= pages; number += 1) {
      const page = await document.getPage(number);
      const content = await page.getTextContent();
      const text = content.items
        .map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : ''))
        .join('');
      page.cleanup();
      texts.push(text);
      length += text.length;
      if (length > MAX_TEXT_CHARS) {
        truncated = true;
        break;
      }
    }
    const text = texts
      .join('\n')
      .replace(/[^\S\n]+/g, ' ')
      .replace(/ ?\n ?/g, '\n')
      .replace(/\n{3,}/g, '\n\n');
    return { text, pages: document.numPages, truncated };
  } finally {
    await document.destroy();
  }
};
