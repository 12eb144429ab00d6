import type { InboundLetter } from '../mail/inbound.ts';
import type { MessagePointer } from '../workflow/records.ts';

/** How long a message's first copy is remembered for recognising it delivered again. */
export const RESEND_WINDOW_DAYS = 30;

export type SameMessageId =
  /** The same message again (a server resending after a lost connection): join its request. */
  | { kind: 'resend'; requestId: string; messageKey: string }
  /** Another message carrying an id postroom already knows: filed as usual, and flagged. */
  | { kind: 'reused-id'; requestId: string; warning: string };

/**
 * Whether a letter repeats a Message-ID postroom has seen. Message-IDs are chosen by the
 * sender and can be reused or forged, so the id alone never merges two messages: a
 * resend must also come from the same address with the same Date header, within
 * RESEND_WINDOW_DAYS of the first copy being filed.
 */
export function recogniseSameMessageId(
  letter: Pick<InboundLetter, 'messageId' | 'from' | 'sentAt'>,
  receivedAt: Date,
  pointer: MessagePointer | undefined,
): SameMessageId | undefined {
  if (!letter.messageId || !pointer) return undefined;
  const first = pointer.received;
  const withinWindow =
    first !== undefined &&
    receivedAt.getTime() - Date.parse(first.filedAt) <= RESEND_WINDOW_DAYS * 86_400_000;
  if (
    first?.requestId &&
    withinWindow &&
    letter.sentAt !== undefined &&
    first.sentAt === letter.sentAt &&
    first.from.toLowerCase() === letter.from.address.toLowerCase()
  ) {
    return { kind: 'resend', requestId: first.requestId, messageKey: first.messageKey };
  }
  const why = pointer.sent
    ? 'the Message-ID of mail postroom sent'
    : !first?.requestId
      ? 'a Message-ID postroom already knows'
      : !withinWindow
        ? `the Message-ID of a message filed more than ${RESEND_WINDOW_DAYS} days before`
        : 'the Message-ID of an earlier message with a different sender or date';
  return {
    kind: 'reused-id',
    requestId: first?.requestId ?? pointer.requestId,
    warning: `it reuses ${why} (${letter.messageId}); filed as a separate message, not merged`,
  };
}
