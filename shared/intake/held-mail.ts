import { officeDate } from '../dates.ts';
import { type InboundLetter, NO_SUBJECT, readInbound } from '../mail/inbound.ts';
import type { Refusal } from '../workflow/act.ts';
import { emailAddressSchema, requestIdOrReferenceSchema } from '../workflow/ids.ts';
import type { HeldMailRecord, HeldResolution, RequestRecord } from '../workflow/records.ts';
import { formatReference } from '../workflow/reference.ts';
import { trimmedText } from '../workflow/transitions.ts';
import * as z from '../zod.ts';
import {
  claimKeyForObject,
  type FilingContext,
  idsForObject,
  joinRequest,
  openRequest,
} from './filing.ts';
import { type HeldDecision, heldResolution } from './held-chain.ts';
import {
  type IntakePorts,
  type IntakeRules,
  receiveMail,
  storeDocuments,
  voidUnusedReference,
} from './receive-mail.ts';

/** What staff can do with held mail; the API validates bodies against this. */
export const heldActionSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('attach'), requestId: requestIdOrReferenceSchema }),
  z.object({
    action: z.literal('open'),
    sender: z
      .optional(emailAddressSchema)
      .check(z.describe('needed when the held message has no usable sender')),
    subject: z.optional(trimmedText(1, 500)),
  }),
  z.object({
    action: z.literal('discard'),
    reason: trimmedText(1, 4000, 'a reason is required'),
  }),
  /** Only for mail intake could not file: run intake on it again. */
  z.object({ action: z.literal('retry') }),
]);
export type HeldAction = z.infer<typeof heldActionSchema>;

export interface HeldPorts extends IntakePorts {
  getRequest(id: string): Promise<RequestRecord | undefined>;
  getHeld(id: string): Promise<(HeldMailRecord & { status?: string }) | undefined>;
  discardHeld(resolution: HeldDecision): Promise<'discarded' | 'already-resolved'>;
}

export type HeldOutcome =
  | { ok: true; status: HeldResolution['status']; requestId?: string; reference?: string }
  | { ok: false; refusal: Refusal };

const refuse = (refusal: Refusal): HeldOutcome => ({ ok: false, refusal });

/** Held mail is never parsed when it was held for a virus or its size. */
const keepUnparsed = new Set(['virus', 'oversize']);

async function letterFrom(
  held: HeldMailRecord,
  ports: HeldPorts,
  rules: IntakeRules,
  sender?: string,
  subject?: string,
) {
  const fallback = (): InboundLetter => ({
    inReplyTo: [],
    references: [],
    from: {
      address: (sender ?? held.from?.match(/[^\s<>"]+@[^\s<>"]+/)?.[0] ?? '').toLowerCase(),
      name: '',
    },
    to: [],
    cc: [],
    subject: subject ?? held.subject ?? NO_SUBJECT,
    text: '',
    attachments: [],
    verdicts: {},
    warnings: [`filed from held mail without parsing (${held.reason}); the raw message is kept`],
  });
  if (keepUnparsed.has(held.reason)) return fallback();
  const object = await ports.readRaw(held.raw, rules.limits.maxBytes);
  // Staff chose to take it: parse without the limits that held it, but never past 40 MB.
  const reading = object.bytes
    ? await readInbound(object.bytes, { ...rules.limits, maxParts: 5000, maxDepth: 64 })
    : undefined;
  if (!reading?.ok) return fallback();
  const letter = reading.letter;
  return {
    ...letter,
    from: sender ? { address: sender.toLowerCase(), name: letter.from.name } : letter.from,
    subject: subject ?? letter.subject,
  };
}

/**
 * Takes a message out of held mail: attached to a request as a message, opened as a new
 * request, or discarded with a reason. The held record stays with who resolved it and how;
 * a discarded message's raw object is then marked for expiry (shared/retention/raw-mail.ts).
 */
export async function resolveHeld(
  heldId: string,
  by: string,
  action: HeldAction,
  ports: HeldPorts,
  rules: IntakeRules,
  now: Date,
): Promise<HeldOutcome> {
  const held = await ports.getHeld(heldId);
  if (!held) return refuse({ code: 'not_found', message: `held mail ${heldId} does not exist` });
  if (held.status)
    return refuse({ code: 'conflict', message: `held mail ${heldId} was already ${held.status}` });
  const at = now.toISOString();
  const receivedAt = new Date(held.receivedAt);
  // Mail intake could not file may have claimed a reference first; when it will not be
  // a new request, the number is recorded as unused, with why.
  const voidClaim = (why: string) =>
    voidUnusedReference(ports.store, held.raw, receivedAt, rules.timeZone, why);
  if (action.action === 'retry') return retryIntake(held, by, at, ports, rules);
  if (action.action === 'discard') {
    const result = await ports.discardHeld(
      heldResolution(held, { status: 'discarded', by, detail: action.reason, at }),
    );
    if (result !== 'discarded')
      return refuse({
        code: 'conflict',
        message: `held mail ${heldId} was resolved by someone else`,
      });
    await voidClaim(`its mail was discarded from held mail: ${action.reason}`);
    return { ok: true, status: 'discarded' };
  }

  const letter = await letterFrom(
    held,
    ports,
    rules,
    action.action === 'open' ? action.sender : undefined,
    action.action === 'open' ? action.subject : undefined,
  );
  const { requestId: newId, messageKey } = idsForObject(held.raw.bucket, held.raw.key);

  if (action.action === 'attach') {
    // Found before any document is stored, so naming no request leaves nothing behind.
    const target = action.requestId.startsWith('REQ-')
      ? await ports.store.findRequestByReference(action.requestId)
      : await ports.getRequest(action.requestId);
    if (!target) {
      return refuse({
        code: 'invalid',
        message: `request ${action.requestId} does not exist`,
        fields: [{ path: 'requestId', message: `request ${action.requestId} does not exist` }],
      });
    }
    const requestId = target.id;
    const context: FilingContext = {
      letter: {
        ...letter,
        from: letter.from.address ? letter.from : { address: 'unknown@held.invalid', name: '' },
      },
      messageKey,
      receivedAt,
      raw: held.raw,
      documents: await storeDocuments(ports, requestId, messageKey, letter),
    };
    try {
      const result = await ports.store.fileReply(
        held.raw,
        requestId,
        (current) => joinRequest(current, `attached from held mail by ${by}`, context, by),
        heldResolution(held, {
          status: 'attached',
          by,
          detail: `attached to ${requestId}`,
          at,
          requestId,
        }),
      );
      if (result.outcome !== 'filed')
        return refuse({
          code: 'conflict',
          message: `held mail ${heldId} was resolved by someone else`,
        });
      await voidClaim(`its mail was attached to ${result.request.reference}`);
      return { ok: true, status: 'attached', requestId, reference: result.request.reference };
    } catch (error) {
      if ((error as Error).message.includes('vanished')) {
        return refuse({
          code: 'invalid',
          message: `request ${action.requestId} does not exist`,
          fields: [{ path: 'requestId', message: `request ${action.requestId} does not exist` }],
        });
      }
      throw error;
    }
  }

  if (!letter.from.address) {
    return refuse({
      code: 'invalid',
      message: 'this message has no usable sender; give one as "sender"',
      fields: [
        { path: 'sender', message: 'this message has no usable sender; give one as "sender"' },
      ],
    });
  }
  const year = Number(officeDate(receivedAt, rules.timeZone).slice(0, 4));
  const [documents, sequence] = await Promise.all([
    storeDocuments(ports, newId, messageKey, letter),
    ports.store.claimSequence(year, claimKeyForObject(held.raw)),
  ]);
  const context: FilingContext = { letter, messageKey, receivedAt, raw: held.raw, documents };
  const result = await ports.store.fileNewRequest(
    held.raw,
    openRequest({ requestId: newId, reference: formatReference(year, sequence) }, context, rules, {
      actor: by,
      withheld: `opened from held mail by ${by}`,
    }),
    heldResolution(held, {
      status: 'opened',
      by,
      detail: 'opened as a new request',
      at,
      requestId: newId,
    }),
  );
  if (result.outcome !== 'filed') {
    // Someone resolved it first. If that was another open, it used this same number.
    const filing = await ports.store.findFiling(held.raw);
    if (!(filing?.place === 'request' && filing.reference === formatReference(year, sequence)))
      await voidClaim('staff resolved its held mail another way first');
    return refuse({
      code: 'conflict',
      message: `held mail ${heldId} was resolved by someone else`,
    });
  }
  return { ok: true, status: 'opened', requestId: newId, reference: result.request.reference };
}

/**
 * Runs intake again on mail it could not file, once staff think the fault is fixed. It
 * files as any new mail would (a new request, a reply, a resend); other held mail was
 * held for what it is, not for a fault, so trying again would only hold it again.
 */
async function retryIntake(
  held: HeldMailRecord,
  by: string,
  at: string,
  ports: HeldPorts,
  rules: IntakeRules,
): Promise<HeldOutcome> {
  if (held.reason !== 'could_not_file') {
    return refuse({
      code: 'not_allowed',
      message: `only mail intake could not file can be tried again; this was held as ${held.reason}, so attach it, open it as a new request, or discard it`,
    });
  }
  const outcome = await receiveMail(held.raw, ports, rules, { held, by, at });
  if (outcome.duplicate)
    return refuse({
      code: 'conflict',
      message: `held mail ${held.id} was resolved by someone else`,
    });
  if (outcome.place === 'held') {
    return refuse({
      code: 'not_allowed',
      message: `intake still cannot file it (${outcome.reason}); attach it, open it as a new request, or discard it`,
    });
  }
  return {
    ok: true,
    status: 'refiled',
    requestId: outcome.requestId,
    reference: outcome.reference,
  };
}
