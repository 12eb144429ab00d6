import { GENESIS_HASH, type HeldMailEvent, headOf, sealHeldMailEvent } from '../workflow/audit.ts';
import type { HeldMailRecord, HeldResolution } from '../workflow/records.ts';
import { INTAKE_ACTOR } from './filing.ts';

/**
 * Held mail keeps an audit chain of its own, on the held item: event 1 says intake held
 * it and why, event 2 is the one decision taken on it (attached, opened, discarded, or
 * filed when intake tried again), with the head (eventSeq, lastHash) on the held item
 * updated in the same transaction as each event, exactly as a request's is.
 *
 * Why not chain the decisions on the request the mail joins: a discard joins no request,
 * and neither does a hold, so a request's chain could only ever show some decisions. On
 * the held item every decision is recorded whatever it was; an attached or opened message
 * is also recorded on its request's chain (message_received or receive, by the person who
 * took it), so each chain tells its own record's story and both name the other.
 */

/**
 * A resolution of held mail with the event its chain records for it, written in the same
 * transaction. (Kept out of workflow/records.ts, which the staff UI's types read and
 * which must not reach the hashing.)
 */
export type HeldDecision = HeldResolution & { event: HeldMailEvent };

/** How held mail's chain names each decision, by the status it leaves the mail in. */
const decisionAction: Record<HeldResolution['status'], string> = {
  attached: 'attach',
  opened: 'open',
  discarded: 'discard',
  refiled: 'refile',
};

/**
 * Mail being held, with the first event of its chain. Dated when the mail was received,
 * as a request's first event is, so a redelivery builds the very same records.
 */
export function holdMail(held: HeldMailRecord): { held: HeldMailRecord; event: HeldMailEvent } {
  const event = sealHeldMailEvent(
    {
      heldId: held.id,
      seq: 1,
      action: 'hold',
      actor: INTAKE_ACTOR,
      at: held.receivedAt,
      from: null,
      to: 'held',
      details: { reason: held.reason, detail: held.detail },
    },
    GENESIS_HASH,
  );
  return { held: { ...held, eventSeq: event.seq, lastHash: event.hash }, event };
}

/**
 * A decision on held mail, sealed onto its chain. Mail held before held mail had chains
 * has no head: its chain starts with the decision.
 */
export function heldResolution(
  held: Pick<HeldMailRecord, 'id' | 'eventSeq' | 'lastHash'>,
  decision: Omit<HeldResolution, 'heldId'> & { requestId?: string },
): HeldDecision {
  const head = headOf(held);
  const { requestId, ...resolution } = decision;
  const event = sealHeldMailEvent(
    {
      heldId: held.id,
      seq: (head?.count ?? 0) + 1,
      action: decisionAction[decision.status],
      actor: decision.by,
      at: decision.at,
      from: 'held',
      to: decision.status,
      details: { detail: decision.detail, ...(requestId ? { requestId } : {}) },
    },
    head?.hash ?? GENESIS_HASH,
  );
  return { heldId: held.id, ...resolution, event };
}
