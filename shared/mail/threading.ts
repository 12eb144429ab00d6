import { referenceInSubject } from '../workflow/reference.ts';
import type { InboundLetter } from './inbound.ts';

/** How a reply is looked up; the table adapter supplies these. */
export interface ThreadLookups<R> {
  byReference(reference: string): Promise<R | undefined>;
  /** The request owning the first of these ids that postroom knows, in the order given. */
  byMessageIds(ids: readonly string[]): Promise<{ request: R; messageId: string } | undefined>;
}

/**
 * Which request a reply belongs to: the [REQ-…] token in the subject first (people keep
 * it when they forward or change clients), then the Message-ID chain. In-Reply-To names
 * the direct parent; References runs oldest first, so it is read newest first.
 */
export async function findThread<R>(
  letter: Pick<InboundLetter, 'subject' | 'inReplyTo' | 'references'>,
  lookups: ThreadLookups<R>,
): Promise<{ request: R; matchedBy: string } | undefined> {
  const reference = referenceInSubject(letter.subject);
  if (reference) {
    const request = await lookups.byReference(reference);
    if (request) return { request, matchedBy: `subject reference ${reference}` };
  }
  const candidates = [...letter.inReplyTo, ...[...letter.references].reverse()];
  if (candidates.length === 0) return undefined;
  const found = await lookups.byMessageIds(candidates);
  return found && { request: found.request, matchedBy: `Message-ID ${found.messageId}` };
}
