import { messagePrefixOf } from '../attachments/text-layer.ts';
import type { Letter } from '../publication/publish.ts';
import type { RequestRecord } from '../workflow/records.ts';
import { readObject } from './documents.ts';
import type { requestQueries } from './request-queries.ts';
import { textLayers } from './text-layers.ts';

/**
 * The letter that opened a request: its stored text, when it came, its attachments, and
 * the people NLP found named in it when it was filed.
 */
export async function readLetter(
  queries: ReturnType<typeof requestQueries>,
  documentsBucket: string,
  request: RequestRecord,
): Promise<Letter> {
  const found = await queries.detail(request.id);
  const first = found?.messages.find((message) => message.direction === 'inbound');
  const key = first?.documents?.text;
  const text = key
    ? new TextDecoder().decode(await readObject({ bucket: documentsBucket, key }))
    : '';
  const attachments = (first?.documents?.attachments ?? [])
    .filter((attachment) => !attachment.inline)
    .map(({ key: stored, filename, contentType }) => ({ key: stored, filename, contentType }));
  const people = key
    ? await textLayers(documentsBucket).peopleFound(messagePrefixOf(key))
    : undefined;
  return {
    text,
    at: first?.at ?? request.receivedAt,
    attachments,
    namesFound: people?.names ?? [],
    namesRead: !people ? 'pending' : people.complete === false ? 'start' : 'all',
  };
}
