import { h } from './dom.ts';

/**
 * A public page (from the publication preview, or the same renderer in the browser) in a
 * sandboxed frame: no scripts, no same origin, its own document, so its headings and
 * landmarks stay its own. The staff UI's policy forbids inline styles, and a srcdoc frame
 * inherits that policy, so the page's <style> becomes a link to the same rules, which the
 * build extracts from the renderer into a stylesheet of their own.
 */
export function publicationFrame(html: string, title: string): HTMLIFrameElement {
  const stylesheet = document
    .querySelector('meta[name="publication-stylesheet"]')
    ?.getAttribute('content');
  const source = stylesheet
    ? html.replace(
        /<style>[\s\S]*?<\/style>/,
        `<link rel="stylesheet" href="${new URL(stylesheet, window.location.href).href}">`,
      )
    : html;
  return h('iframe', {
    class: 'preview-frame',
    title,
    sandbox: '',
    referrerpolicy: 'no-referrer',
    srcdoc: source,
  });
}
