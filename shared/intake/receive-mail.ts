import {
  attachmentKey,
  messageDocumentsPrefix,
  messageTextKey,
} from '../correspondence/document-keys.ts';
import { officeDate } from '../dates.ts';
import { log } from '../log.ts';
import { firstHeader, type HeaderBlock, readHeaderBlock } from '../mail/headers.ts';
import {
  type HoldReason,
  type InboundLetter,
  type MailLimits,
  readInbound,
  truncate,
} from '../mail/inbound.ts';
import { sanitiseLetterHtml } from '../mail/sanitise.ts';
import { findThread } from '../mail/threading.ts';
import { disownedBySender, failedAuthentication, fromDomainVouches } from '../mail/verdicts.ts';
import type {
  Filing,
  FilingResult,
  HeldMailRecord,
  MessagePointer,
  RequestRecord,
} from '../workflow/records.ts';
import { formatReference } from '../workflow/reference.ts';
import {
  claimKeyForObject,
  type DeadlineRules,
  type FilingContext,
  heldIdForObject,
  idsForObject,
  joinRequest,
  knownAddresses,
  openRequest,
} from './filing.ts';
import { type HeldDecision, heldResolution, holdMail } from './held-chain.ts';
import { recogniseSameMessageId } from './resend.ts';

export interface RawObject {
  bucket: string;
  key: string;
}

/** What intake needs from the outside world, passed in so this module stays testable. */
export interface IntakePorts {
  /** The raw message, with its bytes only when it is within maxBytes. */
  readRaw(
    raw: RawObject,
    maxBytes: number,
  ): Promise<{ size: number; lastModified: Date; bytes?: Uint8Array }>;
  /** The first `bytes` bytes of the raw message (enough for its headers). */
  readStart(raw: RawObject, bytes: number): Promise<{ lastModified: Date; bytes: Uint8Array }>;
  writeDocument(
    key: string,
    body: string | Uint8Array,
    contentType: string,
    metadata?: Record<string, string>,
  ): Promise<void>;
  store: {
    findFiling(raw: RawObject): Promise<Filing | undefined>;
    findRequestByReference(reference: string): Promise<RequestRecord | undefined>;
    findRequestByMessageIds(
      ids: readonly string[],
    ): Promise<{ request: RequestRecord; messageId: string } | undefined>;
    findMessagePointer(messageId: string): Promise<MessagePointer | undefined>;
    /**
     * The next number of the year's references, claimed once per claim key (the raw
     * object): asking again for the same key gives the same number.
     */
    claimSequence(year: number, claimKey: string): Promise<number>;
    /** Lets go of a claimed number that will not be used; it is returned to one caller. */
    dropClaim(year: number, claimKey: string): Promise<number | undefined>;
    /** Records why a reference was never used. */
    voidReference(reference: string, reason: string, at: string): Promise<void>;
    /** Files a new request; the message's own Message-ID is remembered for threading. */
    fileNewRequest(
      raw: RawObject,
      records: ReturnType<typeof openRequest>,
      fromHeld?: HeldDecision,
    ): Promise<FilingResult>;
    fileReply(
      raw: RawObject,
      requestId: string,
      build: (current: RequestRecord) => ReturnType<typeof joinRequest>,
      fromHeld?: HeldDecision,
    ): Promise<FilingResult>;
    /** Holds mail with the first event of its chain (holdMail). */
    fileHeld(holding: ReturnType<typeof holdMail>): Promise<'filed' | 'already-filed'>;
  };
}

export interface IntakeRules extends DeadlineRules {
  limits: MailLimits;
}

export type IntakeOutcome =
  | {
      place: 'request';
      requestId: string;
      reference: string;
      joined: boolean;
      /** This delivery found the object filed already (an at-least-once repeat). */
      duplicate: boolean;
      /** The message itself was sent again: filed on its request, marked delivered again. */
      deliveredAgain?: boolean;
    }
  | { place: 'held'; heldId: string; reason: HoldReason | string; duplicate: boolean };

/** Staff asking intake to try again with mail it gave up on (held as could_not_file). */
export interface IntakeRetry {
  /** As read before the retry: its chain continues with the retry's outcome. */
  held: HeldMailRecord;
  by: string;
  at: string;
}

/**
 * Records why a reference a letter claimed went unused (it became a reply or a resend,
 * or staff resolved it another way), so the gap in the numbers explains itself. Numbers
 * are never handed out twice, so an unused one stays unused.
 */
export async function voidUnusedReference(
  store: Pick<IntakePorts['store'], 'dropClaim' | 'voidReference'>,
  raw: RawObject,
  receivedAt: Date,
  timeZone: string,
  why: string,
): Promise<void> {
  const year = Number(officeDate(receivedAt, timeZone).slice(0, 4));
  const sequence = await store.dropClaim(year, claimKeyForObject(raw));
  if (sequence === undefined) return;
  const reference = formatReference(year, sequence);
  await store.voidReference(reference, why, new Date().toISOString());
  log.warn('a claimed reference went unused; recorded as void', {
    reference,
    objectKey: raw.key,
    why,
  });
}

export async function storeDocuments(
  ports: IntakePorts,
  requestId: string,
  messageKey: string,
  letter: InboundLetter,
): Promise<FilingContext['documents']> {
  const prefix = messageDocumentsPrefix(requestId, messageKey);
  const text = messageTextKey(prefix);
  const html = letter.html ? `${prefix}/body.html` : undefined;
  const attachments = letter.attachments.map((attachment, index) => ({
    filename: attachment.filename,
    contentType: attachment.contentType,
    size: attachment.size,
    key: attachmentKey(prefix, index, attachment.filename),
    inline: attachment.inline,
  }));
  // Independent writes to fixed keys: in parallel, and a retry simply overwrites them.
  await Promise.all([
    ports.writeDocument(text, letter.text, 'text/plain; charset=utf-8'),
    html && letter.html
      ? ports.writeDocument(html, sanitiseLetterHtml(letter.html), 'text/html; charset=utf-8')
      : undefined,
    ...letter.attachments.map((attachment, index) =>
      ports.writeDocument(
        attachments[index]?.key ?? '',
        attachment.content,
        attachment.contentType,
        {
          filename: attachment.filename,
        },
      ),
    ),
  ]);
  return { text, html, attachments };
}

/**
 * Files one raw message stored by SES: into a new request, into the request it replies
 * to, or into held mail. Keyed on the S3 object, so any number of deliveries of the same
 * object file it once; a retry after a crash redoes only what did not commit.
 */
export async function receiveMail(
  raw: RawObject,
  ports: IntakePorts,
  rules: IntakeRules,
  retry?: IntakeRetry,
  decidedAgain = false,
): Promise<IntakeOutcome> {
  // The filing check and the read go together: nearly every delivery is a first one.
  const [previous, object] = await Promise.all([
    ports.store.findFiling(raw),
    ports.readRaw(raw, rules.limits.maxBytes),
  ]);
  // A retry takes the mail out of held mail, which must still hold it.
  const retrying = retry && previous?.place === 'held' && previous.heldId === retry.held.id;
  const fromHeld: HeldDecision | undefined = retrying
    ? heldResolution(retry.held, {
        status: 'refiled',
        by: retry.by,
        detail: 'filed by intake, tried again by staff',
        at: retry.at,
      })
    : undefined;
  if (previous && !retrying) {
    log.info('inbound mail already filed; nothing to do', { objectKey: raw.key, ...previous });
    return previous.place === 'request'
      ? {
          place: 'request',
          requestId: previous.requestId,
          reference: previous.reference,
          joined: false,
          duplicate: true,
        }
      : { place: 'held', heldId: previous.heldId, reason: previous.reason, duplicate: true };
  }

  const { requestId, messageKey } = idsForObject(raw.bucket, raw.key);
  const { size, lastModified: receivedAt, bytes } = object;

  const hold = async (
    reason: HoldReason,
    detail: string,
    letter?: { from?: string; subject?: string },
  ) => {
    const heldId = heldIdForObject(raw.bucket, raw.key);
    if (retrying) {
      // Tried again and still held: it stays where it is, for staff to deal with by hand.
      log.warn('inbound mail tried again and still held', { objectKey: raw.key, reason, detail });
      return { place: 'held', heldId: retry.held.id, reason, duplicate: false } as const;
    }
    const held: HeldMailRecord = {
      id: heldId,
      reason,
      detail,
      receivedAt: receivedAt.toISOString(),
      raw,
      ...letter,
    };
    const outcome = await ports.store.fileHeld(holdMail(held));
    log.warn('inbound mail held', {
      objectKey: raw.key,
      bucket: raw.bucket,
      heldId,
      reason,
      detail,
    });
    return { place: 'held', heldId, reason, duplicate: outcome === 'already-filed' } as const;
  };

  if (!bytes) {
    return hold(
      'oversize',
      `${size} bytes is over the ${rules.limits.maxBytes}-byte limit; not read`,
    );
  }
  const reading = await readInbound(bytes, rules.limits);
  if (!reading.ok) {
    return hold(reading.reason, reading.detail, {
      ...heldSummary(reading.headers),
    });
  }
  const [thread, pointer] = await Promise.all([
    findThread(reading.letter, {
      byReference: ports.store.findRequestByReference,
      byMessageIds: ports.store.findRequestByMessageIds,
    }),
    reading.letter.messageId ? ports.store.findMessagePointer(reading.letter.messageId) : undefined,
  ]);
  const sameId = recogniseSameMessageId(reading.letter, receivedAt, pointer);
  const letter =
    sameId?.kind === 'reused-id'
      ? { ...reading.letter, warnings: [...reading.letter.warnings, sameId.warning] }
      : reading.letter;
  if (sameId?.kind === 'resend') {
    // A resend is recognised by Message-ID, sender and date, all of which a forger can
    // copy from a letter they were sent: one the sender's domain disowns is held.
    if (disownedBySender(letter.verdicts) || letter.senderDoubt) {
      return hold(
        'unverified_sender',
        `it repeats the Message-ID, sender and date of mail already filed, but ${letter.senderDoubt ?? `failed ${failedAuthentication(letter.verdicts).join(', ').toUpperCase()}`}`,
        { from: letter.from.address, subject: letter.subject },
      );
    }
    // No acknowledgement and no new request: the first copy already had both.
    return fileResend(raw, letter, sameId, { messageKey, receivedAt }, ports, fromHeld);
  }
  const summary = { from: letter.from.address, subject: letter.subject };
  if (!thread && letter.machine?.kind === 'bounce') {
    return hold('unmatched_bounce', 'a bounce that matches no message postroom sent', summary);
  }
  if (!thread && letter.machine?.kind === 'auto-reply') {
    return hold('auto_reply_to_nothing', `${letter.machine.reason} to no known request`, summary);
  }

  // Anyone can put a reference in a subject, or a Message-ID they were copied on in
  // In-Reply-To, and anyone can write someone else's address in From. Mail that would join
  // a request waits in held mail for staff instead when the sender's own domain disowns it.
  if (thread) {
    const failed = failedAuthentication(letter.verdicts).map((check) => check.toUpperCase());
    const known =
      !letter.senderDoubt && knownAddresses(thread.request).has(letter.from.address.toLowerCase());
    const how = thread.matchedBy.startsWith('subject reference')
      ? 'only in its subject'
      : `by ${thread.matchedBy}`;
    // False only when the mail came through SES and nothing passed for the From's domain.
    const vouched = fromDomainVouches(letter.verdicts, letter.from.address) !== false;
    const why = failed.length
      ? `failed ${failed.join(', ')}`
      : `nothing passed for ${letter.from.address.split('@')[1]} (SPF ${letter.verdicts.spf ?? 'absent'}, DKIM ${letter.verdicts.dkim ?? 'absent'}, DMARC ${letter.verdicts.dmarc ?? 'absent'})`;
    if (!known && (failed.length || !vouched)) {
      return hold(
        'unverified_stranger',
        `it names ${thread.request.reference} ${how}, comes from an address not on that request${letter.senderDoubt ? ` (${letter.senderDoubt})` : ''}, and ${why}`,
        summary,
      );
    }
    if (known && (disownedBySender(letter.verdicts) || !vouched)) {
      return hold(
        'unverified_sender',
        `it comes as from ${letter.from.address}, who is on ${thread.request.reference}, but ${why}: their domain does not vouch for it`,
        summary,
      );
    }
  }

  const targetId = thread?.request.id ?? requestId;
  const year = Number(officeDate(receivedAt, rules.timeZone).slice(0, 4));
  // The parts and the reference do not depend on each other: one round trip for both.
  const [documents, sequence] = await Promise.all([
    storeDocuments(ports, targetId, messageKey, letter),
    thread ? undefined : ports.store.claimSequence(year, claimKeyForObject(raw)),
  ]);
  const context: FilingContext = { letter, messageKey, receivedAt, raw, documents };
  const result = thread
    ? await ports.store.fileReply(
        raw,
        thread.request.id,
        (current) => joinRequest(current, thread.matchedBy, context),
        fromHeld,
      )
    : await ports.store.fileNewRequest(
        raw,
        openRequest({ requestId, reference: formatReference(year, sequence ?? 0) }, context, rules),
        fromHeld,
      );
  if (result.outcome === 'resend') {
    // A copy of the same message was filed while this one was on its way: it is a resend.
    if (!thread) {
      await voidUnusedReference(
        ports.store,
        raw,
        receivedAt,
        rules.timeZone,
        'its letter turned out to be a copy of one delivered at the same time',
      );
    }
    if (decidedAgain) throw new Error(`${raw.key} kept changing between resend and new mail`);
    return receiveMail(raw, ports, rules, retry, true);
  }
  if (result.outcome === 'already-filed') {
    // A concurrent delivery of the same object won the race; its filing stands.
    const filing = await ports.store.findFiling(raw);
    log.info('inbound mail filed by a concurrent delivery', { objectKey: raw.key, ...filing });
    const ours = formatReference(year, sequence ?? 0);
    if (!thread && !(filing?.place === 'request' && filing.reference === ours)) {
      await voidUnusedReference(
        ports.store,
        raw,
        receivedAt,
        rules.timeZone,
        'staff resolved its held mail another way first',
      );
    }
    if (filing?.place === 'held')
      return { place: 'held', heldId: filing.heldId, reason: filing.reason, duplicate: true };
    return {
      place: 'request',
      requestId: targetId,
      reference: filing?.place === 'request' ? filing.reference : '',
      joined: Boolean(thread),
      duplicate: true,
    };
  }
  const reference = result.request?.reference ?? '';
  log.info(thread ? 'reply joined its request' : 'new request filed', {
    objectKey: raw.key,
    requestId: targetId,
    reference,
    matchedBy: thread?.matchedBy,
    attachments: context.documents.attachments.length,
    machine: letter.machine?.reason,
  });
  return {
    place: 'request',
    requestId: targetId,
    reference,
    joined: Boolean(thread),
    duplicate: false,
  };
}

/** Files a message delivered again on the request its first copy went to, marked as such. */
async function fileResend(
  raw: RawObject,
  letter: InboundLetter,
  resend: { requestId: string; messageKey: string },
  ids: { messageKey: string; receivedAt: Date },
  ports: IntakePorts,
  fromHeld?: HeldDecision,
): Promise<IntakeOutcome> {
  const context: FilingContext = {
    letter,
    messageKey: ids.messageKey,
    receivedAt: ids.receivedAt,
    raw,
    documents: await storeDocuments(ports, resend.requestId, ids.messageKey, letter),
    duplicateOf: resend.messageKey,
  };
  const result = await ports.store.fileReply(
    raw,
    resend.requestId,
    (current) => joinRequest(current, `delivered again: Message-ID ${letter.messageId}`, context),
    fromHeld,
  );
  const filing = result.outcome === 'already-filed' ? await ports.store.findFiling(raw) : undefined;
  log.info('message delivered again; filed on its request as a duplicate', {
    objectKey: raw.key,
    requestId: resend.requestId,
    duplicateOf: resend.messageKey,
  });
  return {
    place: 'request',
    requestId: resend.requestId,
    reference: result.request?.reference ?? (filing?.place === 'request' ? filing.reference : ''),
    joined: true,
    duplicate: result.outcome === 'already-filed',
    deliveredAgain: true,
  };
}

/** Who held mail is from and what it is about, as its headers say, cut to a readable length. */
function heldSummary(headers: HeaderBlock): { from?: string; subject?: string } {
  const from = firstHeader(headers, 'from');
  const subject = firstHeader(headers, 'subject');
  return {
    ...(from ? { from: truncate(from, 1000) } : {}),
    ...(subject ? { subject: truncate(subject, 1000) } : {}),
  };
}

/**
 * Mail intake gave up on (its delivery reached the dead-letter queue after every retry)
 * goes to held mail as could_not_file, so staff see it and can try again once the fault
 * is fixed. Only the headers are read: whatever failed may have been the parse itself.
 */
export async function holdUnfiled(
  raw: RawObject,
  ports: Pick<IntakePorts, 'readStart' | 'store'>,
  attempts: number,
): Promise<'held' | 'already-filed'> {
  if (await ports.store.findFiling(raw)) {
    log.info('dead-lettered mail was filed after all; nothing to hold', { objectKey: raw.key });
    return 'already-filed';
  }
  const start = await ports.readStart(raw, 64 * 1024);
  const headers = readHeaderBlock(start.bytes);
  const heldId = heldIdForObject(raw.bucket, raw.key);
  const outcome = await ports.store.fileHeld(
    holdMail({
      id: heldId,
      reason: 'could_not_file',
      detail: `intake failed on each of ${attempts} attempts; the raw message is kept at s3://${raw.bucket}/${raw.key}, and the log under that key says why. Try again once the fault is fixed.`,
      receivedAt: start.lastModified.toISOString(),
      raw,
      ...heldSummary(headers),
    }),
  );
  log.error('intake could not file mail; it is in held mail for staff to retry', {
    objectKey: raw.key,
    heldId,
  });
  return outcome === 'filed' ? 'held' : 'already-filed';
}
