import { type Child, h, hidden } from './dom.ts';
import { fileSize } from './format.ts';
import { loadDetail } from './requests.ts';
import { reload } from './router.ts';
import type { MessageWithLinks, RequestDetail } from './types.ts';

/** Presigned links last five minutes; older ones are fetched afresh on use. */
const LINK_LIFETIME_MS = 4 * 60_000;

/** A download through a presigned URL, renewed when the page has been open a while. */
export function downloadLink(
  detail: RequestDetail,
  loadedAt: number,
  key: string,
  url: string,
  text: Child,
): HTMLElement {
  const link = h('a', { href: url, class: 'link', rel: 'noopener' }, text);
  link.addEventListener('click', (event) => {
    if (Date.now() - loadedAt < LINK_LIFETIME_MS) return;
    event.preventDefault();
    loadDetail(detail.id)
      .then((fresh) => {
        const documents = fresh.messages.flatMap((message) =>
          message.documents
            ? [message.documents.text, message.documents.html, ...message.documents.attachments]
            : [],
        );
        const found = documents.find((document) => document?.key === key);
        // Gone since the page loaded: show the page as it is now, rather than do nothing.
        if (found) window.location.assign(found.url);
        else reload();
      })
      // The page shown again says what went wrong, with a way to try again.
      .catch(() => reload());
  });
  return link;
}

/** A message's attachments, each a download link with its type and size. */
export function attachmentList(
  detail: RequestDetail,
  message: MessageWithLinks,
  loadedAt: number,
): Child {
  const attachments = message.documents?.attachments ?? [];
  if (!attachments.length) return null;
  return h(
    'ul',
    { class: 'list attachments' },
    attachments.map((attachment) =>
      h(
        'li',
        {},
        downloadLink(detail, loadedAt, attachment.key, attachment.url, [
          hidden('Download '),
          attachment.filename,
        ]),
        h(
          'span',
          { class: 'secondary-text' },
          ` (${attachment.contentType}, ${fileSize(attachment.size)})`,
        ),
      ),
    ),
  );
}
