import { messagePrefixOf } from '../attachments/text-layer.ts';
import type { Letter } from '../publication/publish.ts';
import type { RequestRecord } from '../workflow/records.ts';
import { readObject } from './documents.ts';
import type { requestQueries } from './request-queries.ts';
import { textLayers } from './text-layers.ts';

/**
 * The letter that opened a request: its stored text, when it came, its attachments, and
 * the people NLP found named in it when it was filed. Without `text` (the quarterly
 * return, which prints nothing of the letter but needs whom it names), the text is not
 * read: a quarter's letters may be many megabytes.
 */
export async function readLetter(
  queries: ReturnType<typeof requestQueries>,
  documentsBucket: string,
  request: RequestRecord,
  { text: withText = true }: { text?: boolean } = {},
): Promise<Letter> {
  // The messages alone: the caller has the request, and the events are not wanted.
  const messages = await queries.messages(request.id);
  const first = messages.find((message) => message.direction === 'inbound');
  const key = first?.documents?.text;
  // Side by side: each needs only the text's key (npm run bench:api times the preview).
  const [text, people] = key
    ? await Promise.all([
        withText
          ? readObject({ bucket: documentsBucket, key }).then((bytes) =>
              new TextDecoder().decode(bytes),
            )
          : '',
        textLayers(documentsBucket).peopleFound(messagePrefixOf(key)),
      ])
    : ['', undefined];
  const attachments = (first?.documents?.attachments ?? [])
    .filter((attachment) => !attachment.inline)
    .map(({ key: stored, filename, contentType }) => ({ key: stored, filename, contentType }));
  return {
    text,
    at: first?.at ?? request.receivedAt,
    attachments,
    namesFound: people?.names ?? [],
    namesRead: !people ? 'pending' : people.complete === false ? 'start' : 'all',
  };
}
