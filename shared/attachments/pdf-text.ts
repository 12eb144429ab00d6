import { getDocumentProxy } from 'unpdf';
import type { PDFDocumentProxy, PDFPageProxy } from 'unpdf/pdfjs';
import { MAX_PDF_PAGES, MAX_TEXT_CHARS, type PdfReader } from './text-layer.ts';

/**
 * A PDF's text layer, read with unpdf (Mozilla's pdf.js, built to run without a browser).
 * Only the extraction function imports this: pdf.js is 1.6 MB, and it must not grow intake
 * or the staff API (.dependency-cruiser.cjs holds everything else to that).
 *
 * Pages are read one at a time and stop at MAX_PDF_PAGES or MAX_TEXT_CHARS, so a hostile
 * PDF of a million empty pages costs a bounded amount of time.
 */
/** The text a PDF keeps outside its pages: document information and XMP metadata. */
async function metadataText(document: PDFDocumentProxy): Promise<string[]> {
  const { info, metadata } = await document.getMetadata().catch(() => ({
    info: {},
    metadata: null,
  }));
  const fields = (info ?? {}) as Record<string, unknown>;
  // What a person may have typed (pdf.js adds its own keys: PDFFormatVersion, Is…).
  const typed = ['Title', 'Author', 'Subject', 'Keywords', 'Creator', 'Producer', 'Custom'];
  const values = typed
    .map((key) => fields[key])
    .flatMap((value) =>
      typeof value === 'string'
        ? [value]
        : value && typeof value === 'object'
          ? Object.values(value).filter((inner): inner is string => typeof inner === 'string')
          : [],
    );
  const xmp = metadata ? [...metadata].map(([, value]) => String(value)) : [];
  return [...values, ...xmp].filter((value) => value.trim());
}

/** Comments, form fields' values, link targets and alternative text on a page. */
async function annotationText(page: PDFPageProxy): Promise<string[]> {
  const annotations = (await page.getAnnotations().catch(() => [])) as Array<
    Record<string, unknown>
  >;
  return annotations.flatMap((annotation) =>
    [
      (annotation.contentsObj as { str?: string } | undefined)?.str,
      (annotation.titleObj as { str?: string } | undefined)?.str,
      annotation.fieldValue,
      annotation.alternativeText,
      annotation.url,
      ...((annotation.options as Array<{ displayValue?: string }> | undefined)?.map(
        (option) => option.displayValue,
      ) ?? []),
    ].flatMap((value) =>
      typeof value === 'string' && value.trim()
        ? [value]
        : Array.isArray(value)
          ? value.map(String)
          : [],
    ),
  );
}

/**
 * How many times the file was saved: each incremental update appends a revision and an
 * %%EOF, and earlier revisions (perhaps with what was later deleted) stay in the file.
 */
function revisions(bytes: Uint8Array): number {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  let count = 0;
  for (let at = text.indexOf('%%EOF'); at >= 0; at = text.indexOf('%%EOF', at + 5)) count += 1;
  return count;
}

/** How long one PDF's pages may take: well inside the function's timeout. */
const PDF_BUDGET_MS = 90_000;

export const readPdf: PdfReader = async (bytes) => {
  const saved = revisions(bytes);
  // pdf.js takes ownership of (and detaches) the buffer it is given: hand it a copy.
  const document = await getDocumentProxy(new Uint8Array(bytes), {
    verbosity: 0,
    isEvalSupported: false,
    stopAtErrors: false,
  });
  try {
    const pages = Math.min(document.numPages, MAX_PDF_PAGES);
    // Text a reader of the file could find beyond its pages: in the document's
    // properties, and in comments and form fields.
    const texts: string[] = [(await metadataText(document)).join('\n')];
    let length = texts[0]?.length ?? 0;
    let truncated = document.numPages > MAX_PDF_PAGES;
    // A small file can cost minutes (a thousand pages sharing one huge content stream):
    // past the budget, what was read is kept and the rest is marked not read.
    const started = Date.now();
    for (let number = 1; number <= pages; number += 1) {
      if (Date.now() - started > PDF_BUDGET_MS) {
        truncated = true;
        break;
      }
      const page = await document.getPage(number);
      const content = await page.getTextContent();
      const text = [
        content.items
          .map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : ''))
          .join(''),
        ...(await annotationText(page)),
      ].join('\n');
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
      .replace(/\n{3,}/g, '\n\n')
      .trim();
    return {
      text,
      pages: document.numPages,
      truncated,
      ...(saved > 1
        ? {
            partial: `it was saved ${saved} times (incremental updates), and its earlier versions, which may hold what was later removed, were not read`,
          }
        : {}),
    };
  } finally {
    await document.destroy();
  }
};
